package io.flowcost.pricing;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link CallPricer#priceModelCallTotals} (exact nano-dollar integers) gives exactly what
 * {@link CallPricer#priceModelCall} (the {@link BigDecimal} formula) gives — cost, savings, scale,
 * price key, catalog version — for every entry of the bundled catalog at every context and
 * service tier, for random usages from none to billions of tokens; and falls back to the
 * {@link BigDecimal} formula where integers cannot hold the prices or the sums.
 */
class ExactTotalsTest {

  private static final String[] TIERS = {null, "default", "batch", "Flex", "priority", "fast"};

  @Test
  void totalsEqualTheBigDecimalFormulaForEveryEntryTierAndUsage() {
    PriceCatalog catalog = PriceCatalog.bundled();
    CallPricer pricer = new CallPricer(catalog);
    Random random = new Random(20261206L);
    int compared = 0;
    for (ModelPrice m : catalog.models()) {
      Instant at = m.effectiveFrom() != null ? m.effectiveFrom() : Instant.parse("2026-01-01T00:00:00Z");
      for (int i = 0; i < 12; i++) {
        TokenUsage u = usage(random, m).serviceTier(TIERS[random.nextInt(TIERS.length)]).build();
        compared += same(pricer, m.provider(), m.model(), at, u);
      }
    }
    assertThat(compared).isGreaterThan(catalog.models().size() * 10);
  }

  @Test
  void pricesWithManyDecimalsAndSumsBeyondALongFallBackToTheSameFigures() {
    PriceCatalog catalog = PriceCatalog.parse(("{\"version\": \"t\", \"models\": ["
        + "{\"provider\": \"p\", \"model\": \"tiny\", \"input\": \"0.0000000000001234567\","
        + " \"output\": \"3.1\"},"
        + "{\"provider\": \"p\", \"model\": \"half\", \"input\": \"0.0000005\","
        + " \"output\": \"2.5\", \"cache_read\": \"0.25\", \"per_call\": \"0.0000000015\","
        + " \"service_tiers\": {\"batch\": {\"multiplier\": \"0.5\"}}}]}")
        .getBytes(java.nio.charset.StandardCharsets.UTF_8), "exact.json");
    CallPricer pricer = new CallPricer(catalog);
    Instant at = Instant.parse("2026-01-01T00:00:00Z");
    for (TokenUsage u : List.of(
        TokenUsage.builder().input(1).output(1).build(),
        TokenUsage.builder().input(3).cacheRead(1).output(7).serviceTier("batch").build(),
        TokenUsage.builder().input(Long.MAX_VALUE / 2).output(Long.MAX_VALUE / 3).build(),
        TokenUsage.builder().input(999_999_999_999L).cacheRead(999_999_999_999L).build())) {
      same(pricer, "p", "tiny", at, u);
      same(pricer, "p", "half", at, u);
    }
    // by hand: 1 input token at $0.0000005/M is 5e-13 USD, plus the 1.5e-9 fee: 1.5000005e-9,
    // which rounds (HALF_EVEN, 9 decimals) to 2e-9; 3 tokens of output at $3.1/M are 9.3e-6
    PriceResult r = pricer.priceModelCallTotals("p", "half", null, at,
        TokenUsage.builder().input(1).build());
    assertThat(r.costUsd()).isEqualTo(new BigDecimal("0.000000002"));
    assertThat(pricer.priceModelCallTotals("p", "tiny", null, at,
        TokenUsage.builder().output(3).build()).costUsd()).isEqualTo(new BigDecimal("0.000009300"));
  }

  private static int same(CallPricer pricer, String provider, String model, Instant at,
      TokenUsage u) {
    PriceResult full = pricer.priceModelCall(provider, model, null, at, u);
    PriceResult totals = pricer.priceModelCallTotals(provider, model, null, at, u);
    assertThat(totals.unpriced()).isEqualTo(full.unpriced());
    // equals, not compareTo: the scale (9) must match too
    assertThat(totals.costUsd()).as("%s %s", model, u).isEqualTo(full.costUsd());
    assertThat(totals.cacheSavingsGrossUsd()).isEqualTo(full.cacheSavingsGrossUsd());
    assertThat(totals.cacheSavingsNetUsd()).isEqualTo(full.cacheSavingsNetUsd());
    assertThat(totals.priceKey()).isEqualTo(full.priceKey());
    assertThat(totals.catalogVersion()).isEqualTo(full.catalogVersion());
    assertThat(totals.terms()).isEmpty();
    return 1;
  }

  private static TokenUsage.Builder usage(Random r, ModelPrice m) {
    long scale = switch (r.nextInt(4)) {
      case 0 -> 100;
      case 1 -> 10_000;
      case 2 -> 1_000_000;
      default -> 2_000_000_000L;
    };
    // sometimes just above a context tier's threshold
    long input = !m.tiers().isEmpty() && r.nextBoolean()
        ? m.tiers().get(r.nextInt(m.tiers().size())).aboveInputTokens() + 1 + r.nextInt(1000)
        : (long) (r.nextDouble() * scale);
    long cacheRead = r.nextBoolean() ? (long) (r.nextDouble() * input / 2) : 0;
    long cacheWrite = r.nextBoolean() ? (long) (r.nextDouble() * (input - cacheRead)) : 0;
    long cacheWrite1h = r.nextBoolean() ? (long) (r.nextDouble() * cacheWrite) : 0;
    long output = (long) (r.nextDouble() * scale / 4);
    return TokenUsage.builder().input(input).cacheRead(cacheRead).cacheWrite(cacheWrite)
        .cacheWrite1h(cacheWrite1h).output(output).reasoning(output / 3);
  }
}
