package io.flowcost.e2e;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Map;

/**
 * List prices per million tokens of the demo's models, written here by hand from the providers'
 * public pricing pages (openai.com/api/pricing, anthropic.com/pricing, checked 2026-11-24) —
 * deliberately not read from the collector's catalog, so the test checks the catalog and the
 * pricer instead of repeating them.
 */
final class HandPrices {

  /** input, cache read, 5-minute cache write, 1-hour cache write, output. */
  record Price(String input, String cacheRead, String cacheWrite5m, String cacheWrite1h,
      String output) {}

  static final Map<String, Price> PRICES = Map.of(
      "gpt-4o-mini", new Price("0.15", "0.075", "0", "0", "0.60"),
      "gpt-4.1", new Price("2.00", "0.50", "0", "0", "8.00"),
      "claude-sonnet-4-5", new Price("3.00", "0.30", "3.75", "6.00", "15.00"),
      "text-embedding-3-small", new Price("0.02", "0", "0", "0", "0"));

  private static final BigDecimal MILLION = new BigDecimal(1_000_000);

  private HandPrices() {}

  /** DESIGN.md's formula, rounded once HALF_EVEN to 9 decimals. */
  static BigDecimal cost(String model, long input, long cacheRead, long cacheWrite,
      long cacheWrite1h, long output) {
    Price p = PRICES.get(model);
    if (p == null) {
      throw new IllegalArgumentException("no hand price for " + model);
    }
    BigDecimal sum = BigDecimal.valueOf(input - cacheRead - cacheWrite).multiply(new BigDecimal(p.input()))
        .add(BigDecimal.valueOf(cacheRead).multiply(new BigDecimal(p.cacheRead())))
        .add(BigDecimal.valueOf(cacheWrite - cacheWrite1h).multiply(new BigDecimal(p.cacheWrite5m())))
        .add(BigDecimal.valueOf(cacheWrite1h).multiply(new BigDecimal(p.cacheWrite1h())))
        .add(BigDecimal.valueOf(output).multiply(new BigDecimal(p.output())));
    return sum.divide(MILLION).setScale(9, RoundingMode.HALF_EVEN);
  }
}
