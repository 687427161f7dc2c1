package io.flowcost.pricing;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * One catalog entry: the prices of one model of one provider over one period of time.
 *
 * <p>The standard prices apply up to the first {@link Tier}; a tier's prices apply when the
 * call's {@code input_tokens} exceed its threshold (e.g. Gemini 2.5 Pro above 200k). A
 * {@link ServiceTier} (batch, flex, priority) either multiplies the chosen prices or replaces
 * them.
 */
public final class ModelPrice {

  private final String provider;
  private final String model;
  private final List<String> aliases;
  private final String kind;
  private final Instant effectiveFrom;
  private final Instant effectiveTo;
  private final String source;
  private final LocalDate sourceDate;
  private final Prices prices;
  private final List<Tier> tiers;
  private final Map<String, ServiceTier> serviceTiers;

  private ModelPrice(Builder b) {
    this.provider = requireName(b.provider, "provider");
    this.model = requireName(b.model, "model");
    this.aliases = List.copyOf(b.aliases);
    this.kind = b.kind;
    this.effectiveFrom = b.effectiveFrom;
    this.effectiveTo = b.effectiveTo;
    this.source = b.source;
    this.sourceDate = b.sourceDate;
    this.prices = Objects.requireNonNull(b.prices, "prices");
    List<Tier> sorted = new ArrayList<>(b.tiers);
    sorted.sort(Comparator.comparingLong(Tier::aboveInputTokens));
    this.tiers = List.copyOf(sorted);
    this.serviceTiers = Collections.unmodifiableMap(new LinkedHashMap<>(b.serviceTiers));
    if (effectiveFrom != null && effectiveTo != null && !effectiveTo.isAfter(effectiveFrom)) {
      throw new IllegalArgumentException("effective_to must be after effective_from for "
          + provider + "/" + model);
    }
  }

  private static String requireName(String v, String what) {
    if (v == null || v.isBlank()) {
      throw new IllegalArgumentException(what + " is required");
    }
    return v.trim().toLowerCase(Locale.ROOT);
  }

  /** Returns a new builder. */
  public static Builder builder() {
    return new Builder();
  }

  /** Provider name, lower case (e.g. {@code anthropic}, {@code bedrock}). */
  public String provider() {
    return provider;
  }

  /** Canonical model id, lower case. */
  public String model() {
    return model;
  }

  /** {@code provider/model}: the catalog key, the stem of a {@link PriceResult#priceKey()}. */
  public String key() {
    return provider + "/" + model;
  }

  /** Other names of the same model at the same price (as written in the catalog). */
  public List<String> aliases() {
    return aliases;
  }

  /** {@code chat} or {@code embedding}, or {@code null} when not stated. */
  public String kind() {
    return kind;
  }

  /** First instant these prices apply, inclusive; {@code null} = since always. */
  public Instant effectiveFrom() {
    return effectiveFrom;
  }

  /** First instant these prices no longer apply, exclusive; {@code null} = still in force. */
  public Instant effectiveTo() {
    return effectiveTo;
  }

  /** URL of the provider's public pricing page the prices were taken from. */
  public String source() {
    return source;
  }

  /** The day the prices were read from {@link #source()}. */
  public LocalDate sourceDate() {
    return sourceDate;
  }

  /** Standard prices (below the first tier, standard service tier). */
  public Prices prices() {
    return prices;
  }

  /** Context-length tiers, ascending by threshold. */
  public List<Tier> tiers() {
    return tiers;
  }

  /** Service tiers by lower-case name ({@code batch}, {@code flex}, {@code priority}). */
  public Map<String, ServiceTier> serviceTiers() {
    return serviceTiers;
  }

  /** Whether these prices are in force at {@code at}. */
  public boolean inForceAt(Instant at) {
    return (effectiveFrom == null || !at.isBefore(effectiveFrom))
        && (effectiveTo == null || at.isBefore(effectiveTo));
  }

  /** The highest tier whose threshold {@code inputTokens} exceeds, or {@code null}. */
  Tier tierFor(long inputTokens) {
    Tier chosen = null;
    for (Tier t : tiers) {
      if (inputTokens > t.aboveInputTokens()) {
        chosen = t;
      }
    }
    return chosen;
  }

  @Override
  public String toString() {
    return "ModelPrice{" + key() + ", from=" + effectiveFrom + ", to=" + effectiveTo + ", "
        + prices + '}';
  }

  /** A context-length tier: prices for calls whose input exceeds a threshold. */
  public static final class Tier {
    private final long aboveInputTokens;
    private final Prices prices;
    private final Map<String, ServiceTier> serviceTiers;

    /**
     * Creates a tier without service-tier prices of its own.
     *
     * @param aboveInputTokens the tier applies when {@code input_tokens > aboveInputTokens}
     * @param prices the tier's prices
     */
    public Tier(long aboveInputTokens, Prices prices) {
      this(aboveInputTokens, prices, Map.of());
    }

