package io.flowcost.outcome;

import java.util.Locale;
import java.util.Optional;

/**
 * What a workflow cap (or an owner's budget) limits. Each kind has one name used everywhere: in
 * {@code flowcost.caps} settings, on breach spans ({@code flowcost.cap.kind}) and in the lake's
 * {@code cap_breaches.cap_kind} column.
 */
public enum CapKind {
  /** Priced cost of the workflow's model calls, in USD. */
  MAX_COST_USD("max-cost-usd", "USD"),
  /** Input plus output tokens of the workflow's model calls. */
  MAX_TOKENS("max-tokens", "tokens"),
  /** Model calls (logical calls, retries included in one call) the workflow started. */
  MAX_MODEL_CALLS("max-model-calls", "calls"),
  /** Tool executions the workflow started. */
  MAX_TOOL_CALLS("max-tool-calls", "calls"),
  /** Time since the workflow opened, in milliseconds. */
  MAX_WALL_TIME("max-wall-time", "ms"),
  /**
   * The hard budget of the workflow's owner for the current period, in USD (configured on the
   * collector with {@code --budgets}); breached before the workflow starts, so it is refused.
   */
  BUDGET_USD("budget-usd", "USD");

  private final String key;
  private final String unit;

  CapKind(String key, String unit) {
    this.key = key;
    this.unit = unit;
  }

  /** The name in settings, spans and the lake, e.g. {@code max-cost-usd}. */
  public String key() {
    return key;
  }

  /** The unit of this kind's limit and spend: {@code USD}, {@code tokens}, {@code calls} or {@code ms}. */
  public String unit() {
    return unit;
  }

  /** The kind named {@code key} (as {@link #key()} spells it, any case), if any. */
  public static Optional<CapKind> fromKey(String key) {
    if (key == null) {
      return Optional.empty();
    }
    String k = key.trim().toLowerCase(Locale.ROOT);
    for (CapKind kind : values()) {
      if (kind.key.equals(k)) {
        return Optional.of(kind);
      }
    }
    return Optional.empty();
  }
}
