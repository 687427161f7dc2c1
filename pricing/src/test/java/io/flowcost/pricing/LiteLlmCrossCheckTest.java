package io.flowcost.pricing;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Cross-checks the bundled catalog against LiteLLM's price map (a subset checked in under
 * {@code src/test/resources/litellm/}, so the test runs offline). For every model name present
 * in both, the input, output, cache-read and cache-write prices — standard and above-200k —
 * must be equal, unless the difference is in {@link #ALLOWED}, each of which docs/pricing.md
 * explains.
 */
class LiteLlmCrossCheckTest {

  private static final Instant NOW = Instant.parse("2026-11-24T12:00:00Z");

  /**
   * Known, deliberate disagreements ({@code provider/name field}); see the table in
   * docs/pricing.md "Where we disagree with LiteLLM".
   */
  private static final Set<String> ALLOWED = Set.of(
      // Anthropic's API bills Sonnet 4.5 prompts above 200k input tokens at 6 / 22.50 (the
      // 1M-context rates); LiteLLM lists the tier for Bedrock and Vertex but not for the API.
      "anthropic/claude-sonnet-4-5 tier_above_200k",
      "anthropic/claude-sonnet-4-5-20250929 tier_above_200k",
      // Mistral Medium 3 launched at 0.40 / 2.00; LiteLLM copies Medium 3.5's 1.50 / 7.50.
      "mistral/mistral-medium-3 input",
      "mistral/mistral-medium-3 output");

  private record Field(String name, Function<Prices, BigDecimal> get) {}

  private static final List<Field> FIELDS = List.of(
      new Field("input", Prices::input),
      new Field("output", Prices::effectiveOutput),
      new Field("cache_read", Prices::cacheRead),
      new Field("cache_write_5m", Prices::cacheWrite5m),
      new Field("cache_write_1h", Prices::cacheWrite1h));

  @Test
  void bundledPricesAgreeWithLiteLlmExceptTheExplainedOnes() {
    PriceCatalog ours = PriceCatalog.bundled();
    PriceCatalog theirs = PriceCatalog.load(PriceCatalogTest.liteLlmSubset());
    Set<String> differences = new TreeSet<>();
    Set<String> comparedNames = new LinkedHashSet<>();
    int compared = 0;
    for (ModelPrice m : ours.models()) {
      if (!m.inForceAt(NOW)) {
        continue; // LiteLLM only knows today's prices
      }
      List<String> names = new ArrayList<>();
      names.add(m.model());
      m.aliases().forEach(a -> names.add(a.toLowerCase(java.util.Locale.ROOT)));
      for (String name : names) {
        String key = m.provider() + "/" + name;
        Optional<ModelPrice> other = theirs.entryAt(key, NOW);
        if (other.isEmpty()) {
          continue;
        }
        comparedNames.add(key);
        compared += compare(key, "", m.prices(), other.get().prices(), differences);
        ModelPrice.Tier ourTier = m.tierFor(200_001);
        ModelPrice.Tier theirTier = other.get().tierFor(200_001);
        if ((ourTier == null) != (theirTier == null)) {
          differences.add(key + " tier_above_200k");
        } else if (ourTier != null) {
          compared += compare(key, "above_200k.", ourTier.prices(), theirTier.prices(),
              differences);
        }
      }
    }
    // Not vacuous: the subset covers most of the catalog.
    assertThat(comparedNames).hasSizeGreaterThan(60);
    assertThat(compared).isGreaterThan(250);
    assertThat(differences).as("differences not in the allow-list")
        .isSubsetOf(ALLOWED);
    assertThat(ALLOWED).as("stale allow-list entries (prices now agree)")
        .isSubsetOf(differences);
  }

  private static int compare(String key, String prefix, Prices ours, Prices theirs,
      Set<String> differences) {
    int n = 0;
    for (Field f : FIELDS) {
      BigDecimal a = f.get().apply(ours);
      BigDecimal b = f.get().apply(theirs);
      if (a == null || b == null) {
        continue; // one side does not list this price; nothing to compare
      }
      n++;
      if (a.compareTo(b) != 0) {
        differences.add(key + " " + prefix + f.name());
      }
    }
    return n;
  }
}
