package io.flowcost.agent.concurrent;

import io.flowcost.agent.context.AgentContext;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import java.util.concurrent.Callable;

/**
 * Carries the agent's context into tasks handed to executors, only while a workflow (or a boundary
 * that opens one at its first model call: a server request, a listed method) is open, so that a
 * tool or model call on a pool thread lands in the same workflow. Tasks submitted outside a
 * workflow are passed through untouched.
 */
public final class ContextTasks {

  private ContextTasks() {}

  /** Wraps a runnable when a workflow is open; otherwise returns it unchanged. */
  public static Runnable wrap(Runnable task) {
    if (task == null || task instanceof ContextRunnable) {
      return task;
    }
    Context current = Context.current(); // read once: the check and the wrapper share it
    return AgentContext.workflowOrBoundary(current) ? new ContextRunnable(current, task) : task;
  }

  /** Wraps a callable when a workflow is open; otherwise returns it unchanged. */
  public static <T> Callable<T> wrap(Callable<T> task) {
    if (task == null || task instanceof ContextCallable) {
      return task;
    }
    Context current = Context.current(); // read once: the check and the wrapper share it
    return AgentContext.workflowOrBoundary(current) ? new ContextCallable<>(current, task) : task;
  }

  private static final class ContextRunnable implements Runnable {
    private final Context context;
    private final Runnable task;

    ContextRunnable(Context context, Runnable task) {
      this.context = context;
      this.task = task;
    }

    @Override
    public void run() {
      try (Scope ignored = context.makeCurrent()) {
        task.run();
      }
    }

    @Override
    public String toString() {
      return task.toString();
    }
  }

  private static final class ContextCallable<T> implements Callable<T> {
    private final Context context;
    private final Callable<T> task;

    ContextCallable(Context context, Callable<T> task) {
      this.context = context;
      this.task = task;
    }

    @Override
    public T call() throws Exception {
      try (Scope ignored = context.makeCurrent()) {
        return task.call();
      }
    }

    @Override
    public String toString() {
      return task.toString();
    }
  }
}
