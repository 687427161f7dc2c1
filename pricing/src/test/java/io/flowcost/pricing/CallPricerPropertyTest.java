package io.flowcost.pricing;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Random;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * Property-style checks over random usages for every model in force in the bundled catalog:
 * cost is never negative and never falls when any kind of token is added.
 */
class CallPricerPropertyTest {

  private static final Instant NOW = Instant.parse("2026-11-24T12:00:00Z");
  private static final String[] TIERS = {null, "default", "batch", "flex", "priority"};

  @Test
  void costIsNonNegativeAndMonotoneInEveryTokenCount() {
    PriceCatalog catalog = PriceCatalog.bundled();
    CallPricer pricer = new CallPricer(catalog);
    List<ModelPrice> current = catalog.models().stream().filter(m -> m.inForceAt(NOW)).toList();
    Random random = new Random(20261124L); // fixed seed: a failure is reproducible
    List<UnaryOperator<TokenUsage.Builder>> additions = List.of(
        b -> b.input(get(b).input() + 1 + random.nextInt(300_000)),
        b -> {
          long k = 1 + random.nextInt(300_000);
          TokenUsage u = get(b);
          return b.input(u.input() + k).cacheRead(u.cacheRead() + k);
        },
        b -> {
          long k = 1 + random.nextInt(300_000);
          TokenUsage u = get(b);
          return b.input(u.input() + k).cacheWrite(u.cacheWrite() + k);
        },
        b -> {
          long k = 1 + random.nextInt(300_000);
          TokenUsage u = get(b);
          return b.input(u.input() + k).cacheWrite(u.cacheWrite() + k)
              .cacheWrite1h(u.cacheWrite1h() + k);
        },
        b -> b.output(get(b).output() + 1 + random.nextInt(50_000)),
        b -> {
          long k = 1 + random.nextInt(50_000);
          TokenUsage u = get(b);
          return b.output(u.output() + k).reasoning(u.reasoning() + k);
        });

    int checks = 0;
    for (int i = 0; i < 3_000; i++) {
      ModelPrice model = current.get(random.nextInt(current.size()));
      TokenUsage base = randomUsage(random);
      PriceResult before = pricer.priceModelCall(model.provider(), model.model(), NOW, base);
      assertThat(before.unpriced()).isFalse();
      assertThat(before.costUsd()).isNotNegative();
      assertThat(before.cacheSavingsGrossUsd()).isNotNegative();
      assertThat(before.cacheSavingsNetUsd()).isLessThanOrEqualTo(before.cacheSavingsGrossUsd());
      for (UnaryOperator<TokenUsage.Builder> add : additions) {
        TokenUsage more = add.apply(base.toBuilder()).build();
        PriceResult after = pricer.priceModelCall(model.provider(), model.model(), NOW, more);
        assertThat(after.costUsd()).as("%s: %s -> %s", model.key(), base, more)
            .isGreaterThanOrEqualTo(before.costUsd());
        checks++;
      }
    }
    assertThat(checks).isEqualTo(18_000);
  }

  private static TokenUsage get(TokenUsage.Builder b) {
    return b.build();
  }

  private static TokenUsage randomUsage(Random r) {
    long cacheRead = r.nextBoolean() ? r.nextInt(250_000) : 0;
    long cacheWrite = r.nextBoolean() ? r.nextInt(100_000) : 0;
    long cacheWrite1h = cacheWrite == 0 || r.nextBoolean() ? 0 : r.nextInt((int) cacheWrite + 1);
    long input = cacheRead + cacheWrite + r.nextInt(250_000);
    long output = r.nextInt(40_000);
    long reasoning = output == 0 ? 0 : r.nextInt((int) output + 1);
    return TokenUsage.builder().input(input).cacheRead(cacheRead).cacheWrite(cacheWrite)
        .cacheWrite1h(cacheWrite1h).output(output).reasoning(reasoning)
        .serviceTier(TIERS[r.nextInt(TIERS.length)]).build();
  }
}
