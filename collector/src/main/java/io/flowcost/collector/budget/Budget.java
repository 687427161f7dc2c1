package io.flowcost.collector.budget;

import java.math.BigDecimal;

/**
 * One budget: spend of the workflows whose tag {@code ownerKey} is {@code owner}, per
 * {@code period}, with a soft and/or a hard cap in USD.
 *
 * @param ownerKey the tag key (team, feature, customer, the owner pinned by an API key, …)
 * @param owner the tag value
 * @param soft the soft cap in USD, or {@code null}: crossing it is reported (state {@code soft})
 * @param hard the hard cap in USD, or {@code null}: at it, agents in enforce mode refuse new
 *     workflows of this owner until the period rolls
 * @param line the line of the budgets file it was read from (1-based; 0 when built in code)
 */
public record Budget(String ownerKey, String owner, BudgetPeriod period, BigDecimal soft,
    BigDecimal hard, int line) {

  public Budget {
    if (soft == null && hard == null) {
      throw new IllegalArgumentException("a budget needs a soft or a hard cap");
    }
  }

  /** The cap alerts measure against: the hard cap, or the soft one when there is no hard cap. */
  public BigDecimal alertLimit() {
    return hard != null ? hard : soft;
  }

  /** {@code key=value} as written in the budgets file. */
  public String ownerLabel() {
    return ownerKey + "=" + owner;
  }
}
