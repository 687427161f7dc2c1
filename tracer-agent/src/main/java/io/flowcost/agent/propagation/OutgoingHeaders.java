package io.flowcost.agent.propagation;

import io.flowcost.agent.context.AgentContext;
import io.flowcost.agent.context.SpanAttributes;
import io.flowcost.agent.context.Workflow;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.trace.ReadableSpan;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The headers to add to one outgoing request.
 *
 * <ul>
 *   <li>{@code traceparent}: the Flowcost span the request belongs to, only when the request has
 *       none (the application's APM owns it then: exactly one per request), with the flags of the
 *       upstream caller when this workflow was joined;
 *   <li>{@code baggage}: the workflow id and tags, only inside a workflow, only to hosts in {@code
 *       flowcost.propagation.hosts}, never on a model request; merged with the application's own
 *       baggage members.
 * </ul>
 *
 * @param traceparent value to set, or {@code null}
 * @param baggage complete value to set, or {@code null} to leave the header as it is
 */
public record OutgoingHeaders(String traceparent, String baggage) {

  private static final OutgoingHeaders NONE = new OutgoingHeaders(null, null);

  /** Whether there is anything to add. */
  public boolean isEmpty() {
    return traceparent == null && baggage == null;
  }

  /**
   * Computes the headers for a request.
   *
   * @param context the agent context of the request (its exchange's, else the current one)
   * @param mayGetBaggage whether the request may carry baggage: not a model request, to a host in
   *     {@code flowcost.propagation.hosts} ({@code ClientPropagation} decides)
   * @param existingTraceparent the request's {@code traceparent}, or {@code null}
   * @param existingBaggage the request's {@code baggage}, or {@code null}
   */
  static OutgoingHeaders compute(
      Context context,
      boolean mayGetBaggage,
      String existingTraceparent,
      String existingBaggage) {
    SpanContext span = Span.fromContext(context).getSpanContext();
    if (!span.isValid()) {
      return NONE; // not inside anything Flowcost records
    }
    Upstream upstream = Upstream.from(context);
    String traceparent = null;
    if (existingTraceparent == null) {
      String flags = upstream != null ? upstream.flags() : span.getTraceFlags().asHex();
      traceparent = Traceparent.header(span.getTraceId(), span.getSpanId(), flags);
    }
    String baggage = null;
    // the workflow is looked up (a scope made current) only for a request that may get baggage
    Workflow workflow = mayGetBaggage ? workflowOf(context) : null;
    if (workflow != null) {
      String id = upstream != null ? upstream.workflowId() : workflow.id();
      Map<String, String> tags = upstream != null ? upstream.tags() : tagsOf(workflow);
      baggage = FlowcostBaggage.merge(existingBaggage, id, tags);
    }
    return traceparent == null && baggage == null ? NONE : new OutgoingHeaders(traceparent, baggage);
  }

  private static Workflow workflowOf(Context context) {
    try (Scope ignored = context.makeCurrent()) {
      // a boundary that made no model call yet has no workflow to propagate, and opens none here
      return AgentContext.startedWorkflow();
    }
  }

  /** The workflow's tags as its root span carries them ({@code flowcost.tag.*}). */
  static Map<String, String> tagsOf(Workflow workflow) {
    if (!(workflow.rootSpan() instanceof ReadableSpan)) {
      return Collections.emptyMap();
    }
    Map<String, String> tags = new LinkedHashMap<>();
    ((ReadableSpan) workflow.rootSpan())
        .getAttributes()
        .forEach(
            (AttributeKey<?> key, Object value) -> {
              if (key.getKey().startsWith(SpanAttributes.TAG_PREFIX) && value instanceof String) {
                tags.put(key.getKey().substring(SpanAttributes.TAG_PREFIX.length()), (String) value);
              }
            });
    return tags;
  }
}
