package io.flowcost.collector.budget;

import io.flowcost.collector.alert.Alert;
import io.flowcost.collector.alert.AlertClaims;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Raises the budget alerts: each budget's 80% and 100% of its limit (the hard cap, or the soft
 * cap when there is none), once each per period. Run {@link #tick()} every few seconds (the
 * collector ticks every 10 s, so an alert leaves within a tick of the spend that caused it).
 */
public final class BudgetAlerter {

  private static final int[] THRESHOLDS = {80, 100};

  private final BudgetBoard board;
  private final AlertClaims claims;
  private final Consumer<Alert> sink;

  public BudgetAlerter(BudgetBoard board, AlertClaims claims, Consumer<Alert> sink) {
    this.board = board;
    this.claims = claims;
    this.sink = sink;
  }

  /** Checks every budget now; sends the alerts not sent yet this period. */
  public void tick() {
    for (BudgetBoard.Status s : board.statuses()) {
      Budget b = s.budget();
      long limit = SpendLedger.nanos(b.alertLimit());
      for (int pct : THRESHOLDS) {
        // spend * 100 >= limit * pct, in exact integers
        if (BigDecimal.valueOf(s.spendNanos()).multiply(BigDecimal.valueOf(100))
            .compareTo(BigDecimal.valueOf(limit).multiply(BigDecimal.valueOf(pct))) < 0) {
          continue;
        }
        String key = "budget|" + b.ownerKey() + "=" + b.owner() + "|" + b.period().label() + "|"
            + s.periodId() + "|" + pct;
        // kept a day past the period's end: long enough that no collector sends it again
        if (!claims.claim(key, s.periodEnd().plus(Duration.ofDays(1)))) {
          continue;
        }
        String capName = b.hard() != null ? "hard cap" : "soft cap";
        BigDecimal used = BigDecimal.valueOf(s.spendNanos())
            .multiply(BigDecimal.valueOf(100))
            .divide(BigDecimal.valueOf(limit), 1, RoundingMode.DOWN);
        sink.accept(new Alert(pct == 100 ? Alert.Kind.BUDGET_100 : Alert.Kind.BUDGET_80, key,
            b.ownerLabel(),
            b.period().label() + " budget of " + b.ownerLabel() + " at " + used.toPlainString()
                + "% of its " + capName + " of $" + b.alertLimit().toPlainString()
                + " (" + s.periodId() + ")",
            s.spendUsd().toPlainString(), s.periodStart(), board.clock().instant(),
            Map.of("owner_key", b.ownerKey(), "owner", b.owner(),
                "period", b.period().label(), "period_id", s.periodId(),
                "threshold_percent", Integer.toString(pct),
                "limit_usd", b.alertLimit().toPlainString(),
                "state", s.state().label())));
      }
    }
  }
}
