package io.flowcost.agent.context;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Context;

/**
 * A workflow open in some context: its root span and id (the root's trace id). Carried in the
 * agent's {@link Context} under {@link AgentContext#currentWorkflow()}.
 */
public final class Workflow {

  private final Span rootSpan;
  private final String id;

  Workflow(Span rootSpan) {
    this.rootSpan = rootSpan;
    this.id = rootSpan.getSpanContext().getTraceId();
  }

  /** The workflow span. */
  public Span rootSpan() {
    return rootSpan;
  }

  /** The 32-hex workflow id. */
  public String id() {
    return id;
  }

  /** Returns {@code parent} with this workflow and its root span current. */
  public Context attach(Context parent) {
    return parent.with(rootSpan).with(AgentContext.WORKFLOW, this);
  }
}
