package io.flowcost.agent.propagation;

import io.flowcost.agent.context.AgentContext;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.context.Context;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;

/**
 * Server side: an incoming request joins the caller's workflow only when its baggage carries
 * {@code flowcost.workflow.id} (DESIGN.md); a bare {@code traceparent} — an APM trace — never
 * merges workflows. The caller's span (from {@code traceparent}, when it belongs to that workflow)
 * becomes the remote parent of this service's spans; its sampled flag is kept for the next hop but
 * does not stop the agent from recording.
 */
public final class IncomingContext {

  private IncomingContext() {}

  /**
   * The context to run a request's handler in, or {@code null} when the request carries no
   * Flowcost workflow (or one is already open on this thread).
   *
   * @param headers all values of a request header by its (case-insensitive) name
   */
  public static Context extract(Function<String, List<String>> headers) {
    if (AgentContext.workflowOrBoundary()) {
      return null;
    }
    Map<String, String> baggage = FlowcostBaggage.parse(headers.apply("baggage"));
    String workflowId = baggage.get(FlowcostBaggage.WORKFLOW_ID);
    if (workflowId == null) {
      return null;
    }
    List<String> parents = headers.apply("traceparent");
    Traceparent traceparent =
        parents == null || parents.size() != 1 ? null : Traceparent.parse(parents.get(0));
    String parentId;
    String flags;
    if (traceparent != null && traceparent.traceId().equals(workflowId)) {
      parentId = traceparent.parentId();
      flags = traceparent.flags();
    } else {
      // the caller's APM replaced our traceparent: the workflow id is all we have
      parentId = randomSpanId();
      flags = traceparent != null ? traceparent.flags() : "01";
    }
    Map<String, String> tags = new LinkedHashMap<>();
    for (Map.Entry<String, String> e : baggage.entrySet()) {
      if (e.getKey().startsWith(FlowcostBaggage.TAG_PREFIX)) {
        tags.put(e.getKey().substring(FlowcostBaggage.TAG_PREFIX.length()), e.getValue());
      }
    }
    SpanContext remote =
        SpanContext.createFromRemoteParent(
            workflowId, parentId, TraceFlags.getSampled(), TraceState.getDefault());
    Context joined = AgentContext.joinWorkflow(Context.current(), remote);
    return new Upstream(workflowId, Map.copyOf(tags), flags).attach(joined);
  }

  private static String randomSpanId() {
    long id;
    do {
      id = ThreadLocalRandom.current().nextLong();
    } while (id == 0);
    return String.format("%016x", id);
  }
}
