package io.flowcost.collector.budget;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The shared store's own memory: what it holds for credits it has sent. */
class RedisSpendStoreTest {

  @TempDir Path tmp;

  /**
   * Every day's spend of an owner is a counter of its own; once a day's credits are sent, the
   * store must not keep that counter's (zero) unsent sum, or a collector running for months would
   * keep one entry per owner and day it ever credited.
   */
  @Test
  void countersWhoseCreditsWereAllSentAreNotKept() throws Exception {
    Instant now = Instant.parse("2026-12-06T12:00:00Z");
    try (RedisServer redis = new RedisServer(tmp.resolve("redis"));
        RedisSpendStore store = new RedisSpendStore(redis.uri(), Clock.fixed(now, ZoneOffset.UTC),
            Duration.ofSeconds(15))) {
      LocalDate day = LocalDate.parse("2026-11-01");
      OwnerPeriod last = null;
      long lastSum = 0;
      for (int d = 0; d < 30; d++) {
        for (String team : List.of("payments", "search", "support")) {
          OwnerPeriod counter = new OwnerPeriod("team", team, BudgetPeriod.DAY,
              day.plusDays(d).toString());
          store.credited("span-" + d + "-" + team + "-a", List.of(counter), 1_500_000_000L);
          store.credited("span-" + d + "-" + team + "-b", List.of(counter), 250_000_001L);
          last = counter;
          lastSum = 1_750_000_001L;
        }
      }
      assertThat(store.unsentCounters()).isEqualTo(90);
      // the unsent credits count while they wait
      assertThat(store.spend(last, 0)).isEqualTo(lastSum);

      store.watch(List.of(last));
      store.sync();

      assertThat(store.waiting()).isZero();
      assertThat(store.unsentCounters()).isZero();
      // sent, and read back from the store: the same sum, now from Redis
      assertThat(store.spend(last, 0)).isEqualTo(lastSum);
    }
  }
}