    /**
     * Creates a tier.
     *
     * @param aboveInputTokens the tier applies when {@code input_tokens > aboveInputTokens}
     * @param prices the tier's prices
     * @param serviceTiers service-tier prices that apply inside this tier (e.g. OpenAI's
     *     priority price above 272k tokens); a service tier not listed here falls back to the
     *     entry's, applied to this tier's prices
     */
    public Tier(long aboveInputTokens, Prices prices, Map<String, ServiceTier> serviceTiers) {
      if (aboveInputTokens < 0) {
        throw new IllegalArgumentException("above_input_tokens must be >= 0");
      }
      this.aboveInputTokens = aboveInputTokens;
      this.prices = Objects.requireNonNull(prices, "prices");
      Map<String, ServiceTier> m = new LinkedHashMap<>();
      serviceTiers.forEach((k, v) -> m.put(k.trim().toLowerCase(Locale.ROOT),
          Objects.requireNonNull(v)));
      this.serviceTiers = Collections.unmodifiableMap(m);
    }

    /** Service-tier prices of this context tier ({@code batch}, {@code flex}, {@code priority}). */
    public Map<String, ServiceTier> serviceTiers() {
      return serviceTiers;
    }

    /** The threshold; the tier applies strictly above it. */
    public long aboveInputTokens() {
      return aboveInputTokens;
    }

    /** The tier's prices. */
    public Prices prices() {
      return prices;
    }

    /** Short label used in price keys, e.g. {@code above_200k}. */
    public String label() {
      return aboveInputTokens % 1000 == 0 && aboveInputTokens > 0
          ? "above_" + (aboveInputTokens / 1000) + "k"
          : "above_" + aboveInputTokens;
    }
  }

  /**
   * Pricing of a service tier: either a multiplier applied to the prices chosen by context tier,
   * or explicit prices that replace the standard ones (values they omit are inherited).
   */
  public static final class ServiceTier {
    private final BigDecimal multiplier;
    private final Prices prices;

    private ServiceTier(BigDecimal multiplier, Prices prices) {
      this.multiplier = multiplier;
      this.prices = prices;
    }

    /** A service tier priced as {@code factor} × the standard prices. */
    public static ServiceTier multiplier(BigDecimal factor) {
      if (factor == null || factor.signum() < 0) {
        throw new IllegalArgumentException("multiplier must be >= 0");
      }
      return new ServiceTier(factor, null);
    }

    /** A service tier with its own prices. */
    public static ServiceTier prices(Prices prices) {
      return new ServiceTier(null, Objects.requireNonNull(prices, "prices"));
    }

    /** The multiplier, or {@code null} when the tier has explicit prices. */
    public BigDecimal multiplierOrNull() {
      return multiplier;
    }

    /** The explicit prices, or {@code null} when the tier is a multiplier. */
    public Prices pricesOrNull() {
      return prices;
    }

    /** Applies this service tier to {@code base} (the prices chosen by context tier). */
    Prices apply(Prices base) {
      return multiplier != null ? base.times(multiplier) : prices.orElse(base);
    }
  }

  /** Builder for {@link ModelPrice}. */
  public static final class Builder {
    private String provider;
    private String model;
    private final List<String> aliases = new ArrayList<>();
    private String kind;
    private Instant effectiveFrom;
    private Instant effectiveTo;
    private String source;
    private LocalDate sourceDate;
    private Prices prices;
    private final List<Tier> tiers = new ArrayList<>();
    private final Map<String, ServiceTier> serviceTiers = new LinkedHashMap<>();

    private Builder() {}

    /** Provider name (case-insensitive). */
    public Builder provider(String v) {
      this.provider = v;
      return this;
    }

    /** Canonical model id (case-insensitive). */
    public Builder model(String v) {
      this.model = v;
      return this;
    }

    /** Adds an alias. */
    public Builder addAlias(String v) {
      this.aliases.add(Objects.requireNonNull(v, "alias"));
      return this;
    }

    /** {@code chat} or {@code embedding}. */
    public Builder kind(String v) {
      this.kind = v;
      return this;
    }

    /** First instant in force, inclusive. */
    public Builder effectiveFrom(Instant v) {
      this.effectiveFrom = v;
      return this;
    }

    /** First instant no longer in force, exclusive. */
    public Builder effectiveTo(Instant v) {
      this.effectiveTo = v;
      return this;
    }

    /** Pricing page URL. */
    public Builder source(String v) {
      this.source = v;
      return this;
    }

    /** Day the pricing page was read. */
    public Builder sourceDate(LocalDate v) {
      this.sourceDate = v;
      return this;
    }

    /** Standard prices (required). */
    public Builder prices(Prices v) {
      this.prices = v;
      return this;
    }

    /** Adds a context-length tier. */
    public Builder addTier(Tier v) {
      this.tiers.add(Objects.requireNonNull(v, "tier"));
      return this;
    }

    /** Sets the pricing of a service tier ({@code batch}, {@code flex}, {@code priority}). */
    public Builder serviceTier(String name, ServiceTier v) {
      this.serviceTiers.put(name.trim().toLowerCase(Locale.ROOT), Objects.requireNonNull(v));
      return this;
    }

    /** Builds the entry. */
    public ModelPrice build() {
      return new ModelPrice(this);
    }
  }
}
