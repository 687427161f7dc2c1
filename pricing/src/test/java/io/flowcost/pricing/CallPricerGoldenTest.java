package io.flowcost.pricing;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Golden prices for real models against the bundled catalog. Every expected amount is worked
 * out by hand in the comment above it (prices in USD per million tokens, so each product is
 * divided by 1,000,000) and compared exactly at 9 decimals.
 */
class CallPricerGoldenTest {

  private static final Instant NOW = Instant.parse("2026-11-24T12:00:00Z");
  private final CallPricer pricer = new CallPricer(PriceCatalog.bundled());

  private static TokenUsage.Builder usage() {
    return TokenUsage.builder();
  }

  private static void assertCost(PriceResult r, String expected) {
    assertThat(r.unpriced()).isFalse();
    assertThat(r.costUsd().scale()).isEqualTo(9);
    assertThat(r.costUsd()).isEqualByComparingTo(expected);
    assertThat(r.costUsd().toPlainString()).isEqualTo(new BigDecimal(expected).setScale(9)
        .toPlainString());
    assertThat(r.catalogVersion()).isEqualTo("2026-11-24.1+litellm-1.110.2");
  }

  @Test
  void openAiReasoningModelWithCachedPromptAndReasoningTokens() {
    // o3 (since 2025-06-10): input 2.00, cache read 0.50, output 8.00.
    // OpenAI: prompt_tokens 2006 of which cached 1920; completion 300 of which reasoning 128.
    //   uncached (2006 - 1920) = 86 × 2.00 =  172
    //   cache read        1920 × 0.50 =       960
    //   output             300 × 8.00 =     2 400   (reasoning is inside output, not added)
    //   total 3 532 / 1e6 = 0.003532
    PriceResult r = pricer.priceModelCall("openai", "o3-2025-04-16", NOW,
        usage().input(2006).cacheRead(1920).output(300).reasoning(128).build());
    assertCost(r, "0.003532");
    assertThat(r.priceKey()).isEqualTo("openai/o3");
    // gross savings 1920 × (2.00 - 0.50) = 2 880 / 1e6; no writes, so net = gross.
    assertThat(r.cacheSavingsGrossUsd()).isEqualByComparingTo("0.002880");
    assertThat(r.cacheSavingsNetUsd()).isEqualByComparingTo("0.002880");
  }

  @Test
  void openAiModelBeforeAPriceCutUsesTheEntryInForce() {
    // o3 at launch (2025-04-16 .. 2025-06-10): input 10.00, output 40.00.
    //   1000 × 10 + 1000 × 40 = 50 000 / 1e6 = 0.05
    PriceResult r = pricer.priceModelCall("openai", "o3", Instant.parse("2025-05-01T00:00:00Z"),
        usage().input(1000).output(1000).build());
    assertCost(r, "0.05");
  }

  @Test
  void anthropicWithFiveMinuteAndOneHourWritesAndCacheReads() {
    // Anthropic usage: input_tokens 50, cache_creation 556 (5m 456, 1h 100), cache_read 100000,
    // output 320. Normalised input = 50 + 556 + 100000 = 100 606 (< 200k: standard tier).
    // claude-sonnet-4-5: input 3, cache read 0.30, 5m write 3.75, 1h write 6, output 15.
    //   uncached      50 × 3.00 =     150
    //   cache read 100000 × 0.30 =  30 000
    //   5m write     456 × 3.75 =   1 710
    //   1h write     100 × 6.00 =     600
    //   output       320 × 15   =   4 800
    //   total 37 260 / 1e6 = 0.03726
    PriceResult r = pricer.priceModelCall("anthropic", "claude-sonnet-4-5-20250929", NOW,
        usage().input(100_606).cacheRead(100_000).cacheWrite(556).cacheWrite1h(100).output(320)
            .build());
    assertCost(r, "0.03726");
    assertThat(r.priceKey()).isEqualTo("anthropic/claude-sonnet-4-5");
    // gross = 100000 × (3 - 0.30) = 270 000 / 1e6 = 0.27
    // net   = 0.27 - 456 × (3.75 - 3) / 1e6 - 100 × (6 - 3) / 1e6
    //       = 0.27 - 0.000342 - 0.0003 = 0.269358
    assertThat(r.cacheSavingsGrossUsd()).isEqualByComparingTo("0.27");
    assertThat(r.cacheSavingsNetUsd()).isEqualByComparingTo("0.269358");
    assertThat(r.terms()).extracting(CostTerm::label).containsExactly("input", "cache_read",
        "cache_write_5m", "cache_write_1h", "output");
  }

