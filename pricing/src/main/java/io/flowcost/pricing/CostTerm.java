package io.flowcost.pricing;

import java.math.BigDecimal;
import java.util.Objects;

/**
 * One term of a call's cost, e.g. {@code output: 1200 tokens × $10/M = $0.012}.
 *
 * @param label {@code input}, {@code cache_read}, {@code cache_write_5m},
 *     {@code cache_write_1h}, {@code output}, {@code per_call}, {@code tool} or {@code http}
 * @param tokens the tokens priced by this term (1 for per-call terms)
 * @param pricePerMillion USD per million tokens (for per-call terms: USD per call)
 * @param amount the exact, unrounded USD amount of this term
 */
public record CostTerm(String label, long tokens, BigDecimal pricePerMillion, BigDecimal amount) {

  /** Validates the term. */
  public CostTerm {
    Objects.requireNonNull(label, "label");
    Objects.requireNonNull(pricePerMillion, "pricePerMillion");
    Objects.requireNonNull(amount, "amount");
  }
}
