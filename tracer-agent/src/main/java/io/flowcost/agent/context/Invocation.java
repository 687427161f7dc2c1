package io.flowcost.agent.context;

import io.flowcost.contract.WorkflowSource;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Context;
import java.util.concurrent.TimeUnit;

/**
 * One run of a framework's or SDK's own loop (an SDK tool runner's iteration): a new workflow
 * (source {@code ai_service}) when none is open, else a step of the open one. Ended once; later
 * ends are ignored.
 */
public final class Invocation {

  private final Span span;
  private final Context context;
  private boolean ended;

  private Invocation(Span span, Context context) {
    this.span = span;
    this.context = context;
  }

  /**
   * Starts a workflow named {@code name}, or a step of that name in the workflow open in the
   * current context.
   *
   * @param appLoader the app's class loader, to create a refusal's exception from
   * @throws WorkflowRefused when the new workflow's owner is at its hard budget (enforce mode)
   */
  public static Invocation start(String name, ClassLoader appLoader) {
    Workflow open = AgentContext.currentWorkflow();
    if (open == null) {
      Workflow workflow = AgentContext.startWorkflow(
          name, WorkflowSource.AI_SERVICE.wire(), null, null, null, appLoader);
      return new Invocation(workflow.rootSpan(), workflow.attach(Context.current()));
    }
    Span span =
        AgentContext.tracer()
            .spanBuilder(name)
            .setAttribute(SpanAttributes.STEP, true)
            .setAttribute(SpanAttributes.STEP_NAME, name)
            .startSpan();
    return new Invocation(span, Context.current().with(span));
  }

  /** The context to make current while the invocation runs. */
  public Context context() {
    return context;
  }

  /** Ends it now, failed when {@code error} is not {@code null}. */
  public void end(Throwable error) {
    end(error, -1);
  }

  /**
   * Ends it at {@code epochNanos} (now when negative), failed when {@code error} is not {@code
   * null}.
   */
  public synchronized void end(Throwable error, long epochNanos) {
    if (ended) {
      return;
    }
    ended = true;
    if (error != null) {
      AgentContext.recordError(span, error);
    }
    if (epochNanos < 0) {
      span.end();
    } else {
      span.end(epochNanos, TimeUnit.NANOSECONDS);
    }
  }
}
