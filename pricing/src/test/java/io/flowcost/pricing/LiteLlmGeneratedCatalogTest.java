package io.flowcost.pricing;

import static org.assertj.core.api.Assertions.assertThat;

import io.flowcost.pricing.JsonTree.Node;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Cross-checks the generated catalog ({@code prices-generated.json}, written by
 * {@code scripts/generate-catalog.py}) against the LiteLLM map it came from. The map's entries
 * for the selected providers are checked in unchanged under {@code src/test/resources/litellm/}
 * (numbers keep their literal text), so this runs offline.
 */
class LiteLlmGeneratedCatalogTest {

  static final Path SELECTED_MAP = Path.of("src/test/resources/litellm/model_prices_selected.json");
  private static final Pattern PRICE_FIELD = Pattern.compile(
      "^(input_cost_per_token|cache_read_input_token_cost"
          + "|cache_creation_input_token_cost_above_1hr|cache_creation_input_token_cost"
          + "|output_cost_per_token)(?:_above_(\\d+)k_tokens)?(?:_(batches|flex|priority))?$");
  private static final Map<String, String> SERVICE = Map.of("batches", "batch", "flex", "flex",
      "priority", "priority");
  private static final Set<String> MODES = Set.of("chat", "completion", "responses", "embedding");
  private static final BigDecimal MILLION = BigDecimal.valueOf(1_000_000);

  /** One generated entry with the LiteLLM key it records. */
  record Generated(ModelPrice price, String sourceKey) {}

