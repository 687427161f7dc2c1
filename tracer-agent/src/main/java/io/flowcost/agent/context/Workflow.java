package io.flowcost.agent.context;

import io.flowcost.agent.caps.CapGuard;
import io.flowcost.agent.caps.WorkflowSpend;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Context;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;

/**
 * A workflow open in some context: its root span and id (the root's trace id). Carried in the
 * agent's {@link Context} under {@link AgentContext#currentWorkflow()}.
 */
public final class Workflow {

  private final Span rootSpan;
  private final String id;
  /** 1 once a conversation is recorded (a field and an updater: no object per workflow). */
  private volatile int conversationSet;

  private static final AtomicIntegerFieldUpdater<Workflow> CONVERSATION_SET =
      AtomicIntegerFieldUpdater.newUpdater(Workflow.class, "conversationSet");
  private final WorkflowSpend spend;
  private final Attributes callAttributes;

  Workflow(Span rootSpan) {
    this(rootSpan, null, null, Attributes.empty());
  }

  Workflow(Span rootSpan, String name, String apiCaps) {
    this(rootSpan, name, apiCaps, Attributes.empty());
  }

  /**
   * @param callAttributes what each call span of this workflow carries: its name and tags
   */
  Workflow(Span rootSpan, String name, String apiCaps, Attributes callAttributes) {
    this.rootSpan = rootSpan;
    this.id = rootSpan.getSpanContext().getTraceId();
    // a workflow joined from another service (name == null) has no caps in this JVM
    this.spend = name == null ? null : CapGuard.open(id, name, apiCaps);
    this.callAttributes = callAttributes;
  }

  /**
   * The workflow's name and tags as every call span of it carries them
   * ({@code flowcost.workflow.name}, {@code flowcost.tag.*}), so the collector can attribute a
   * running workflow's spend when its calls arrive; its root span arrives only when it ends.
   * Empty for a workflow joined from another service (its name and tags are the caller's).
   * Built once per workflow.
   */
  public Attributes callAttributes() {
    return callAttributes;
  }

  /** The workflow's spend and caps in this JVM, or {@code null} when it has no caps. */
  public WorkflowSpend spend() {
    return spend;
  }

  /** The workflow span. */
  public Span rootSpan() {
    return rootSpan;
  }

  /** The 32-hex workflow id. */
  public String id() {
    return id;
  }

  /**
   * Records the conversation this workflow belongs to ({@code gen_ai.conversation.id} on its root
   * span, the lake's {@code conversation_id}). The first id recorded wins: a workflow that runs
   * several AI-service invocations is named after the conversation it started with, and a later
   * one never overwrites it. A {@code null} id is ignored.
   */
  public void conversation(String conversationId) {
    if (conversationId != null && CONVERSATION_SET.compareAndSet(this, 0, 1)) {
      rootSpan.setAttribute(SpanAttributes.CONVERSATION_ID, conversationId);
    }
  }

  /** Returns {@code parent} with this workflow and its root span current. */
  public Context attach(Context parent) {
    return SpanAndValueContext.of(parent, rootSpan, AgentContext.WORKFLOW, this);
  }
}