  @Test
  void anthropicLongContextBatchCall() {
    // input 300 000 > 200k: long-context prices 6 / 0.60 / 7.50 / 12 / 22.50, then batch × 0.5:
    // 3 / 0.30 / 3.75 / 6 / 11.25. cache read 100 000, writes 50 000 of which 1h 20 000.
    //   uncached (300000 - 100000 - 50000) = 150 000 × 3    = 450 000
    //   cache read                           100 000 × 0.30 =  30 000
    //   5m write (50000 - 20000)           =  30 000 × 3.75 = 112 500
    //   1h write                              20 000 × 6    = 120 000
    //   output                                 5 000 × 11.25 = 56 250
    //   total 768 750 / 1e6 = 0.76875
    PriceResult r = pricer.priceModelCall("anthropic", "claude-sonnet-4-5", NOW,
        usage().input(300_000).cacheRead(100_000).cacheWrite(50_000).cacheWrite1h(20_000)
            .output(5_000).serviceTier("batch").build());
    assertCost(r, "0.76875");
    assertThat(r.priceKey()).isEqualTo("anthropic/claude-sonnet-4-5@above_200k@batch");
  }

  @Test
  void geminiProBelowAtAndAbove200k() {
    // gemini-2.5-pro <= 200k: input 1.25, cache read 0.125, output 10.
    //   uncached (150000 - 50000) = 100 000 × 1.25 = 125 000
    //   cache read                   50 000 × 0.125 =  6 250
    //   output (thoughts included)    4 000 × 10    =  40 000
    //   total 171 250 / 1e6 = 0.17125
    PriceResult below = pricer.priceModelCall("gcp.gemini", "models/gemini-2.5-pro", NOW,
        usage().input(150_000).cacheRead(50_000).output(4_000).reasoning(3_000).build());
    assertCost(below, "0.17125");
    assertThat(below.priceKey()).isEqualTo("gemini/gemini-2.5-pro");

    // Exactly 200 000 is not above 200k: 200 000 × 1.25 = 250 000 / 1e6 = 0.25
    assertCost(pricer.priceModelCall("gemini", "gemini-2.5-pro", NOW,
        usage().input(200_000).build()), "0.25");

    // > 200k: input 2.50, output 15.  250 000 × 2.5 + 2 000 × 15 = 655 000 / 1e6 = 0.655
    PriceResult above = pricer.priceModelCall("gemini", "gemini-2.5-pro", NOW,
        usage().input(250_000).output(2_000).build());
    assertCost(above, "0.655");
    assertThat(above.priceKey()).isEqualTo("gemini/gemini-2.5-pro@above_200k");
  }

  @Test
  void bedrockInRegionModel() {
    // anthropic.claude-haiku-4-5 on Bedrock (in-region): input 1, cache read 0.10, output 5.
    //   uncached (12000 - 8000) = 4 000 × 1 = 4 000
    //   cache read               8 000 × 0.1 =   800
    //   output                     500 × 5   = 2 500
    //   total 7 300 / 1e6 = 0.0073
    assertCost(pricer.priceModelCall("aws.bedrock", "anthropic.claude-haiku-4-5-20251001-v1:0",
        NOW, usage().input(12_000).cacheRead(8_000).output(500).build()), "0.0073");
  }

  @Test
  void bedrockRegionalProfileCostsTenPercentMoreThanGlobal() {
    TokenUsage u = usage().input(10_000).cacheWrite(2_000).output(1_000).build();
    // us. profile of Sonnet 4.5: input 3.30, 5m write 4.125, output 16.50.
    //   uncached 8 000 × 3.3 = 26 400; write 2 000 × 4.125 = 8 250; output 1 000 × 16.5 = 16 500
    //   total 51 150 / 1e6 = 0.05115
    PriceResult us = pricer.priceModelCall("aws.bedrock",
        "us.anthropic.claude-sonnet-4-5-20250929-v1:0", NOW, u);
    assertCost(us, "0.05115");
    assertThat(us.priceKey()).isEqualTo("bedrock/us.anthropic.claude-sonnet-4-5-20250929-v1:0");
    assertCost(pricer.priceModelCall("aws.bedrock",
        "eu.anthropic.claude-sonnet-4-5-20250929-v1:0", NOW, u), "0.05115");
    // global. profile = base price: 8 000 × 3 + 2 000 × 3.75 + 1 000 × 15 = 46 500 / 1e6
    PriceResult global = pricer.priceModelCall("aws.bedrock",
        "global.anthropic.claude-sonnet-4-5-20250929-v1:0", NOW, u);
    assertCost(global, "0.0465");
    assertThat(global.priceKey()).isEqualTo("bedrock/anthropic.claude-sonnet-4-5-20250929-v1:0");
  }

