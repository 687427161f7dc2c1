package io.flowcost.pricing;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.flowcost.collector.cli.FlowcostCollector;
import io.flowcost.collector.ingest.CallRecord;
import io.flowcost.collector.ingest.IngestBatch;
import io.flowcost.collector.ingest.SpanInterpreter;
import io.flowcost.collector.pipeline.CatalogCallCoster;
import io.flowcost.pricing.JsonTree.Node;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * (In the pricing module's package, to reuse its LiteLLM fixtures from the pricing test-jar; it
 * lives in the collector because it prices through the collector's span path and CLI.)
 *
 * <p>Golden breadth: for every generated model (all current chat, reasoning and embedding models of
 * the 12 providers), the {@code price} command and a GenAI span for that model give the list
 * price, computed here independently from the LiteLLM map's per-token numbers with BigDecimal —
 * standard usage with cache reads and writes, a long-context call above the model's first
 * context tier, and a call served in a service tier. None is unpriced.
 */
class CatalogBreadthGoldenTest {

  private static final Instant AT = Instant.parse("2026-12-06T12:00:00Z");
  private static final Pattern TOTAL = Pattern.compile("total .*= \\$([0-9.]+)");
  private static final Pattern TIER_FIELD = Pattern.compile("_above_(\\d+)k_tokens");
  /** Flowcost provider → the gen_ai.provider.name a span reports. */
  private static final Map<String, String> OTEL = Map.ofEntries(Map.entry("openai", "openai"),
      Map.entry("anthropic", "anthropic"), Map.entry("gemini", "gcp.gemini"),
      Map.entry("vertex_ai", "gcp.vertex_ai"), Map.entry("bedrock", "aws.bedrock"),
      Map.entry("azure", "azure.ai.openai"), Map.entry("azure_ai", "azure.ai.inference"),
      Map.entry("mistral", "mistral_ai"), Map.entry("deepseek", "deepseek"),
      Map.entry("xai", "x_ai"), Map.entry("cohere", "cohere"), Map.entry("groq", "groq"));

  /** One priced case: what is reported, and the cost expected from the LiteLLM numbers. */
  record Case(String provider, String model, boolean embedding, long input, long cacheRead,
      long cacheWrite, long cacheWrite1h, long output, String serviceTier, BigDecimal expected,
      String what) {}

  @Test
  void everyGeneratedModelCostsItsLiteLlmListPriceThroughPriceAndThroughASpan() {
    Node lite = LiteLlmGeneratedCatalogTest.selectedMap();
    List<Case> cases = new ArrayList<>();
    Map<String, Integer> byProvider = new TreeMap<>();
    int tiered = 0;
    int oneHour = 0;
    int profiles = 0;
    for (LiteLlmGeneratedCatalogTest.Generated g : LiteLlmGeneratedCatalogTest.generated()) {
      Node v = lite.get(g.sourceKey());
      ModelPrice m = g.price();
      boolean embedding = "embedding".equals(m.kind());
      byProvider.merge(m.provider(), 1, Integer::sum);
      long cr = has(v, "cache_read_input_token_cost") ? 3_000 : 0;
      long cw = has(v, "cache_creation_input_token_cost") ? 2_000 : 0;
      long cw1h = cw > 0 && has(v, "cache_creation_input_token_cost_above_1hr") ? 500 : 0;
      long out = embedding ? 0 : 678;
      cases.add(expect(v, m, embedding, 12_345, cr, cw, cw1h, out, null, null, "standard"));
      Long firstTier = firstTier(v);
      if (firstTier != null) {
        long input = firstTier * 1000 + 1_000;
        cases.add(expect(v, m, embedding, input, cr, cw, cw1h, out, firstTier, null,
            "above " + firstTier + "k"));
        tiered++;
      }
      for (String[] st : new String[][] {{"priority", "priority"}, {"flex", "flex"},
          {"batches", "batch"}}) {
        if (has(v, "input_cost_per_token_" + st[0])) {
          cases.add(expect(v, m, embedding, 12_345, cr, cw, cw1h, out, null, st, st[1]));
          break;
        }
      }
      oneHour += cw1h > 0 ? 1 : 0;
      profiles += m.model().matches("^(us|eu|apac|jp|au|global)\\..*") ? 1 : 0;
    }
    // The breadth the issue asks for: ≥150 current models over all providers and kinds.
    assertThat(byProvider.keySet()).containsAll(OTEL.keySet());
    assertThat(byProvider.values().stream().mapToInt(Integer::intValue).sum())
        .isGreaterThanOrEqualTo(150);
    assertThat(tiered).isGreaterThan(20);
    assertThat(oneHour).isGreaterThan(20);
    assertThat(profiles).isGreaterThan(50);
    assertThat(cases.stream().filter(Case::embedding).count()).isGreaterThan(10);
    assertThat(cases.stream().filter(c -> c.serviceTier() != null).count()).isGreaterThan(50);

    // 1. the `price` command
    List<String> wrong = new ArrayList<>();
    for (Case c : cases) {
      String printed = priceCommand(c);
      Matcher t = TOTAL.matcher(printed);
      if (!t.find() || new BigDecimal(t.group(1)).compareTo(c.expected()) != 0) {
        wrong.add(c + " -> " + printed);
      }
    }
    assertThat(wrong).as("price command").isEmpty();

    // 2. a GenAI span for the model, priced as the collector prices it
    SpanInterpreter interpreter = new SpanInterpreter(Clock.fixed(AT, ZoneOffset.UTC));
    CatalogCallCoster coster = new CatalogCallCoster(() -> new CallPricer(PriceCatalog.bundled()));
    List<Span> spans = new ArrayList<>();
    for (int i = 0; i < cases.size(); i++) {
      spans.add(span(i, cases.get(i)));
    }
    IngestBatch batch = interpreter.interpret(request(spans));
    assertThat(batch.rejected()).isZero();
    assertThat(batch.calls()).hasSameSizeAs(cases);
    for (int i = 0; i < cases.size(); i++) {
      Case c = cases.get(i);
      CallRecord priced = coster.price(batch.calls().get(i));
      assertThat(priced.unpriced()).as(c.toString()).isFalse();
      assertThat(priced.costUsd()).as(c.toString()).isEqualByComparingTo(c.expected());
    }
  }

  private static boolean has(Node v, String field) {
    return v.get(field) != null && !v.get(field).isNull();
  }

  /** The lowest context tier (thousands of tokens) the LiteLLM entry prices, or null. */
  private static Long firstTier(Node v) {
    Long min = null;
    for (String f : v.fields.keySet()) {
      Matcher m = TIER_FIELD.matcher(f);
      if (f.matches("^(input_cost_per_token|output_cost_per_token|cache_read_input_token_cost"
          + "|cache_creation_input_token_cost(_above_1hr)?)_above_\\d+k_tokens$") && m.find()) {
        long k = Long.parseLong(m.group(1));
        min = min == null ? k : Math.min(min, k);
      }
    }
    return min;
  }

  /**
   * The expected cost from LiteLLM's per-token numbers. Within a context tier or service tier a
   * price the level leaves out is the standard one (LiteLLM's fallback); a cache write listed
   * below the input price of its level is ignored (docs/pricing.md); no cache price bills the
   * tokens as input, no 1-hour price uses the 5-minute one.
   */
  private static Case expect(Node v, ModelPrice m, boolean embedding, long input, long cr,
      long cw, long cw1h, long out, Long tierK, String[] st, String what) {
    List<String> chain = new ArrayList<>();
    if (tierK != null) {
      chain.add("_above_" + tierK + "k_tokens");
    }
    if (st != null) {
      chain.add("_" + st[0]);
    }
    chain.add("");
    BigDecimal in = first(v, "input_cost_per_token", chain);
    BigDecimal crP = orElse(first(v, "cache_read_input_token_cost", chain), in);
    BigDecimal cw5 = orElse(first(v, "cache_creation_input_token_cost", chain), in);
    BigDecimal cw1 = orElse(first(v, "cache_creation_input_token_cost_above_1hr", chain),
        cw5);
    BigDecimal outP = orElse(first(v, "output_cost_per_token", chain), BigDecimal.ZERO);
    BigDecimal fee = has(v, "input_cost_per_request")
        ? new BigDecimal(v.get("input_cost_per_request").text) : BigDecimal.ZERO;
    BigDecimal cost = BigDecimal.valueOf(input - cr - cw).multiply(in)
        .add(BigDecimal.valueOf(cr).multiply(crP))
        .add(BigDecimal.valueOf(cw - cw1h).multiply(cw5))
        .add(BigDecimal.valueOf(cw1h).multiply(cw1))
        .add(BigDecimal.valueOf(out).multiply(outP))
        .add(fee)
        .setScale(9, RoundingMode.HALF_EVEN);
    return new Case(m.provider(), m.model(), embedding, input, cr, cw, cw1h, out,
        st == null ? null : st[1], cost, what);
  }

  /**
   * The first value of {@code stem + suffix} along the chain; for a cache write, a value below
   * the input price of its own level is skipped.
   */
  private static BigDecimal first(Node v, String stem, List<String> chain) {
    for (String s : chain) {
      Node n = v.get(stem + s);
      if (n == null || n.isNull()) {
        continue;
      }
      BigDecimal value = new BigDecimal(n.text);
      if (stem.startsWith("cache_creation")) {
        Node levelInput = v.get("input_cost_per_token" + s);
        BigDecimal floor = new BigDecimal(
            (levelInput != null ? levelInput : v.get("input_cost_per_token")).text);
        if (value.compareTo(floor) < 0) {
          continue;
        }
      }
      return value;
    }
    return null;
  }

  private static BigDecimal orElse(BigDecimal a, BigDecimal b) {
    return a != null ? a : b;
  }

  private static String priceCommand(Case c) {
    List<String> args = new ArrayList<>(List.of("price", "--provider", c.provider(), "--model",
        c.model(), "--input", "" + c.input(), "--cache-read", "" + c.cacheRead(),
        "--cache-write", "" + c.cacheWrite(), "--cache-write-1h", "" + c.cacheWrite1h(),
        "--output", "" + c.output(), "--at", "2026-12-06"));
    if (c.embedding()) {
      args.add("--embedding");
    }
    if (c.serviceTier() != null) {
      args.addAll(List.of("--service-tier", c.serviceTier()));
    }
    PrintStream saved = System.out;
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    try (PrintStream capture = new PrintStream(buf, true, StandardCharsets.UTF_8)) {
      System.setOut(capture);
      int code = new CommandLine(new FlowcostCollector()).execute(args.toArray(String[]::new));
      assertThat(code).as(String.join(" ", args)).isZero();
    } finally {
      System.setOut(saved);
    }
    return buf.toString(StandardCharsets.UTF_8);
  }

  private static Span span(int i, Case c) {
    long t0 = AT.getEpochSecond() * 1_000_000_000L;
    Span.Builder b = Span.newBuilder()
        .setTraceId(ByteString.copyFrom(HexFormat.of().parseHex(
            "0af7651916cd43dd8448eb211c80319c")))
        .setSpanId(ByteString.copyFrom(HexFormat.of().parseHex(
            String.format("%016x", 0x1000L + i))))
        .setName((c.embedding() ? "embeddings " : "chat ") + c.model())
        .setStartTimeUnixNano(t0)
        .setEndTimeUnixNano(t0 + 1_000_000)
        .addAttributes(attr("gen_ai.operation.name", c.embedding() ? "embeddings" : "chat"))
        .addAttributes(attr("gen_ai.provider.name", OTEL.get(c.provider())))
        .addAttributes(attr("gen_ai.request.model", c.model()))
        .addAttributes(attr("gen_ai.usage.input_tokens", c.input()))
        .addAttributes(attr("gen_ai.usage.output_tokens", c.output()));
    if (c.cacheRead() > 0) {
      b.addAttributes(attr("gen_ai.usage.cache_read.input_tokens", c.cacheRead()));
    }
    if (c.cacheWrite() > 0) {
      // both names of the cache-write count occur in the wild; alternate them
      b.addAttributes(attr(i % 2 == 0 ? "gen_ai.usage.cache_write.input_tokens"
          : "gen_ai.usage.cache_creation.input_tokens", c.cacheWrite()));
    }
    if (c.cacheWrite1h() > 0) {
      b.addAttributes(attr("flowcost.usage.cache_creation_1h.input_tokens", c.cacheWrite1h()));
    }
    if (c.serviceTier() != null) {
      b.addAttributes(attr(i % 2 == 0 ? "openai.response.service_tier"
          : "gen_ai.openai.response.service_tier", c.serviceTier()));
    }
    return b.build();
  }

  private static ExportTraceServiceRequest request(List<Span> spans) {
    return ExportTraceServiceRequest.newBuilder().addResourceSpans(ResourceSpans.newBuilder()
        .setResource(Resource.newBuilder().addAttributes(attr("service.name", "breadth")))
        .addScopeSpans(ScopeSpans.newBuilder().addAllSpans(spans))).build();
  }

  private static KeyValue attr(String key, Object value) {
    AnyValue.Builder v = AnyValue.newBuilder();
    if (value instanceof String s) {
      v.setStringValue(s);
    } else if (value instanceof Long l) {
      v.setIntValue(l);
    }
    return KeyValue.newBuilder().setKey(key).setValue(v).build();
  }
}
