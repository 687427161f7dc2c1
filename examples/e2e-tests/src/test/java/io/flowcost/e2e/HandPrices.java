package io.flowcost.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;

/**
 * List prices per million tokens of the demo's models, written here by hand from the providers'
 * public pricing pages (openai.com/api/pricing, anthropic.com/pricing, checked 2026-11-24;
 * Gemini's from ai.google.dev/gemini-api/docs/pricing as published since mid-2025, not re-read
 * from this machine, which has no web access) —
 * deliberately not read from the collector's catalog, so the test checks the catalog and the
 * pricer instead of repeating them.
 */
final class HandPrices {

  /** input, cache read, 5-minute cache write, 1-hour cache write, output. */
  record Price(String input, String cacheRead, String cacheWrite5m, String cacheWrite1h,
      String output) {}

  static final Map<String, Price> PRICES = Map.ofEntries(
      Map.entry("gpt-4o-mini", new Price("0.15", "0.075", "0", "0", "0.60")),
      Map.entry("gpt-4o", new Price("2.50", "1.25", "0", "0", "10.00")),
      Map.entry("gpt-4.1", new Price("2.00", "0.50", "0", "0", "8.00")),
      Map.entry("claude-sonnet-4-5", new Price("3.00", "0.30", "3.75", "6.00", "15.00")),
      Map.entry("text-embedding-3-small", new Price("0.02", "0", "0", "0", "0")),
      // the cost-cap runaway's pricey reasoning model (below its 272k-token tier; no cache
      // price used): $30 / $180 per million, as LiteLLM 1.110.2's map lists it
      // (pricing/src/test/resources/litellm/model_prices_selected.json: 3e-05 and 0.00018 a token)
      Map.entry("gpt-5.5-pro", new Price("30", "0", "0", "0", "180")),
      // Gemini Developer API, paid tier, text, prompts up to 200k tokens
      // (ai.google.dev/gemini-api/docs/pricing): thinking tokens are billed as output; context
      // caching's read price; no cache-write price (storage is billed per hour, not per call)
      Map.entry("gemini-2.5-pro", new Price("1.25", "0.125", "0", "0", "10.00")),
      Map.entry("gemini-2.5-flash", new Price("0.30", "0.03", "0", "0", "2.50")),
      Map.entry("gemini-2.5-flash-lite", new Price("0.10", "0.01", "0", "0", "0.40")),
      // Bedrock on-demand list prices (aws.amazon.com/bedrock/pricing, us-east-1, checked
      // 2026-11-24): a geographic cross-region profile (us.) costs 10% more than the in-region
      // model; an inference-profile ARN bills as the profile it names
      Map.entry("anthropic.claude-sonnet-4-5-20250929-v1:0",
          new Price("3.00", "0.30", "3.75", "6.00", "15.00")),
      Map.entry("us.anthropic.claude-haiku-4-5-20251001-v1:0",
          new Price("1.10", "0.11", "1.375", "2.20", "5.50")),
      Map.entry("arn:aws:bedrock:us-east-1:123456789012:inference-profile/"
          + "us.anthropic.claude-haiku-4-5-20251001-v1:0",
          new Price("1.10", "0.11", "1.375", "2.20", "5.50")),
      Map.entry("amazon.nova-lite-v1:0", new Price("0.06", "0.015", "0", "0", "0.24")));

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

  /** What {@link #checkPricedAttempts} checked: the hand-priced total and the number of rows. */
  record Checked(BigDecimal total, int rows) {}

  /**
   * Asserts that every attempt with usage in the lake's {@code calls} view costs its hand price to
   * the nano-dollar, is priced, and names its catalog version.
   */
  static Checked checkPricedAttempts(Connection duck) throws SQLException {
    BigDecimal total = BigDecimal.ZERO;
    int rows = 0;
    try (Statement st = duck.createStatement(); ResultSet rs = st.executeQuery(
        "SELECT request_model, input_tokens, cache_read_tokens, cache_write_tokens,"
            + " cache_write_1h_tokens, output_tokens, cost_usd, unpriced, catalog_version"
            + " FROM calls WHERE kind IN ('model', 'embedding') AND input_tokens IS NOT NULL")) {
      while (rs.next()) {
        BigDecimal hand = cost(rs.getString(1), rs.getLong(2), rs.getLong(3), rs.getLong(4),
            rs.getLong(5), rs.getLong(6));
        assertThat(rs.getBigDecimal(7)).as(rs.getString(1)).isEqualByComparingTo(hand);
        assertThat(rs.getBoolean(8)).isFalse();
        assertThat(rs.getString(9)).isNotBlank();
        total = total.add(hand);
        rows++;
      }
    }
    return new Checked(total, rows);
  }
}
