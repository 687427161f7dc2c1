package io.flowcost.outcome;

import io.flowcost.outcome.spi.AgentBridge;
import java.math.BigDecimal;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Callable;

/**
 * Describes a workflow before it starts: its name (the intent), tags and business key. Obtain one
 * from {@link Flowcost#workflow(String)}; not thread-safe, use it on one thread.
 */
public final class WorkflowBuilder {

  private final String name;
  private final Map<String, String> tags = new LinkedHashMap<>();
  private String externalKey;
  private final Map<CapKind, BigDecimal> caps = new EnumMap<>(CapKind.class);

  WorkflowBuilder(String name) {
    this.name = OutcomeBuilder.requireText("name", name, 256);
  }

  /**
   * Adds a tag (team, feature, customer, env, …). Tags set here override {@code flowcost.tags}.
   *
   * @throws IllegalArgumentException when the key is blank or the value null
   */
  public WorkflowBuilder tag(String key, String value) {
    OutcomeBuilder.requireText("tag key", key, 128);
    if (value == null) {
      throw new IllegalArgumentException("tag value must not be null");
    }
    tags.put(key, value);
    return this;
  }

  /** Adds every entry of {@code tags}, as {@link #tag} does. */
  public WorkflowBuilder tags(Map<String, String> tags) {
    Objects.requireNonNull(tags, "tags").forEach(this::tag);
    return this;
  }

  /**
   * Sets the business key (ticket id, order id, …) that outcomes may reference instead of the
   * workflow id, see {@link Flowcost#outcomeForKey}.
   */
  public WorkflowBuilder externalKey(String externalKey) {
    this.externalKey = OutcomeBuilder.requireText("externalKey", externalKey, OutcomeBuilder.MAX_KEY);
    return this;
  }

  /**
   * Caps this workflow (when the Flowcost agent is attached; ignored otherwise): with {@code
   * flowcost.caps.mode=enforce}, the model or tool call that would start after the workflow
   * reached the cap throws {@link WorkflowCapExceededException}. Overrides {@code flowcost.caps}
   * and {@code flowcost.caps.<name>} for this kind. Ignored when {@link #start()} joins a workflow
   * already open on this thread (that workflow keeps its caps).
   *
   * @param kind what to limit; not {@link CapKind#BUDGET_USD}, which the collector sets per owner
   * @param limit the cap in {@link CapKind#unit()}: USD, tokens, calls, or milliseconds for {@link
   *     CapKind#MAX_WALL_TIME}; whole numbers except for cost
   * @throws IllegalArgumentException when the limit is negative, not whole where it must be, or
   *     the kind is a budget
   */
  public WorkflowBuilder cap(CapKind kind, BigDecimal limit) {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(limit, "limit");
    if (kind == CapKind.BUDGET_USD) {
      throw new IllegalArgumentException("budget-usd is set per owner on the collector, not per workflow");
    }
    if (limit.signum() < 0) {
      throw new IllegalArgumentException(kind.key() + " must be >= 0");
    }
    if (kind != CapKind.MAX_COST_USD && limit.stripTrailingZeros().scale() > 0) {
      throw new IllegalArgumentException(kind.key() + " must be a whole number");
    }
    caps.put(kind, limit);
    return this;
  }

  /** {@code key=value,…} for the agent; wall time carries its unit. */
  private String capsText() {
    StringBuilder b = new StringBuilder();
    for (Map.Entry<CapKind, BigDecimal> e : caps.entrySet()) {
      if (b.length() > 0) {
        b.append(',');
      }
      b.append(e.getKey().key()).append('=').append(e.getValue().stripTrailingZeros().toPlainString());
      if (e.getKey() == CapKind.MAX_WALL_TIME) {
        b.append("ms");
      }
    }
    return b.toString();
  }

  /**
   * Opens the workflow on this thread and makes it current, or joins the workflow already open
   * on this thread (the returned handle then shares its id; this builder's tags and key are added
   * to it where it has none). Close it on the same thread, e.g. with try-with-resources.
   */
  public Workflow start() {
    String[] flatTags = new String[tags.size() * 2];
    int i = 0;
    for (Map.Entry<String, String> e : tags.entrySet()) {
      flatTags[i++] = e.getKey();
      flatTags[i++] = e.getValue();
    }
    // the 3-argument bridge when no caps are set, so that an older agent still sees the workflow
    Object handle =
        caps.isEmpty()
            ? AgentBridge.openWorkflow(name, flatTags, externalKey)
            : AgentBridge.openWorkflow(name, flatTags, externalKey, capsText());
    if (handle == null && !caps.isEmpty() && AgentBridge.attached()) {
      // an agent from before caps: open the workflow without them
      handle = AgentBridge.openWorkflow(name, flatTags, externalKey);
    }
    if (handle != null) {
      return Workflow.underAgent(name, handle, externalKey);
    }
    return Workflow.local(name, tags, externalKey);
  }

  /**
   * Runs {@code body} inside the workflow: opens it, records an exception it throws (the
   * workflow span then has {@code error.type}), and closes it.
   */
  public <T> T call(Callable<T> body) throws Exception {
    Objects.requireNonNull(body, "body");
    try (Workflow workflow = start()) {
      try {
        return body.call();
      } catch (Exception | Error e) {
        workflow.fail(e);
        throw e;
      }
    }
  }

  /** Like {@link #call}, for a body that returns nothing and throws no checked exception. */
  public void run(Runnable body) {
    Objects.requireNonNull(body, "body");
    try (Workflow workflow = start()) {
      try {
        body.run();
      } catch (RuntimeException | Error e) {
        workflow.fail(e);
        throw e;
      }
    }
  }
}
