package io.flowcost.agent.http;

import io.flowcost.agent.calls.Attempt;
import io.flowcost.agent.calls.LogicalCall;
import io.flowcost.agent.context.AgentContext;
import io.flowcost.agent.usage.ResponseSummary;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.ContextKey;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * A logical call opened by an SDK hook (one SDK method call) whose transport exchanges, seen by an
 * HTTP-client instrumentation below it, are its attempts. It ends when the SDK method has returned
 * and every exchange has finished — for a stream, when the application has read or closed it.
 */
public final class SdkCall {

  private static final ContextKey<SdkCall> KEY = ContextKey.named("flowcost-sdk-call");

  private final LogicalCall call;
  private final Context context;
  private int pending = 1; // the SDK method itself
  private ResponseSummary lastSummary;
  /**
   * The last exchange, when it succeeded with its answer still to be read ({@link
   * #exchangeAnsweredLater}): read when another exchange finishes, or by the call span's export.
   */
  private Attempt lastUnread;
  private String lastErrorType;
  private Throwable thrown;
  private boolean ended;
  private volatile Consumer<ResponseSummary> whenAnswered;

  private SdkCall(LogicalCall call) {
    this.call = call;
    this.context = call.context().with(KEY, this);
  }

  /** Wraps a started logical call; make {@link #context()} current around the SDK method. */
  public static SdkCall of(LogicalCall call) {
    return new SdkCall(call);
  }

  /** The SDK call open in the current context, or {@code null}. */
  public static SdkCall current() {
    return current(Context.current());
  }

  /** The SDK call open in {@code context}, or {@code null}. */
  public static SdkCall current(Context context) {
    return context.get(KEY);
  }

  /** The context to make current while the SDK method runs. */
  public Context context() {
    return context;
  }

  /**
   * Runs {@code listener} with the summary of each exchange that answered successfully (not a
   * failed attempt, nor one whose response was not read; a summary without a model counts), as
   * soon as its body has been read: before the SDK hands the answer to the application. Set
   * before the SDK method runs.
   *
   * <p>Why not when the call ends: an asynchronous call ends in a callback on the SDK's future,
   * and the application's {@code get()} may wake before it runs — a tool loop's next request
   * could then go out before the tool calls this answer asked for were known (seen in CI with
   * Bedrock ConverseStream).
   */
  public void whenAnswered(Consumer<ResponseSummary> listener) {
    this.whenAnswered = listener;
  }

  /** The logical call. */
  public LogicalCall call() {
    return call;
  }

  Attempt startAttempt() {
    synchronized (this) {
      pending++;
    }
    return call.startAttempt();
  }

  /**
   * Whether an exchange's answer may be read after the call has ended ({@link
   * #exchangeAnsweredLater}): not when a listener needs it now ({@link #whenAnswered}).
   */
  boolean answerCanWait() {
    return whenAnswered == null;
  }

  /**
   * An exchange succeeded with its answer still to be read ({@link Attempt#succeededLater}): the
   * call span takes its model and finish reasons when it is read, if it is the call's only
   * attempt ({@link LogicalCall#endAnsweredLater}); otherwise they are read when the next exchange
   * finishes or the call ends, as {@link #exchangeFinished} would have taken them.
   */
  void exchangeAnsweredLater(Attempt attempt) {
    synchronized (this) {
      readUnread();
      lastUnread = attempt;
      lastErrorType = null;
    }
    release();
  }

  /** Takes the unread last answer, if any, as {@link #exchangeFinished} takes one. Holds this. */
  private void readUnread() {
    if (lastUnread != null) {
      ResponseSummary summary = lastUnread.responseSummary();
      lastUnread = null;
      if (summary != null && summary.model() != null) {
        lastSummary = summary;
      }
    }
  }

  void exchangeFinished(ResponseSummary summary, String errorType) {
    synchronized (this) {
      readUnread();
      if (summary != null && summary.model() != null) {
        lastSummary = summary;
      }
      lastErrorType = errorType;
    }
    Consumer<ResponseSummary> listener = whenAnswered;
    // Bedrock's answers name no model (the exchange ignores it): the listener still wants them
    if (listener != null && summary != null && errorType == null) {
      listener.accept(summary);
    }
    release();
  }

  /** The SDK method returned (or threw {@code error}); ends the call if no exchange is open. */
  public void methodExited(Throwable error) {
    synchronized (this) {
      thrown = error;
    }
    release();
  }

  /**
   * An asynchronous SDK method returned {@code future} (or threw {@code thrown}): the method is
   * over when the future completes. The completion callback is a dependent stage, so the
   * application's future is returned untouched.
   */
  public void methodExitedWhenDone(Object future, Throwable thrown) {
    if (thrown != null || !(future instanceof CompletableFuture)) {
      methodExited(thrown);
    } else {
      ((CompletableFuture<?>) future)
          .whenComplete((result, error) -> methodExited(error));
    }
  }

  private void release() {
    ResponseSummary summary;
    String errorType;
    Throwable error;
    Attempt unread;
    synchronized (this) {
      if (ended || --pending > 0) {
        return;
      }
      ended = true;
      unread = thrown == null ? lastUnread : null;
    }
    if (unread != null && call.endAnsweredLater(unread, true)) {
      return; // the answer, and with it the call's model, is read when the spans are
    }
    synchronized (this) {
      readUnread();
      summary = lastSummary;
      errorType = lastErrorType;
      error = thrown;
    }
    if (error == null && errorType != null) {
      // the SDK gave up after failed attempts; its exception is thrown above the hook
      AgentContext.recordError(call.span(), errorType);
    }
    call.end(
        summary == null ? null : summary.model(),
        summary == null ? null : summary.finishReasons(),
        null,
        error);
  }
}
