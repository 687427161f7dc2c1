package io.flowcost.agent.caps;

import io.flowcost.agent.usage.Usage;
import java.math.BigDecimal;

/**
 * Prices one finished model call for {@code max-cost-usd} caps. Implementations never touch the
 * network: they read a catalog the agent already holds (fetched off the application's threads).
 */
public interface CallCostEstimator {

  /** Prices nothing: cost caps stay inactive until a catalog is installed. */
  CallCostEstimator NONE = (provider, requestModel, responseModel, usage) -> null;

  /**
   * The call's cost in USD, or {@code null} when it cannot be priced (unknown model, no catalog).
   *
   * @param provider the provider ({@code openai}, …), may be {@code null}
   * @param requestModel the model requested, may be {@code null}
   * @param responseModel the model that answered, may be {@code null}
   * @param usage the call's usage, summed over its billed attempts
   */
  BigDecimal cost(String provider, String requestModel, String responseModel, Usage usage);
}
