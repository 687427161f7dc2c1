package io.flowcost.agent.prices;

import io.flowcost.agent.caps.CallCostEstimator;
import io.flowcost.agent.usage.Usage;
import io.flowcost.pricing.CallPricer;
import io.flowcost.pricing.PriceResult;
import io.flowcost.pricing.TokenUsage;
import java.math.BigDecimal;
import java.time.Clock;
import java.util.Objects;

/**
 * A {@link CallCostEstimator} over one price catalog: the collector's pricer
 * ({@link CallPricer#priceModelCall(String, String, String, java.time.Instant, TokenUsage)}), so a
 * call costs in the agent what it costs in the lake. Reads memory only.
 */
public final class CatalogCostEstimator implements CallCostEstimator {

  private final CallPricer pricer;
  private final String origin;
  private final Clock clock;

  /**
   * @param pricer the pricer over the catalog in effect
   * @param origin where the catalog came from ({@code bundled}, {@code collector}), for logs
   */
  public CatalogCostEstimator(CallPricer pricer, String origin) {
    this(pricer, origin, Clock.systemUTC());
  }

  CatalogCostEstimator(CallPricer pricer, String origin, Clock clock) {
    this.pricer = Objects.requireNonNull(pricer, "pricer");
    this.origin = Objects.requireNonNull(origin, "origin");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** The catalog's version, e.g. {@code 2026-11-24.1+litellm-1.110.2+acme-1}. */
  public String catalogVersion() {
    return pricer.catalog().version();
  }

  /** {@code bundled} or {@code collector}. */
  public String origin() {
    return origin;
  }

  @Override
  public BigDecimal cost(String provider, String requestModel, String responseModel, Usage usage) {
    TokenUsage tokens;
    try {
      tokens = TokenUsage.builder()
          .input(n(usage.inputTokens()))
          .cacheRead(n(usage.cacheReadTokens()))
          .cacheWrite(n(usage.cacheWriteTokens()))
          .cacheWrite1h(n(usage.cacheWrite1hTokens()))
          .output(n(usage.outputTokens()))
          .reasoning(n(usage.reasoningTokens()))
          .serviceTier(usage.serviceTier())
          .build();
    } catch (IllegalArgumentException e) {
      return null; // inconsistent counts (a part above its whole): the collector cannot price it either
    }
    PriceResult r = pricer.priceModelCall(provider, responseModel, requestModel, clock.instant(),
        tokens);
    return r.unpriced() ? null : r.costUsd();
  }

  private static long n(Long v) {
    return v == null ? 0 : v;
  }
}
