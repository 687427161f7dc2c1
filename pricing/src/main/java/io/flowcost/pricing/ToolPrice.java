package io.flowcost.pricing;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Locale;
import java.util.Objects;

/**
 * Per-call price of a named server-side tool (e.g. {@code anthropic.web_search}), in USD.
 *
 * @param name tool name, matched case-insensitively
 * @param perCall USD per call
 * @param effectiveFrom first instant in force, inclusive, or {@code null}
 * @param effectiveTo first instant no longer in force, exclusive, or {@code null}
 * @param source pricing page URL, or {@code null}
 */
public record ToolPrice(String name, BigDecimal perCall, Instant effectiveFrom,
    Instant effectiveTo, String source) {

  /** Validates and normalises the name to lower case. */
  public ToolPrice {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("tool name is required");
    }
    name = name.trim().toLowerCase(Locale.ROOT);
    Objects.requireNonNull(perCall, "per_call");
    if (perCall.signum() < 0) {
      throw new IllegalArgumentException("per_call must be >= 0");
    }
  }

  /** Whether this price is in force at {@code at}. */
  public boolean inForceAt(Instant at) {
    return (effectiveFrom == null || !at.isBefore(effectiveFrom))
        && (effectiveTo == null || at.isBefore(effectiveTo));
  }
}
