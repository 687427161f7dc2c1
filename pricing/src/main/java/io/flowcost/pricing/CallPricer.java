package io.flowcost.pricing;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * Prices calls against one {@link PriceCatalog} (DESIGN.md "Tokens and cost").
 *
 * <pre>
 * cost = (input − cacheRead − cacheWrite) × input_price
 *      + cacheRead × cache_read_price
 *      + (cacheWrite − cacheWrite1h) × cache_write_5m_price
 *      + cacheWrite1h × cache_write_1h_price
 *      + output × output_price
 *      + per_call
 * </pre>
 * Prices are per million tokens. Every term is exact; the sum is rounded once, HALF_EVEN, to 9
 * decimals. The context tier is chosen by {@code input} tokens; the service tier the provider
 * reported ({@code batch}, {@code flex}, {@code priority}) applies when the entry prices it,
 * anything else ({@code default}, {@code standard}, {@code auto}, null) is standard.
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class CallPricer {

  /** Scale of every USD amount Flowcost stores: DECIMAL(18,9). */
  public static final int SCALE = 9;

  private final PriceCatalog catalog;
  private final ModelResolver resolver;

  /** A pricer over {@code catalog} using the catalog's own resolver. */
  public CallPricer(PriceCatalog catalog) {
    this(catalog, catalog.resolver());
  }

  /**
   * A pricer over {@code catalog} with a custom resolver, e.g. one with Azure deployment
   * aliases: {@code catalog.resolver().withDeploymentAliases(map)}.
   */
  public CallPricer(PriceCatalog catalog, ModelResolver resolver) {
    this.catalog = Objects.requireNonNull(catalog, "catalog");
    this.resolver = Objects.requireNonNull(resolver, "resolver");
  }

  /** The catalog this pricer uses. */
  public PriceCatalog catalog() {
    return catalog;
  }

  /**
   * Prices a model (chat / completion / responses) call.
   *
   * @param provider the provider as reported, or null
   * @param model the model as reported (response model preferred over request model)
   * @param at when the call started; picks the catalog entry in force
   * @param usage normalised token counts
   * @return the price; unpriced when the model is not in the catalog at {@code at}
   */
  public PriceResult priceModelCall(String provider, String model, Instant at, TokenUsage usage) {
    Objects.requireNonNull(at, "at");
    Objects.requireNonNull(usage, "usage");
    Optional<String> key = resolver.resolve(provider, model);
    if (key.isEmpty()) {
      return PriceResult.unpriced(catalog.version());
    }
    Optional<ModelPrice> entry = catalog.entryAt(key.get(), at);
    if (entry.isEmpty()) {
      return PriceResult.unpriced(catalog.version());
    }
    return price(entry.get(), usage);
  }

  /**
   * Prices a model call by the model that answered, else by the model requested: a response
   * model the catalog does not know (a dated snapshot, a deployment name) falls back to the
   * requested one. This is how the collector prices call rows and the agent prices calls for
   * {@code max-cost-usd} caps.
   *
   * @param responseModel the model that answered, or null
   * @param requestModel the model requested, or null
   * @return the first priced result; unpriced (this catalog's version) when neither is priced
   */
  public PriceResult priceModelCall(String provider, String responseModel, String requestModel,
      Instant at, TokenUsage usage) {
    PriceResult result = null;
    for (String model : new String[] {responseModel, requestModel}) {
      if (model == null) {
        continue;
      }
      result = priceModelCall(provider, model, at, usage);
      if (!result.unpriced()) {
        return result;
      }
    }
    return result != null ? result : PriceResult.unpriced(catalog.version());
  }

  /**
   * Prices an embedding call: the same formula, where normally only input tokens occur.
   *
   * @see #priceModelCall(String, String, Instant, TokenUsage)
   */
  public PriceResult priceEmbeddingCall(String provider, String model, Instant at,
      TokenUsage usage) {
    return priceModelCall(provider, model, at, usage);
  }

  /**
   * Prices a named server-side tool call (e.g. {@code anthropic.web_search}): the catalog's
   * per-call price, else 0 — priced, never unpriced.
   */
  public PriceResult priceToolCall(String toolName, Instant at) {
    Objects.requireNonNull(at, "at");
    Optional<ToolPrice> tool = toolName == null ? Optional.empty() : catalog.toolAt(toolName, at);
    return tool.map(t -> perCall("tool", "tool/" + t.name(), t.perCall()))
        .orElseGet(() -> perCall("tool", null, BigDecimal.ZERO));
  }

  /**
   * Prices a plain HTTP call by the first matching host/path rule, else 0 — priced, never
   * unpriced.
   */
  public PriceResult priceHttpCall(String host, String path, Instant at) {
    Objects.requireNonNull(at, "at");
    Optional<HttpRule> rule = host == null ? Optional.empty() : catalog.httpRuleAt(host, path, at);
    return rule.map(r -> perCall("http", r.key(), r.perRequest()))
        .orElseGet(() -> perCall("http", null, BigDecimal.ZERO));
  }

  private PriceResult perCall(String label, String key, BigDecimal price) {
    List<CostTerm> terms = price.signum() == 0 ? List.of() : List.of(
        new CostTerm(label, 1, price, price));
    return new PriceResult(round(price), false, round(BigDecimal.ZERO), round(BigDecimal.ZERO),
        catalog.version(), key, terms);
  }

  private PriceResult price(ModelPrice entry, TokenUsage u) {
    StringBuilder key = new StringBuilder(entry.key());
    Prices p = entry.prices();
    ModelPrice.Tier tier = entry.tierFor(u.input());
    if (tier != null) {
      p = tier.prices();
      key.append('@').append(tier.label());
    }
    String serviceTier = normaliseServiceTier(u.serviceTier());
    // A context tier may price a service tier itself (LiteLLM's "_above_272k_tokens_priority");
    // otherwise the entry's service tier applies to the context tier's prices.
    ModelPrice.ServiceTier st = serviceTier == null ? null
        : tier != null && tier.serviceTiers().containsKey(serviceTier)
            ? tier.serviceTiers().get(serviceTier)
            : entry.serviceTiers().get(serviceTier);
    if (st != null) {
      p = st.apply(p);
      key.append('@').append(serviceTier);
    }

    List<CostTerm> terms = new ArrayList<>(6);
    BigDecimal total = BigDecimal.ZERO;
    total = total.add(term(terms, "input", u.uncachedInput(), p.input()));
    total = total.add(term(terms, "cache_read", u.cacheRead(), p.effectiveCacheRead()));
    total = total.add(term(terms, "cache_write_5m", u.cacheWrite5m(), p.effectiveCacheWrite5m()));
    total = total.add(term(terms, "cache_write_1h", u.cacheWrite1h(), p.effectiveCacheWrite1h()));
    total = total.add(term(terms, "output", u.output(), p.effectiveOutput()));
    BigDecimal fee = p.effectivePerCall();
    if (fee.signum() != 0) {
      terms.add(new CostTerm("per_call", 1, fee, fee));
      total = total.add(fee);
    }

    BigDecimal gross = perMillion(u.cacheRead(), p.input().subtract(p.effectiveCacheRead()));
    BigDecimal premium5m = perMillion(u.cacheWrite5m(),
        p.effectiveCacheWrite5m().subtract(p.input()));
    BigDecimal premium1h = perMillion(u.cacheWrite1h(),
        p.effectiveCacheWrite1h().subtract(p.input()));
    BigDecimal net = gross.subtract(premium5m).subtract(premium1h);
    return new PriceResult(round(total), false, round(gross), round(net), catalog.version(),
        key.toString(), terms);
  }

  private static BigDecimal term(List<CostTerm> terms, String label, long tokens,
      BigDecimal pricePerMillion) {
    if (tokens == 0) {
      return BigDecimal.ZERO;
    }
    BigDecimal amount = perMillion(tokens, pricePerMillion);
    terms.add(new CostTerm(label, tokens, pricePerMillion, amount));
    return amount;
  }

  /** tokens × price / 1,000,000, exactly (moving the decimal point never rounds). */
  private static BigDecimal perMillion(long tokens, BigDecimal pricePerMillion) {
    return BigDecimal.valueOf(tokens).multiply(pricePerMillion).movePointLeft(6);
  }

  private static BigDecimal round(BigDecimal v) {
    return v.setScale(SCALE, RoundingMode.HALF_EVEN);
  }

  /**
   * Maps a reported service tier to {@code batch}, {@code flex} or {@code priority}, or null
   * for standard. OpenAI reports {@code fast} requests as priority; Bedrock reports
   * {@code reserved} capacity, which is not billed per token at list price, as standard here.
   */
  static String normaliseServiceTier(String reported) {
    if (reported == null) {
      return null;
    }
    switch (reported.trim().toLowerCase(Locale.ROOT)) {
      case "batch":
      case "batches":
        return "batch";
      case "flex":
        return "flex";
      case "priority":
      case "fast":
        return "priority";
      default:
        return null;
    }
  }
}
