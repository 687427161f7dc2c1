package io.flowcost.collector.alert;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The burn-rate rule over simulated time: a 10x spike fires once; noise and cents do not. */
class BurnRateDetectorTest {

  private static final long CENT = 10_000_000L; // nano-dollars
  private final SteppingClock clock = new SteppingClock(Instant.parse("2026-12-06T00:00:00Z"));
  private final List<Alert> alerts = new ArrayList<>();
  private final Set<String> claimed = new HashSet<>();
  private final BurnRateDetector detector = new BurnRateDetector(
      BurnRateDetector.Settings.defaults(), clock, (k, exp) -> claimed.add(k), alerts::add);

  /** One 5-minute window: {@code calls} calls of {@code each} nano-dollars, ticks in between. */
  private void window(String intent, int calls, long each) {
    for (int i = 0; i < calls; i++) {
      detector.spent(intent, clock.instant(), each);
      clock.advance(Duration.ofSeconds(10));
      detector.tick();
    }
    clock.advance(Duration.ofMinutes(5).minusSeconds(10L * calls));
    detector.tick();
  }

  @Test
  void aTenfoldSpikeFiresOneAlertWhileItLastsAndNoneBeforeOrAfter() {
    // baseline: $0.50 per window, with some noise, for two hours
    for (int w = 0; w < 24; w++) {
      window("triage", 5, (w % 3 == 0 ? 12 : 9) * CENT);
    }
    assertThat(alerts).isEmpty();
    // spike: 10x the usual ($5 a window) for two windows in a row
    window("triage", 10, 50 * CENT);
    window("triage", 10, 50 * CENT);
    assertThat(alerts).hasSize(1);
    Alert a = alerts.get(0);
    assertThat(a.kind()).isEqualTo(Alert.Kind.BURN_RATE);
    assertThat(a.who()).isEqualTo("intent triage");
    // fired in the spike's first window, as soon as it crossed 5 x the median ($0.45) and $1
    assertThat(a.since()).isEqualTo(Instant.parse("2026-12-06T02:00:00Z"));
    assertThat(a.fields().get("baseline_usd")).isEqualTo("0.450000000");
    assertThat(a.amountUsd()).isEqualTo("2.500000000"); // 5 calls of $0.50 > 5 x 0.45 and > $1
    // back to normal: nothing more
    for (int w = 0; w < 6; w++) {
      window("triage", 5, 10 * CENT);
    }
    assertThat(alerts).hasSize(1);
  }

  /**
   * A producer's clock far off stamps each call with a window of its own; such windows were kept
   * until their time came (years ahead at worst), one map entry per distinct start.
   */
  @Test
  void callsStampedFarFromNowHoldNoWindowCallsNearNowDo() {
    for (int i = 0; i < 1000; i++) {
      detector.spent("triage", clock.instant().plus(Duration.ofDays(365 + i)), CENT);
      detector.spent("triage", clock.instant().minus(Duration.ofDays(1 + i)), CENT);
    }
    assertThat(detector.windowsHeld()).isZero();
    detector.spent("triage", clock.instant(), CENT);
    detector.spent("triage", clock.instant().plus(Duration.ofMinutes(30)), CENT); // a bit ahead
    detector.spent("triage", clock.instant().minus(Duration.ofMinutes(90)), CENT); // in the baseline
    assertThat(detector.windowsHeld()).isEqualTo(3);
    detector.tick();
    assertThat(alerts).isEmpty();
  }

  @Test
  void aQuietIntentsCentsAndANewIntentDoNotAlert() {
    for (int w = 0; w < 12; w++) {
      window("lookup", 1, CENT / 10); // $0.001 a window
    }
    window("lookup", 10, CENT / 10 * 10); // 100x, but $0.10: under the $1 floor
    // a new intent has no baseline yet: its first big window is not an anomaly
    window("fresh", 10, 100 * CENT);
    assertThat(alerts).isEmpty();
  }
}
