package io.flowcost.collector.alert;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The sent-alert keys: once per key, across a restart, and bounded in a long run. */
class FiredAlertsTest {

  private static final Instant T0 = Instant.parse("2026-12-06T00:00:00Z");

  @TempDir Path dir;

  @Test
  void aKeyIsClaimedOnceAndStaysClaimedAcrossARestartUntilItExpires() throws Exception {
    SteppingClock clock = new SteppingClock(T0);
    Path file = dir.resolve("alerts-fired");
    FiredAlerts fired = FiredAlerts.load(file, clock);
    assertThat(fired.claim("cap|w1", T0.plus(Duration.ofDays(2)))).isTrue();
    assertThat(fired.claim("cap|w1", T0.plus(Duration.ofDays(2)))).isFalse();

    FiredAlerts restarted = FiredAlerts.load(file, clock);
    assertThat(restarted.claim("cap|w1", T0.plus(Duration.ofDays(2)))).isFalse();

    clock.advance(Duration.ofDays(2));
    assertThat(FiredAlerts.load(file, clock).claim("cap|w1", T0.plus(Duration.ofDays(4))))
        .isTrue();
  }

  /**
   * A collector that runs for weeks sends an alert key of its own for every breach and window;
   * without pruning it held every key it ever sent, in memory and in the file, until a restart.
   */
  @Test
  void expiredKeysAreDroppedFromMemoryAndTheFileWhileTheCollectorRuns() throws Exception {
    SteppingClock clock = new SteppingClock(T0);
    Path file = dir.resolve("alerts-fired");
    int perDay = 16; // alerts a day, each kept two days (each claim forces the file: few here)
    FiredAlerts fired = FiredAlerts.load(file, clock, perDay);
    int days = 10;
    int maxHeld = 0;
    for (int day = 0; day < days; day++) {
      for (int i = 0; i < perDay; i++) {
        assertThat(fired.claim("breach|" + day + "|" + i, clock.instant().plus(Duration.ofDays(2))))
            .isTrue();
        maxHeld = Math.max(maxHeld, fired.held());
      }
      clock.advance(Duration.ofDays(1));
    }
    // at most the keys of the last two days and the day before a pruning caught up, not ten
    // days' worth
    assertThat(maxHeld).isLessThanOrEqualTo(4 * perDay);
    long lines = Files.readAllLines(file, StandardCharsets.UTF_8).size();
    assertThat(lines).isLessThanOrEqualTo(4L * perDay).isGreaterThanOrEqualTo(fired.held());

    // the keys still in force stay claimed, in memory and after a restart
    String recent = "breach|" + (days - 1) + "|7";
    assertThat(fired.claim(recent, clock.instant().plus(Duration.ofDays(1)))).isFalse();
    assertThat(FiredAlerts.load(file, clock).claim(recent, clock.instant().plus(Duration.ofDays(1))))
        .isFalse();
    // an expired one may be sent again
    assertThat(fired.claimed("breach|0|7")).isFalse();
  }
}
