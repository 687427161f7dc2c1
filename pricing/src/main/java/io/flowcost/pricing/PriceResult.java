package io.flowcost.pricing;

import java.math.BigDecimal;
import java.util.List;
import java.util.Objects;

/**
 * The price of one call.
 *
 * <p>A priced result has {@link #costUsd()} and the cache savings at scale 9. An unpriced one
 * (model not in the catalog) has them {@code null} and {@link #unpriced()} {@code true} — never
 * 0, so sums can tell "free" from "unknown".
 *
 * @param costUsd the call's cost in USD, HALF_EVEN at scale 9, or {@code null} when unpriced
 * @param unpriced whether the model was not found in the catalog
 * @param cacheSavingsGrossUsd cache read × (input − cache-read price), scale 9, or null
 * @param cacheSavingsNetUsd gross savings − the cache-write premium paid, scale 9, or null
 * @param catalogVersion version of the catalog used (recorded on the row)
 * @param priceKey the entry used, e.g. {@code gemini/gemini-2.5-pro@above_200k@batch}, or
 *     {@code null} when unpriced or when no tool/http price matched
 * @param terms the cost's terms, exact and unrounded, for display; empty when unpriced, and from
 *     {@link CallPricer#priceModelCallTotals} (which computes the totals only)
 */
public record PriceResult(BigDecimal costUsd, boolean unpriced, BigDecimal cacheSavingsGrossUsd,
    BigDecimal cacheSavingsNetUsd, String catalogVersion, String priceKey,
    List<CostTerm> terms) {

  /** Validates the result and copies the terms. */
  public PriceResult {
    Objects.requireNonNull(catalogVersion, "catalogVersion");
    terms = List.copyOf(terms);
    if (unpriced != (costUsd == null)) {
      throw new IllegalArgumentException("costUsd must be null exactly when unpriced");
    }
  }

  /** An unpriced result: cost and savings {@code null}. */
  public static PriceResult unpriced(String catalogVersion) {
    return new PriceResult(null, true, null, null, catalogVersion, null, List.of());
  }
}
