package io.flowcost.agent.caps;

import java.util.Locale;

/**
 * What a cap limits. Mirrors {@code io.flowcost.outcome.CapKind} by constant name and key (a test
 * keeps them equal): the agent cannot load {@code outcome-api} classes itself, it only finds them
 * in the application's class loader when it throws the exception.
 */
public enum Cap {
  /** Priced cost of the workflow's model calls, USD. */
  MAX_COST_USD("max-cost-usd", "USD"),
  /** Input plus output tokens of the workflow's model calls. */
  MAX_TOKENS("max-tokens", "tokens"),
  /** Model (and embedding) calls started by the workflow. */
  MAX_MODEL_CALLS("max-model-calls", "calls"),
  /** Tool executions started by the workflow. */
  MAX_TOOL_CALLS("max-tool-calls", "calls"),
  /** Milliseconds since the workflow opened. */
  MAX_WALL_TIME("max-wall-time", "ms"),
  /**
   * The hard budget of the workflow's owner for the current period, USD (the collector's {@code
   * --budgets}, polled by {@code io.flowcost.agent.budget.BudgetPoller}). Not a per-workflow
   * setting: {@code flowcost.caps} does not accept it.
   */
  BUDGET_USD("budget-usd", "USD");

  private final String key;
  private final String unit;

  Cap(String key, String unit) {
    this.key = key;
    this.unit = unit;
  }

  /** The name in settings, spans and the lake, e.g. {@code max-cost-usd}. */
  public String key() {
    return key;
  }

  /** Unit of limits and spends of this cap. */
  public String unit() {
    return unit;
  }

  /** The per-workflow cap named {@code key} (never {@link #BUDGET_USD}), or {@code null}. */
  static Cap fromKey(String key) {
    String k = key.trim().toLowerCase(Locale.ROOT);
    for (Cap cap : values()) {
      if (cap != BUDGET_USD && cap.key.equals(k)) {
        return cap;
      }
    }
    return null;
  }
}
