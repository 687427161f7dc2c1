package io.flowcost.pricing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.math.BigDecimal;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PriceCatalogTest {

  private static final Instant NOW = Instant.parse("2026-11-24T12:00:00Z");

  @TempDir
  Path dir;

  private Path write(String name, String json) throws IOException {
    Path p = dir.resolve(name);
    Files.writeString(p, json, StandardCharsets.UTF_8);
    return p;
  }

  static Path liteLlmSubset() {
    try {
      return Path.of(PriceCatalogTest.class.getResource("/litellm/model_prices_subset.json")
          .toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void azureDeploymentNamesMapToModelsThroughTheOverrideFile() {
    PriceCatalog override = PriceCatalog.parse("""
        {"version": "acme-1", "models": [],
         "deployment_aliases": {"prod-chat": "gpt-4o-mini", "Claims-Embed": "openai/text-embedding-3-small"}}
        """.getBytes(StandardCharsets.UTF_8), "acme.json");
    CallPricer pricer = new CallPricer(PriceCatalog.merged(PriceCatalog.bundled(), override));
    TokenUsage usage = TokenUsage.builder().input(1_000_000).output(1_000_000).build();

    PriceResult chat = pricer.priceModelCall("azure.ai.openai", "prod-chat", NOW, usage);
    // gpt-4o-mini list price: $0.15 input + $0.60 output per million
    assertThat(chat.costUsd()).isEqualByComparingTo("0.75");
    assertThat(chat.catalogVersion()).endsWith("+acme-1");
    PriceResult embed = pricer.priceEmbeddingCall("azure.ai.openai", "claims-embed", NOW,
        TokenUsage.builder().input(1_000_000).build());
    assertThat(embed.costUsd()).isEqualByComparingTo("0.02");
    assertThat(new CallPricer(PriceCatalog.bundled())
        .priceModelCall("azure.ai.openai", "prod-chat", NOW, usage).unpriced()).isTrue();
    assertThatThrownBy(() -> PriceCatalog.parse(
        "{\"version\": \"x\", \"models\": [], \"deployment_aliases\": {\"a\": 1}}"
            .getBytes(StandardCharsets.UTF_8), "bad.json"))
        .isInstanceOf(CatalogException.class).hasMessageContaining("bad.json")
        .hasMessageContaining("deployment_aliases.a");
  }

  @Test
  void bundledCatalogIsVersionedAndEveryEntryNamesItsSource() {
    // The curated entries (prices.json) name a provider's pricing page and the day it was read;
    // the generated ones name the LiteLLM release they came from.
    assertThat(PriceCatalog.bundled().version()).isEqualTo("2026-11-24.1+litellm-1.110.2");
    assertThat(PriceCatalog.bundledGenerated().models()).hasSizeGreaterThan(500)
        .allSatisfy(m -> assertThat(m.source()).as(m.key()).isEqualTo("litellm==1.110.2"));
    PriceCatalog c = PriceCatalog.bundledCurated();
    assertThat(c.version()).isEqualTo("2026-11-24.1");
    assertThat(c.models().stream().map(ModelPrice::provider).collect(Collectors.toSet()))
        .contains("openai", "anthropic", "gemini", "mistral", "bedrock");
    for (ModelPrice m : c.models()) {
      assertThat(m.source()).as(m.key()).startsWith("https://");
      assertThat(m.sourceDate()).as(m.key()).isNotNull();
      assertThat(m.effectiveFrom()).as(m.key()).isNotNull();
      assertThat(m.kind()).as(m.key()).isIn("chat", "embedding");
      for (ModelPrice.Tier t : m.tiers()) {
        // Monotone cost needs tier prices at least the standard ones.
        assertThat(t.prices().input()).as(m.key()).isGreaterThanOrEqualTo(m.prices().input());
        assertThat(t.prices().effectiveOutput()).isGreaterThanOrEqualTo(
            m.prices().effectiveOutput());
      }
    }
    for (String model : new String[] {"gpt-4o", "gpt-4o-mini", "gpt-4.1", "gpt-4.1-mini",
        "gpt-4.1-nano", "o3", "o4-mini", "gpt-5", "gpt-5-mini", "text-embedding-3-small",
        "text-embedding-3-large"}) {
      assertThat(c.entryAt("openai/" + model, NOW)).as(model).isPresent();
    }
  }

  @Test
  void bundledAnthropicCachePricesFollowTheListedMultipliers() {
    // Anthropic bills cache reads at 0.1x, 5-minute writes at 1.25x and 1-hour writes at 2x
    // the input price, on the API and on Bedrock, in every context tier.
    int checked = 0;
    for (ModelPrice m : PriceCatalog.bundledCurated().models()) {
      if (!m.model().contains("claude")) {
        continue;
      }
      java.util.List<Prices> all = new java.util.ArrayList<>();
      all.add(m.prices());
      m.tiers().forEach(t -> all.add(t.prices()));
      for (Prices p : all) {
        assertThat(p.cacheRead()).as(m.key()).isEqualByComparingTo(
            p.input().multiply(new BigDecimal("0.1")));
        assertThat(p.cacheWrite5m()).as(m.key()).isEqualByComparingTo(
            p.input().multiply(new BigDecimal("1.25")));
        assertThat(p.cacheWrite1h()).as(m.key()).isEqualByComparingTo(
            p.input().multiply(new BigDecimal("2")));
        checked++;
      }
    }
    assertThat(checked).isGreaterThan(10);
  }

  @Test
  void loadsALiteLlmModelCostMapExactly() {
    PriceCatalog c = PriceCatalog.load(liteLlmSubset());
    assertThat(c.version()).startsWith("litellm-");
    // 2.5e-06 per token -> exactly 2.5 per million, no binary floating point on the way.
    ModelPrice gpt4o = c.entryAt("openai/gpt-4o", NOW).orElseThrow();
    assertThat(gpt4o.prices().input()).isEqualByComparingTo("2.5");
    assertThat(gpt4o.prices().cacheRead()).isEqualByComparingTo("1.25");
    assertThat(gpt4o.prices().output()).isEqualByComparingTo("10");
    assertThat(gpt4o.serviceTiers().get("priority").pricesOrNull().input())
        .isEqualByComparingTo("4.25");
    // cache_creation_input_token_cost(_above_1hr) -> 5-minute and 1-hour writes.
    ModelPrice sonnet = c.entryAt("anthropic/claude-sonnet-4-5", NOW).orElseThrow();
    assertThat(sonnet.prices().cacheWrite5m()).isEqualByComparingTo("3.75");
    assertThat(sonnet.prices().cacheWrite1h()).isEqualByComparingTo("6");
    // *_above_200k_tokens -> a tier; the "gemini/" prefix is the provider.
    ModelPrice pro = c.entryAt("gemini/gemini-2.5-pro", NOW).orElseThrow();
    assertThat(pro.tiers()).singleElement().satisfies(t -> {
      assertThat(t.aboveInputTokens()).isEqualTo(200_000);
      assertThat(t.prices().input()).isEqualByComparingTo("2.5");
      assertThat(t.prices().output()).isEqualByComparingTo("15");
    });
    ModelPrice bedrock = c.entryAt("bedrock/anthropic.claude-sonnet-4-5-20250929-v1:0", NOW)
        .orElseThrow();
    assertThat(bedrock.tiers().get(0).prices().cacheWrite1h()).isEqualByComparingTo("12");
    // And it prices calls: 1000 × 2.5 + 1000 × 10 = 12 500 / 1e6 = 0.0125
    PriceResult r = new CallPricer(c).priceModelCall("openai", "gpt-4o-2024-08-06", NOW,
        TokenUsage.builder().input(1000).output(1000).build());
    assertThat(r.costUsd()).isEqualByComparingTo("0.0125");
    assertThat(r.catalogVersion()).isEqualTo(c.version());
  }

  @Test
  void overrideFileAddsAndReplacesEntries() throws IOException {
    Path file = write("override.json", """
        {
          "version": "acme-1",
          "models": [
            {"provider": "openai", "model": "gpt-4o", "input": "2.00", "output": "8.00"},
            {"provider": "ollama", "model": "llama3.1:8b", "input": "0", "output": "0"}
          ],
          "tools": [{"name": "anthropic.web_search", "per_call": "0.008"}],
          "http_rules": [{"host": "*.tavily.com", "path": "/search*", "per_request": "0.008"}]
        }
        """);
    PriceCatalog merged = PriceCatalog.merged(PriceCatalog.bundled(), PriceCatalog.load(file));
    assertThat(merged.version()).isEqualTo("2026-11-24.1+litellm-1.110.2+acme-1");
    CallPricer pricer = new CallPricer(merged);
    TokenUsage u = TokenUsage.builder().input(1000).output(1000).build();
    // replaced: 1000 × 2 + 1000 × 8 = 10 000 / 1e6 = 0.01 (the bundled price would be 0.0125);
    // the override has no gpt-4o-2024-08-06 alias, but the snapshot rule still finds it.
    assertThat(pricer.priceModelCall("openai", "gpt-4o-2024-08-06", NOW, u).costUsd())
        .isEqualByComparingTo("0.01");
    // added: a local model priced 0 on purpose is priced, not unpriced.
    PriceResult local = pricer.priceModelCall("ollama", "llama3.1:8b", NOW, u);
    assertThat(local.unpriced()).isFalse();
    assertThat(local.costUsd()).isEqualByComparingTo("0");
    // untouched bundled entries remain
    assertThat(pricer.priceModelCall("anthropic", "claude-haiku-4-5", NOW, u).costUsd())
        .isEqualByComparingTo("0.006");
    assertThat(pricer.priceToolCall("Anthropic.Web_Search", NOW).costUsd())
        .isEqualByComparingTo("0.008");
    assertThat(pricer.priceToolCall("openai.file_search", NOW).costUsd())
        .isEqualByComparingTo("0.0025");
    PriceResult http = pricer.priceHttpCall("api.tavily.com", "/search?q=x", NOW);
    assertThat(http.costUsd()).isEqualByComparingTo("0.008");
    assertThat(http.priceKey()).isEqualTo("http/*.tavily.com/search*");
    assertThat(pricer.priceHttpCall("api.tavily.com", "/extract", NOW).costUsd())
        .isEqualByComparingTo("0");
  }

  @Test
  void syntaxErrorNamesFileAndLine() throws IOException {
    Path file = write("broken.json", """
        {
          "version": "x",
          "models": [
            {"provider": "openai", "model": "gpt-4o", "input": "2.50",}
          ]
        }
        """);
    assertThatThrownBy(() -> PriceCatalog.load(file))
        .isInstanceOf(CatalogException.class)
        .hasMessageStartingWith(file + ":4: invalid JSON")
        .satisfies(e -> assertThat(((CatalogException) e).line()).isEqualTo(4));
  }

  @Test
  void semanticErrorsNameTheLineOfTheOffendingValue() throws IOException {
    Path badDecimal = write("bad-decimal.json", """
        {
          "version": "x",
          "models": [
            {"provider": "openai", "model": "gpt-4o", "input": "2.50"},
            {"provider": "openai", "model": "gpt-4.1",
             "input": "two"}
          ]
        }
        """);
    assertThatThrownBy(() -> PriceCatalog.load(badDecimal))
        .hasMessage(badDecimal + ":6: models[1] (openai/gpt-4.1): 'input' is not a decimal"
            + " number: \"two\"");

    Path typo = write("typo.json", """
        {"version": "x", "models": [
          {"provider": "openai", "model": "gpt-4o", "input": "2.50",
           "ouput": "10"}
        ]}
        """);
    assertThatThrownBy(() -> PriceCatalog.load(typo))
        .hasMessage(typo + ":3: models[0] (openai/gpt-4o): unknown field 'ouput'");

    Path missing = write("missing.json", """
        {"version": "x", "models": [
          {"provider": "openai", "model": "gpt-4o", "output": "10"}
        ]}
        """);
    assertThatThrownBy(() -> PriceCatalog.load(missing))
        .hasMessage(missing + ":2: models[0] (openai/gpt-4o): 'input' is required");

    Path overlap = write("overlap.json", """
        {"version": "x", "models": [
          {"provider": "openai", "model": "o3", "input": "10", "effective_to": "2025-06-10"},
          {"provider": "openai", "model": "o3", "input": "2", "effective_from": "2025-06-01"}
        ]}
        """);
    assertThatThrownBy(() -> PriceCatalog.load(overlap))
        .hasMessage(overlap + ":3: models[1] (openai/o3): effective period overlaps models[0]");

    Path notCatalog = write("other.json", "{\"hello\": \"world\"}");
    assertThatThrownBy(() -> PriceCatalog.load(notCatalog))
        .hasMessageStartingWith(notCatalog + ":1: not a price catalog");

    Path absent = dir.resolve("absent.json");
    assertThatThrownBy(() -> PriceCatalog.load(absent))
        .isInstanceOf(CatalogException.class)
        .hasMessage(absent + ": cannot read the file (NoSuchFileException)");
  }

  @Test
  void sameNameCannotBelongToTwoModels() throws IOException {
    Path file = write("alias.json", """
        {"version": "x", "models": [
          {"provider": "openai", "model": "gpt-4o", "input": "2.5"},
          {"provider": "openai", "model": "gpt-4o-mini", "aliases": ["gpt-4o"], "input": "0.15"}
        ]}
        """);
    assertThatThrownBy(() -> PriceCatalog.load(file))
        .hasMessage(file + ":3: models[1] (openai/gpt-4o-mini): name 'gpt-4o' already belongs"
            + " to openai/gpt-4o");
  }
}