  @Test
  void openAiFlexCall() {
    // gpt-5-mini flex = 0.5 × (0.25 / 0.025 / 2.00) = 0.125 / 0.0125 / 1.00.
    //   uncached (10000 - 4000) = 6 000 × 0.125  = 750
    //   cache read               4 000 × 0.0125 =  50
    //   output                   2 000 × 1.00   = 2 000
    //   total 2 800 / 1e6 = 0.0028
    PriceResult r = pricer.priceModelCall("openai", "gpt-5-mini-2025-08-07", NOW,
        usage().input(10_000).cacheRead(4_000).output(2_000).reasoning(1_500).serviceTier("flex")
            .build());
    assertCost(r, "0.0028");
    assertThat(r.priceKey()).isEqualTo("openai/gpt-5-mini@flex");
  }

  @Test
  void openAiBatchCall() {
    // gpt-4.1-mini batch = 0.5 × (0.40 / 1.60) = 0.20 / 0.80.
    //   1 000 000 × 0.20 = 200 000; 100 000 × 0.80 = 80 000; total 280 000 / 1e6 = 0.28
    PriceResult r = pricer.priceModelCall("openai", "gpt-4.1-mini", NOW,
        usage().input(1_000_000).output(100_000).serviceTier("batch").build());
    assertCost(r, "0.28");
    assertThat(r.priceKey()).isEqualTo("openai/gpt-4.1-mini@batch");
  }

  @Test
  void openAiPriorityUsesExplicitPricesAndDefaultIsStandard() {
    // gpt-4o priority: input 4.25, output 17.  1000 × 4.25 + 100 × 17 = 5 950 / 1e6
    assertCost(pricer.priceModelCall("openai", "gpt-4o", NOW,
        usage().input(1_000).output(100).serviceTier("priority").build()), "0.00595");
    // "default" is standard: 1000 × 2.50 + 100 × 10 = 3 500 / 1e6
    PriceResult std = pricer.priceModelCall("openai", "gpt-4o", NOW,
        usage().input(1_000).output(100).serviceTier("default").build());
    assertCost(std, "0.0035");
    assertThat(std.priceKey()).isEqualTo("openai/gpt-4o");
  }

  @Test
  void datedSnapshotWithItsOwnPriceIsNotPricedAsTheFamily() {
    // gpt-4o-2024-05-13: 5 / 15.  1000 × 5 + 1000 × 15 = 20 000 / 1e6 = 0.02
    assertCost(pricer.priceModelCall("openai", "gpt-4o-2024-05-13", NOW,
        usage().input(1_000).output(1_000).build()), "0.02");
    // gpt-4o-2024-08-06 is gpt-4o: 1000 × 2.5 + 1000 × 10 = 12 500 / 1e6 = 0.0125
    assertCost(pricer.priceModelCall("openai", "gpt-4o-2024-08-06", NOW,
        usage().input(1_000).output(1_000).build()), "0.0125");
  }

  @Test
  void embeddingModel() {
    // text-embedding-3-small: 0.02.  1 234 × 0.02 = 24.68 / 1e6 = 0.00002468
    PriceResult r = pricer.priceEmbeddingCall("openai", "text-embedding-3-small", NOW,
        usage().input(1_234).build());
    assertCost(r, "0.00002468");
    // gemini-embedding-001: 0.15.  10 000 × 0.15 = 1 500 / 1e6 = 0.0015
    assertCost(pricer.priceEmbeddingCall("gcp.gemini", "gemini-embedding-001", NOW,
        usage().input(10_000).build()), "0.0015");
  }