  /** The selected LiteLLM map, read from the class path (the collector's tests read it too). */
  static Node selectedMap() {
    try (InputStream in = LiteLlmGeneratedCatalogTest.class.getResourceAsStream(
        "/litellm/model_prices_selected.json")) {
      return JsonTree.parse(in, SELECTED_MAP.toString());
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  static List<Generated> generated() {
    PriceCatalog cat = PriceCatalog.bundledGenerated();
    Node root;
    try (InputStream in = PriceCatalog.class.getResourceAsStream(
        PriceCatalog.GENERATED_RESOURCE)) {
      root = JsonTree.parse(in, "prices-generated.json");
    } catch (IOException e) {
      throw new AssertionError(e);
    }
    List<Node> nodes = root.get("models").items;
    assertThat(nodes).hasSameSizeAs(cat.models());
    List<Generated> out = new ArrayList<>();
    for (int i = 0; i < nodes.size(); i++) {
      out.add(new Generated(cat.models().get(i), nodes.get(i).get("source_key").text));
    }
    return out;
  }

  @Test
  void everyGeneratedPriceIsTheLiteLlmValueItCameFrom() {
    Node lite = selectedMap();
    int values = 0;
    for (Generated g : generated()) {
      Node v = lite.get(g.sourceKey());
      assertThat(v).as("LiteLLM key %s of %s", g.sourceKey(), g.price().key()).isNotNull();
      assertThat(g.price().source()).isEqualTo("litellm==1.110.2");
      // Every LiteLLM price field Flowcost maps must appear, exactly ×1e6, at its level.
      for (Map.Entry<String, Node> f : v.fields.entrySet()) {
        Matcher m = PRICE_FIELD.matcher(f.getKey());
        if (!m.matches()) {
          continue;
        }
        String ctx = g.sourceKey() + " " + f.getKey();
        BigDecimal expected = new BigDecimal(f.getValue().text).multiply(MILLION);
        Prices level = level(g.price(), m.group(2), m.group(3));
        assertThat(level).as(ctx).isNotNull();
        BigDecimal actual = switch (m.group(1)) {
          case "input_cost_per_token" -> level.input();
          case "cache_read_input_token_cost" -> level.cacheRead();
          case "cache_creation_input_token_cost" -> level.cacheWrite5m();
          case "cache_creation_input_token_cost_above_1hr" -> level.cacheWrite1h();
          default -> level.output();
        };
        boolean write = m.group(1).startsWith("cache_creation");
        if (write && expected.compareTo(level.input()) < 0) {
          // A write listed below the input price is dropped (docs/pricing.md): billed as input.
          assertThat(actual).as(ctx).isNull();
        } else {
          assertThat(actual).as(ctx).isNotNull();
          assertThat(actual).as(ctx).isEqualByComparingTo(expected);
        }
        values++;
      }
      Node fee = v.get("input_cost_per_request");
      if (fee != null && new BigDecimal(fee.text).signum() != 0) {
        assertThat(g.price().prices().perCall()).as(g.sourceKey())
            .isEqualByComparingTo(new BigDecimal(fee.text));
      }
    }
    assertThat(values).isGreaterThan(3_000);
  }

  @Test
  void theGeneratorAndTheCollectorsLiteLlmReaderAgreeOnEveryEntry() {
    // The same map read by CatalogParser (what `--prices litellm.json` and `prices import` use)
    // gives exactly the generated entry: one mapping, two implementations kept in step.
    PriceCatalog parsed = PriceCatalog.load(SELECTED_MAP);
    Map<String, ModelPrice> byLiteLlmKey = new HashMap<>();
    for (ModelPrice m : parsed.models()) {
      byLiteLlmKey.put((m.aliases().isEmpty() ? m.model() : m.aliases().get(0))
          .toLowerCase(java.util.Locale.ROOT), m);
    }
    for (Generated g : generated()) {
      ModelPrice p = byLiteLlmKey.get(g.sourceKey().toLowerCase(java.util.Locale.ROOT));
      assertThat(p).as(g.sourceKey()).isNotNull();
      ModelPrice q = g.price();
      assertThat(q.key()).isEqualTo(p.key());
      assertThat(q.prices()).as(q.key()).isEqualTo(p.prices());
      assertThat(q.tiers()).hasSameSizeAs(p.tiers());
      for (int i = 0; i < q.tiers().size(); i++) {
        ModelPrice.Tier a = q.tiers().get(i);
        ModelPrice.Tier b = p.tiers().get(i);
        assertThat(a.aboveInputTokens()).isEqualTo(b.aboveInputTokens());
        assertThat(a.prices()).as(q.key() + " " + a.label()).isEqualTo(b.prices());
        assertThat(a.serviceTiers().keySet()).isEqualTo(b.serviceTiers().keySet());
        a.serviceTiers().forEach((k, st) -> assertThat(st.pricesOrNull())
            .isEqualTo(b.serviceTiers().get(k).pricesOrNull()));
      }
      assertThat(q.serviceTiers().keySet()).as(q.key()).isEqualTo(p.serviceTiers().keySet());
      q.serviceTiers().forEach((k, st) -> assertThat(st.pricesOrNull()).as(q.key() + " " + k)
          .isEqualTo(p.serviceTiers().get(k).pricesOrNull()));
    }
  }

  @Test
  void everyCurrentModelOfTheSelectedProvidersIsPricedByTheBundledCatalog() {
    Node lite = selectedMap();
    String description = PriceCatalog.bundledGenerated().models().isEmpty() ? ""
        : generatedDescription();
    Matcher cut = Pattern.compile("deprecation cut-off (\\d{4}-\\d{2}-\\d{2})")
        .matcher(description);
    assertThat(cut.find()).isTrue();
    String asOf = cut.group(1);
    CallPricer pricer = new CallPricer(PriceCatalog.bundled());
    Instant now = Instant.parse(asOf + "T12:00:00Z");
    TokenUsage usage = TokenUsage.builder().input(1000).output(100).build();
    List<String> unpriced = new ArrayList<>();
    int checked = 0;
    for (Map.Entry<String, Node> e : lite.fields.entrySet()) {
      Node v = e.getValue();
      if (!v.isObject() || v.get("mode") == null || !MODES.contains(v.get("mode").text)
          || v.get("input_cost_per_token") == null) {
        continue;
      }
      Node dep = v.get("deprecation_date");
      if (dep != null && dep.text.compareTo(asOf) < 0) {
        continue;
      }
      String provider = CatalogParser.liteLlmProvider(v.get("litellm_provider").text);
      String key = e.getKey();
      String model = key.contains("/") && key.substring(0, key.indexOf('/'))
          .matches("openai|anthropic|gemini|bedrock|azure|azure_ai|mistral|deepseek|xai|cohere"
              + "|cohere_chat|groq|vertex_ai|text-completion-openai")
          ? key.substring(key.indexOf('/') + 1) : key;
      if (model.contains("/") && (provider.equals("bedrock") || provider.equals("azure"))) {
        continue; // bedrock/<region>/…, azure/<zone>/…: not a name a call reports
      }
      if (pricer.priceModelCall(provider, model, now, usage).unpriced()) {
        unpriced.add(provider + " " + model);
      }
      checked++;
    }
    assertThat(unpriced).isEmpty();
    assertThat(checked).isGreaterThan(700);
  }

  private static String generatedDescription() {
    try (InputStream in = PriceCatalog.class.getResourceAsStream(
        PriceCatalog.GENERATED_RESOURCE)) {
      return JsonTree.parse(in, "prices-generated.json").get("description").text;
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  /** The prices of a context tier ("272" → above 272k) and service tier, or null. */
  private static Prices level(ModelPrice m, String tierK, String service) {
    Prices base = m.prices();
    Map<String, ModelPrice.ServiceTier> services = m.serviceTiers();
    if (tierK != null) {
      ModelPrice.Tier t = m.tiers().stream()
          .filter(x -> x.aboveInputTokens() == Long.parseLong(tierK) * 1000).findFirst()
          .orElse(null);
      if (t == null) {
        return null;
      }
      base = t.prices();
      services = t.serviceTiers();
    }
    if (service == null) {
      return base;
    }
    ModelPrice.ServiceTier st = services.get(SERVICE.get(service));
    return st == null ? null : st.pricesOrNull();
  }
}
