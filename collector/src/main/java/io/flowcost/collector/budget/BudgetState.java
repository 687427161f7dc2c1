package io.flowcost.collector.budget;

import java.util.Locale;

/** Where an owner's spend stands against its budget in the current period. */
public enum BudgetState {
  /** Below every cap. */
  OK,
  /** At or past the soft cap, below the hard cap. */
  SOFT,
  /** At or past the hard cap: new workflows of the owner are refused in enforce mode. */
  HARD;

  /** {@code ok}, {@code soft} or {@code hard}, as served by {@code /v1/budgets}. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