  @Test
  void mistralLatestAliasFollowsEffectiveDates() {
    TokenUsage u = usage().input(3_000).output(700).build();
    // Mistral Large 3 (since 2025-12-02): 0.5 / 1.5.  3000 × 0.5 + 700 × 1.5 = 2 550 / 1e6
    assertCost(pricer.priceModelCall("mistral_ai", "mistral-large-latest", NOW, u), "0.00255");
    // Mistral Large 2 before that: 2 / 6.  3000 × 2 + 700 × 6 = 10 200 / 1e6
    assertCost(pricer.priceModelCall("mistral_ai", "mistral-large-latest",
        Instant.parse("2025-06-01T00:00:00Z"), u), "0.0102");
    // codestral: 0.3 / 0.9.  5000 × 0.3 + 1000 × 0.9 = 2 400 / 1e6
    assertCost(pricer.priceModelCall("mistral", "codestral-2508", NOW,
        usage().input(5_000).output(1_000).build()), "0.0024");
  }

  @Test
  void azureDeploymentAlias() {
    CallPricer azure = new CallPricer(PriceCatalog.bundled(), PriceCatalog.bundled().resolver()
        .withDeploymentAliases(Map.of("Prod-Chat", "gpt-4o-mini")));
    // gpt-4o-mini: 0.15 / 0.60.  1000 × 0.15 + 1000 × 0.6 = 750 / 1e6
    assertCost(azure.priceModelCall("azure.ai.openai", "prod-chat", NOW,
        usage().input(1_000).output(1_000).build()), "0.00075");
    assertThat(pricer.priceModelCall("azure.ai.openai", "prod-chat", NOW,
        usage().input(1_000).build()).unpriced()).isTrue();
  }

  @Test
  void roundsOnceHalfEvenAfterSummingExactTerms() {
    // gpt-5-mini flex: input 0.125, cache read 0.0125. input 2 tokens, 1 of them cached:
    //   uncached 1 × 0.125  = 0.125  -> 0.000000125
    //   cached   1 × 0.0125 = 0.0125 -> 0.0000000125
    //   exact sum 0.0000001375 -> HALF_EVEN at 9 decimals: 0.000000138 (tie, 7 is odd)
    // Rounding each term first would give 0.000000125 + 0.000000012 = 0.000000137.
    assertCost(pricer.priceModelCall("openai", "gpt-5-mini", NOW,
        usage().input(2).cacheRead(1).serviceTier("flex").build()), "0.000000138");
    // A lone tie rounds to even: 1 × 0.0125 = 0.0000000125 -> 0.000000012
    assertCost(pricer.priceModelCall("openai", "gpt-5-mini", NOW,
        usage().input(1).cacheRead(1).serviceTier("flex").build()), "0.000000012");
  }

  @Test
  void toolAndHttpCalls() {
    // anthropic.web_search: $10 per 1 000 searches = 0.01 per call
    PriceResult search = pricer.priceToolCall("anthropic.web_search", NOW);
    assertCost(search, "0.01");
    assertThat(search.priceKey()).isEqualTo("tool/anthropic.web_search");
    // An unknown tool or host is priced 0, not unpriced.
    PriceResult other = pricer.priceToolCall("my_db_lookup", NOW);
    assertCost(other, "0");
    assertThat(other.priceKey()).isNull();
    assertCost(pricer.priceHttpCall("api.example.com", "/v1/things", NOW), "0");
  }

  @Test
  void unknownModelIsUnpricedNeverZero() {
    TokenUsage u = usage().input(1_000).output(1_000).build();
    for (String[] pm : new String[][] {{"openai", "gpt-99"}, {"gemini", "text-embedding-004"},
        {"ollama", "mistral-small"}, {"openai", "claude-sonnet-4-5"}, {null, null}}) {
      PriceResult r = pricer.priceModelCall(pm[0], pm[1], NOW, u);
      assertThat(r.unpriced()).as("%s/%s", pm[0], pm[1]).isTrue();
      assertThat(r.costUsd()).isNull();
      assertThat(r.cacheSavingsGrossUsd()).isNull();
      assertThat(r.cacheSavingsNetUsd()).isNull();
      assertThat(r.priceKey()).isNull();
      assertThat(r.terms()).isEmpty();
      assertThat(r.catalogVersion()).isEqualTo("2026-11-24.1+litellm-1.110.2");
    }
    // Known model, but before its first entry took effect: unpriced as well.
    assertThat(pricer.priceModelCall("openai", "gpt-5", Instant.parse("2024-01-01T00:00:00Z"),
        u).unpriced()).isTrue();
  }
}
