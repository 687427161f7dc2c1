package io.flowcost.collector.alert;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The runaway rule over simulated time: a running workflow passing 3x its intent's p99 fires one
 * alert while it runs; below it, without a baseline, or once finished, nothing; memory is bounded.
 */
class RunawayDetectorTest {

  private static final long CENT = 10_000_000L; // nano-dollars
  private final Instant t0 = Instant.parse("2026-12-06T00:00:00Z");
  private final SteppingClock clock = new SteppingClock(t0);
  private final List<Alert> alerts = new ArrayList<>();
  private final Set<String> claimed = new HashSet<>();
  private final RunawayDetector detector = new RunawayDetector(
      RunawayDetector.Settings.defaults(), clock, (k, exp) -> claimed.add(k), alerts::add);

  /** 29 workflows of $0.10 in 4 calls and one of $0.14 in 5: p99 (nearest rank 30) = max. */
  private void baseline(String intent) {
    for (int i = 0; i < 30; i++) {
      String wf = intent + "-done-" + i;
      detector.named(wf, intent);
      int calls = i == 7 ? 5 : 4;
      long total = i == 7 ? 14 * CENT : 10 * CENT;
      for (int c = 0; c < calls; c++) {
        detector.call(wf, clock.instant(), c == 0 ? total - (calls - 1) * 2 * CENT : 2 * CENT);
      }
      detector.finished(wf, intent);
    }
  }

  @Test
  void aWorkflowPastThreeTimesItsIntentsP99SpendAlertsOnceWhileRunning() {
    baseline("triage");
    assertThat(detector.running()).isZero();
    Instant start = clock.instant();
    detector.named("run-1", "triage");
    // 8 calls of $0.05 = $0.40: under 3 x $0.14 = $0.42, and 8 calls under 3 x 5 = 15
    for (int i = 0; i < 8; i++) {
      detector.call("run-1", clock.instant(), 5 * CENT);
      clock.advance(Duration.ofSeconds(10));
      detector.tick();
    }
    assertThat(alerts).isEmpty();
    // the 9th: $0.45 > $0.42
    detector.call("run-1", clock.instant(), 5 * CENT);
    detector.tick();
    assertThat(alerts).hasSize(1);
    Alert a = alerts.get(0);
    assertThat(a.kind()).isEqualTo(Alert.Kind.RUNAWAY);
    assertThat(a.dedupKey()).isEqualTo("runaway|run-1");
    assertThat(a.who()).isEqualTo("workflow run-1 (intent triage)");
    assertThat(a.amountUsd()).isEqualTo("0.450000000");
    assertThat(a.since()).isEqualTo(start);
    assertThat(a.fields()).containsEntry("p99_usd", "0.140000000")
        .containsEntry("p99_calls", "5").containsEntry("calls", "9")
        .containsEntry("trigger", "spend").containsEntry("baseline_workflows", "30")
        .containsEntry("multiple", "3");
    // it keeps running and spending: no second alert
    for (int i = 0; i < 20; i++) {
      detector.call("run-1", clock.instant(), 5 * CENT);
      clock.advance(Duration.ofSeconds(10));
      detector.tick();
    }
    assertThat(alerts).hasSize(1);
    // finished: no longer running, and its totals ($1.45, 29 calls) join the baseline
    detector.finished("run-1", "triage");
    assertThat(detector.running()).isZero();
    assertThat(detector.spendOf("run-1")).isEqualTo(-1);
  }

  @Test
  void callsAloneTripItAndAnIntentWithoutEnoughHistoryNever() {
    baseline("triage");
    for (int i = 0; i < 19; i++) {
      detector.named("young-" + i, "fresh");
      detector.call("young-" + i, clock.instant(), CENT);
      detector.finished("young-" + i, "fresh");
    }
    detector.named("loop", "triage");
    detector.named("new", "fresh");
    // unpriced calls (cost 0): 15 calls is not more than 3 x 5; 16 is
    for (int i = 0; i < 15; i++) {
      detector.call("loop", clock.instant(), 0);
      detector.call("new", clock.instant(), 100 * CENT);
    }
    detector.tick();
    assertThat(alerts).isEmpty();
    detector.call("loop", clock.instant(), 0);
    detector.tick();
    assertThat(alerts).hasSize(1);
    assertThat(alerts.get(0).fields()).containsEntry("trigger", "calls")
        .containsEntry("calls", "16");
    assertThat(alerts.get(0).amountUsd()).isEqualTo("0.000000000");
    // "fresh" has 19 finished workflows (< 20): its $15 workflow is not judged
    assertThat(alerts).extracting(Alert::dedupKey).containsExactly("runaway|loop");
  }

  @Test
  void anAlertClaimedBeforeIsNotSentAgain() {
    baseline("triage");
    claimed.add("runaway|run-2"); // e.g. sent before a restart, or by another collector
    detector.named("run-2", "triage");
    detector.call("run-2", clock.instant(), 100 * CENT);
    detector.tick();
    assertThat(alerts).isEmpty();
  }

  @Test
  void runningWorkflowsAreBoundedAndIdleOnesForgotten() {
    RunawayDetector small = new RunawayDetector(new RunawayDetector.Settings(
        BigDecimal.valueOf(3), 20, 200, 10, 3, Duration.ofHours(1)), clock,
        (k, exp) -> true, alerts::add);
    for (int i = 0; i < 5; i++) {
      small.call("wf-" + i, clock.instant(), CENT);
    }
    assertThat(small.running()).isEqualTo(3);
    assertThat(small.forgotten()).isEqualTo(2);
    assertThat(small.spendOf("wf-0")).isEqualTo(-1); // the least recently active went first
    assertThat(small.spendOf("wf-4")).isEqualTo(CENT);
    clock.advance(Duration.ofMinutes(61));
    small.call("wf-4", clock.instant(), CENT);
    small.tick();
    assertThat(small.running()).isEqualTo(1); // wf-2 and wf-3 idle for more than an hour
    assertThat(small.spendOf("wf-4")).isEqualTo(2 * CENT);
  }
}
