package io.flowcost.agent.http.okhttp;

import io.flowcost.agent.AgentLog;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * The context of each asynchronous OkHttp call ({@code Call.enqueue}) is its enqueuer's: captured
 * when OkHttp creates the call's {@code AsyncCall} (in {@code RealCall.enqueue}, on the
 * application's thread) and made current while it runs on the dispatcher's executor — whatever
 * context the executor hook carried there, and the root context when the enqueuer had none.
 *
 * <p>Why not the executor hook alone ({@code concurrent/ContextTasks}): OkHttp's {@code
 * Dispatcher} runs at most {@code maxRequestsPerHost} (5 by default) calls per host at once and
 * queues the others; a queued call is handed to the executor later by {@code promoteAndExecute()},
 * called from whichever thread finishes another call — still inside that call's {@code run()}, in
 * its context. The hook then carries the finished call's context to the promoted one, whose
 * exchange becomes an attempt of the wrong (already ended) call, or lands in another workflow
 * (seen in CI: {@code ConcurrentWorkflowsEndToEndTest}, 50 workflows on 8 threads). The
 * OpenTelemetry Java agent ties the context to OkHttp's {@code AsyncCall} at enqueue for the same
 * reason.
 *
 * <p>Keys are weak (a call the dispatcher never runs — rejected by a shut-down executor — leaves
 * nothing behind) and an entry is removed when its call runs.
 */
public final class OkHttpAsyncCalls {

  /** The enqueuer's context of each {@code AsyncCall} not run yet; none for the root context. */
  private static final Map<Object, Context> ENQUEUERS =
      Collections.synchronizedMap(new WeakHashMap<>());

  private OkHttpAsyncCalls() {}

  /** An {@code AsyncCall} was created: remembers the current context. Never throws. */
  public static void created(Object asyncCall) {
    try {
      Context current = Context.current();
      if (current != Context.root()) {
        ENQUEUERS.put(asyncCall, current);
      }
    } catch (Throwable t) {
      AgentLog.failure("okhttp enqueue", t);
    }
  }

  /**
   * An {@code AsyncCall} starts running: makes its enqueuer's context current (the root context
   * when it had none). Returns the scope for {@link #runExit}, or {@code null}. Never throws.
   */
  public static Object runEnter(Object asyncCall) {
    try {
      Context enqueuer = ENQUEUERS.remove(asyncCall);
      Context context = enqueuer != null ? enqueuer : Context.root();
      return context == Context.current() ? null : context.makeCurrent();
    } catch (Throwable t) {
      AgentLog.failure("okhttp async call", t);
      return null;
    }
  }

  /** The call's run is over: closes the scope {@link #runEnter} opened. */
  public static void runExit(Object scope) {
    if (scope instanceof Scope) {
      ((Scope) scope).close();
    }
  }

  /** How many calls wait to run with a captured context (for tests). */
  static int pending() {
    return ENQUEUERS.size();
  }
}
