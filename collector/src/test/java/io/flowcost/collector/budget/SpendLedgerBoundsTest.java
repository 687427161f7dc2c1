package io.flowcost.collector.budget;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The live ledger's memory: bounded by workflows, and the bound follows the heap. */
class SpendLedgerBoundsTest {

  private static final long MB = 1024L * 1024;
  private final Instant now = Instant.parse("2026-12-06T12:00:00Z");
  private final List<Budget> budgets =
      BudgetFile.parse("b", List.of("team=payments day hard=1000"));

  @Test
  void theDefaultBoundIsASixteenthOfTheHeapBetweenTenThousandAndAMillionWorkflows() {
    // 512 MB / 16 / 256 bytes: what the benchmarks' collector (-Xmx512m) gets
    assertThat(SpendLedger.defaultMaxWorkflows(512 * MB)).isEqualTo(131_072);
    assertThat(SpendLedger.defaultMaxWorkflows(2048 * MB)).isEqualTo(524_288);
    assertThat(SpendLedger.defaultMaxWorkflows(64 * 1024 * MB))
        .isEqualTo(SpendLedger.MAX_WORKFLOWS);
    assertThat(SpendLedger.defaultMaxWorkflows(16 * MB)).isEqualTo(10_000);
  }

  /**
   * Every workflow's root span names its owners here; a busy collector sees millions a day, so
   * the owners remembered are bounded, least recently used out, and spend is still counted
   * exactly for workflows named again (the agent names the workflow on each call span).
   */
  @Test
  void ownersOfManyWorkflowsStayWithinTheBoundAndSpendIsStillCounted() {
    SpendLedger ledger = new SpendLedger(budgets, 1_000);
    for (int w = 0; w < 50_000; w++) {
      String id = String.format("%032x", w);
      ledger.root(id, "triage", Map.of("team", w % 2 == 0 ? "payments" : "search"));
      ledger.call(id, now, 1_000_000L, "span-" + w); // $0.001 each
    }
    assertThat(ledger.knownWorkflows()).isEqualTo(1_000);
    assertThat(ledger.pendingWorkflows()).isZero();
    OwnerPeriod day = new OwnerPeriod("team", "payments", BudgetPeriod.DAY,
        BudgetPeriod.DAY.idOf(now));
    assertThat(ledger.spend(day)).isEqualTo(25_000 * 1_000_000L); // $25.000000000 exactly
  }

  /**
   * Calls of a workflow that is never named (another producer, no root span yet) wait for it;
   * they are bounded in total, not only by workflows: one such workflow held any number of calls.
   */
  @Test
  void callsWaitingForARootSpanAreBoundedInTotalOldestWorkflowsFirst() {
    SpendLedger ledger = new SpendLedger(budgets, 100);
    String stale = String.format("%032x", 1);
    ledger.call(stale, now, 7L, "stale-span");
    String big = String.format("%032x", 2);
    for (int i = 0; i < 1_000; i++) {
      ledger.call(big, now, 1_000_000L, "span-" + i);
    }
    assertThat(ledger.pendingCalls()).isLessThanOrEqualTo(100);
    assertThat(ledger.pendingWorkflows()).isEqualTo(1); // the stale workflow went first
    // the root span arrives: what still waited is credited, exactly once
    int waiting = ledger.pendingCalls();
    ledger.root(big, "triage", Map.of("team", "payments"));
    assertThat(ledger.pendingCalls()).isZero();
    OwnerPeriod day = new OwnerPeriod("team", "payments", BudgetPeriod.DAY,
        BudgetPeriod.DAY.idOf(now));
    assertThat(ledger.spend(day)).isEqualTo(waiting * 1_000_000L);
    ledger.root(stale, "triage", Map.of("team", "payments"));
    assertThat(ledger.spend(day)).isEqualTo(waiting * 1_000_000L); // its call was forgotten
  }
}
