package io.flowcost.examples.demo;

import io.flowcost.examples.fakeprovider.Exchange;
import io.flowcost.examples.fakeprovider.Protocol;
import io.flowcost.pricing.CallPricer;
import io.flowcost.pricing.PriceCatalog;
import io.flowcost.pricing.PriceResult;
import io.flowcost.pricing.TokenUsage;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

/**
 * The {@code --runaway-uncapped} workload: the counterfactual of a capped runaway. It runs the
 * same tool loop as {@link RunawayScenario} with no workflow and no cap (run it without the agent)
 * until the app's own limit ends it, then prices what the fake provider answered with the bundled
 * catalog's list prices. The demo subtracts the capped run's spend (from the lake) from this figure
 * to show the money the cap saved.
 *
 * <p>Why a second run rather than an extrapolation: the fake provider answers deterministically, so
 * the first calls of this run are the capped run's calls byte for byte ({@code
 * RunawayCapEndToEndTest} checks it) and the rest are exactly the calls the cap refused — the
 * saving is measured, not projected.
 */
final class UncappedRunaway {

  /** What the uncapped loop cost. */
  record Cost(int modelCalls, BigDecimal costUsd) {}

  private UncappedRunaway() {}

  /**
   * Prices the exchanges with the bundled catalog, each as the provider reported its usage.
   *
   * @throws IllegalStateException when an exchange is not an OpenAI chat completion with usage
   *     (the runaway only makes those; anything else means the scenario changed under this code)
   */
  static Cost price(List<Exchange> exchanges, Instant at) {
    CallPricer pricer = new CallPricer(PriceCatalog.bundled());
    BigDecimal sum = BigDecimal.ZERO;
    for (Exchange e : exchanges) {
      if (e.protocol() != Protocol.OPENAI_CHAT || !e.usageSent()) {
        throw new IllegalStateException("exchange " + e.sequence() + " is " + e.protocol()
            + (e.usageSent() ? "" : " without usage") + ": only OpenAI chat calls with usage are priced");
      }
      // OpenAI's prompt_tokens counts cached tokens too, as TokenUsage's input does
      TokenUsage usage = TokenUsage.builder()
          .input(e.usageOrZero("prompt_tokens"))
          .cacheRead(e.usageOrZero("prompt_tokens_details.cached_tokens"))
          .output(e.usageOrZero("completion_tokens"))
          .reasoning(e.usageOrZero("completion_tokens_details.reasoning_tokens"))
          .build();
      PriceResult r = pricer.priceModelCall("openai", e.model(), at, usage);
      if (r.unpriced()) {
        throw new IllegalStateException("model " + e.model() + " is not in the bundled catalog");
      }
      sum = sum.add(r.costUsd());
    }
    return new Cost(exchanges.size(), sum);
  }
}
