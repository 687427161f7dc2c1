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
  /**
   * Resolutions of reported model names ({@link ModelResolver#resolve} runs regular expressions
   * and builds lists: the same few names come with every call). Bounded: names come from
   * requests, so past {@link #MAX_RESOLVED} new names are resolved each time, never remembered.
   */
  private final java.util.concurrent.ConcurrentHashMap<ModelName, Optional<String>> resolved =
      new java.util.concurrent.ConcurrentHashMap<>();
  /** Each entry's prices per context tier and service tier, as {@link #rates} applies them. */
  private final java.util.concurrent.ConcurrentHashMap<ModelPrice, Rates[]> rates =
      new java.util.concurrent.ConcurrentHashMap<>();
  static final int MAX_RESOLVED = 10_000;

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
    return priceModelCall(provider, model, at, usage, true);
  }

  private PriceResult priceModelCall(String provider, String model, Instant at, TokenUsage usage,
      boolean withTerms) {
    Objects.requireNonNull(at, "at");
    Objects.requireNonNull(usage, "usage");
    Optional<String> key = resolve(provider, model);
    if (key.isEmpty()) {
      return PriceResult.unpriced(catalog.version());
    }
    Optional<ModelPrice> entry = catalog.entryAt(key.get(), at);
    if (entry.isEmpty()) {
      return PriceResult.unpriced(catalog.version());
    }
    return withTerms ? price(entry.get(), usage) : totals(entry.get(), usage);
  }

  private Optional<String> resolve(String provider, String model) {
    ModelName name = new ModelName(provider, model);
    Optional<String> key = resolved.get(name);
    if (key == null) {
      key = resolver.resolve(provider, model);
      if (resolved.size() < MAX_RESOLVED) {
        resolved.putIfAbsent(name, key);
      }
    }
    return key;
  }

  /** A reported provider and model name (either may be null). */
  private record ModelName(String provider, String model) {}

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
    return priceModelCall(provider, responseModel, requestModel, at, usage, true);
  }

  /**
   * {@link #priceModelCall(String, String, String, Instant, TokenUsage)} for a stored row: the
   * same cost and savings, to the nano-dollar, computed in exact integer arithmetic where the
   * prices allow it (any price with at most 12 decimals, sums within a long), without listing
   * the terms ({@link PriceResult#terms()} empty). This is how the collector prices every call.
   */
  public PriceResult priceModelCallTotals(String provider, String responseModel,
      String requestModel, Instant at, TokenUsage usage) {
    return priceModelCall(provider, responseModel, requestModel, at, usage, false);
  }

  private PriceResult priceModelCall(String provider, String responseModel, String requestModel,
      Instant at, TokenUsage usage, boolean withTerms) {
    PriceResult result = null;
    for (String model : new String[] {responseModel, requestModel}) {
      if (model == null) {
        continue;
      }
      result = priceModelCall(provider, model, at, usage, withTerms);
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

  /**
   * The prices that apply to a call of {@code entry} with {@code inputTokens} at the reported
   * service tier, and the price key naming them (context tier, then service tier).
   */
  private Rates rates(ModelPrice entry, long inputTokens, String reportedServiceTier) {
    ModelPrice.Tier tier = entry.tierFor(inputTokens);
    String serviceTier = normaliseServiceTier(reportedServiceTier);
    int slot = (tier == null ? 0 : 1 + entry.tiers().indexOf(tier)) * SERVICE_TIERS.size()
        + SERVICE_TIERS.indexOf(serviceTier);
    Rates[] table = this.rates.computeIfAbsent(entry,
        e -> new Rates[(e.tiers().size() + 1) * SERVICE_TIERS.size()]);
    Rates r = table[slot];
    if (r == null) {
      StringBuilder key = new StringBuilder(entry.key());
      Prices p = entry.prices();
      if (tier != null) {
        p = tier.prices();
        key.append('@').append(tier.label());
      }
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
      r = new Rates(p, key.toString(), ExactRates.of(p));
      table[slot] = r; // a race computes the same value twice, harmlessly
    }
    return r;
  }

  /** The service tiers {@link #normaliseServiceTier} yields, standard (null) first. */
  private static final List<String> SERVICE_TIERS =
      java.util.Arrays.asList(null, "batch", "flex", "priority");

  /**
   * One entry's prices for one context and service tier.
   *
   * @param exact the same prices as integers, or null when they cannot be (more than 12
   *     decimals, or too large)
   */
  private record Rates(Prices prices, String key, ExactRates exact) {}

  private PriceResult price(ModelPrice entry, TokenUsage u) {
    Rates rates = rates(entry, u.input(), u.serviceTier());
    Prices p = rates.prices();
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
        rates.key(), terms);
  }

  /**
   * The cost and savings {@link #price} computes, without terms, in exact integer arithmetic
   * when the prices allow it (else by {@link #price} itself).
   */
  private PriceResult totals(ModelPrice entry, TokenUsage u) {
    Rates rates = rates(entry, u.input(), u.serviceTier());
    long[] nanos = rates.exact() == null ? null : rates.exact().nanos(u);
    if (nanos == null) {
      PriceResult full = price(entry, u);
      return new PriceResult(full.costUsd(), false, full.cacheSavingsGrossUsd(),
          full.cacheSavingsNetUsd(), full.catalogVersion(), full.priceKey(), List.of());
    }
    return new PriceResult(BigDecimal.valueOf(nanos[0], SCALE), false,
        BigDecimal.valueOf(nanos[1], SCALE), BigDecimal.valueOf(nanos[2], SCALE),
        catalog.version(), rates.key(), List.of());
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
