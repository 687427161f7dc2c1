package io.flowcost.agent.propagation;

import io.opentelemetry.context.Context;
import io.opentelemetry.context.ContextKey;
import java.util.Map;

/**
 * What an incoming request said about the workflow this service joined: its id, the caller's
 * tags, and the caller's trace flags, passed on unchanged to the next hop (the agent itself records
 * the spans even when the caller did not sample them).
 *
 * @param workflowId 32-hex workflow id
 * @param tags the caller's tags, without the {@code flowcost.tag.} prefix
 * @param flags trace flags as two hex digits
 */
public record Upstream(String workflowId, Map<String, String> tags, String flags) {

  private static final ContextKey<Upstream> KEY = ContextKey.named("flowcost-upstream");

  /** The upstream of a context, or {@code null} in a workflow opened here. */
  public static Upstream from(Context context) {
    return context.get(KEY);
  }

  /** Returns {@code parent} carrying this upstream. */
  public Context attach(Context parent) {
    return parent.with(KEY, this);
  }
}
