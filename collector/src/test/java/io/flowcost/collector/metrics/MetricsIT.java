package io.flowcost.collector.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.flowcost.collector.Collector;
import io.flowcost.collector.TestCollectors;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real collector fed OTLP spans and outcomes with known usage; {@code GET /metrics} is parsed
 * strictly as Prometheus text and its totals are compared with hand-computed figures and with
 * the Parquet lake read by DuckDB.
 */
class MetricsIT {

  private static final String A = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa1";
  private static final String B = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb2";
  private static final String C = "ccccccccccccccccccccccccccccccc3";

  @TempDir Path tmp;
  private Collector collector;
  private final HttpClient http = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(5)).build();
  private Path lake;
  private final long start = Instant.now().getEpochSecond() * 1_000_000_000L;

  private void start(MetricsSettings metrics, Path apiKeys) throws Exception {
    lake = tmp.resolve("lake");
    collector = Collector.start(TestCollectors.config(lake, tmp.resolve("data"), "test")
        .apiKeysFile(apiKeys)
        .maxBodyBytes(1024 * 1024)
        .metrics(metrics)
        .build());
  }

  @AfterEach
  void stop() throws Exception {
    if (collector != null) {
      collector.close();
    }
  }

  @Test
  void scrapedTotalsEqualHandComputedFiguresAndTheLake() throws Exception {
    start(MetricsSettings.DEFAULTS, null);
    // workflow A: its calls arrive first, its root (intent triage, team search) later
    post("/v1/traces", request("svc-a", List.of(
        call(A, "a000000000000001", "openai", "gpt-4o-mini", 1000, 400, 200, false, null),
        call(A, "a000000000000002", "openai", "gpt-4o", 2000, 0, 500, false, null),
        call(A, "a000000000000003", "openai", "gpt-4o", 300, 0, 0, true, null),
        call(A, "a000000000000004", "acme", "acme-x-1", 10, 0, 0, false, null))));
    // workflow B: calls before the root in the same request; a failed step's waste
    post("/v1/traces", request("svc-b", List.of(
        call(B, "b000000000000001", "openai", "gpt-4o-mini", 100, 0, 10, false, "failed_step"),
        root(B, "b0000000000000ff", "summarize", "ops"))));
    // workflow C: its root never comes (within the wait)
    post("/v1/traces", request("svc-a", List.of(
        call(C, "c000000000000001", "openai", "gpt-4o-mini", 1_000_000, 0, 0, false, null))));

    PrometheusText before = scrape();
    // A's spend waits for its root, C's too
    assertThat(before.sum("flowcost_attribution_pending_workflows")).isEqualByComparingTo("2");
    assertThat(before.sum("flowcost_intent_spend_usd_total"))
        .isEqualByComparingTo("0.000021");

    post("/v1/traces", request("svc-a", List.of(root(A, "a0000000000000ff", "triage", "search"))));
    // a resent request is acknowledged and counted once
    post("/v1/traces", request("svc-a", List.of(root(A, "a0000000000000ff", "triage", "search"))));
    post("/v1/outcomes", "{\"workflow_id\":\"" + A + "\",\"status\":\"failure\",\"outcome_id\":\"o1\"}");
    HttpResponse<String> bad = send("/v1/traces", "{not json", null);
    assertThat(bad.statusCode()).isEqualTo(400);

    PrometheusText m = scrape();
    // by hand (USD per million tokens): gpt-4o-mini 0.15 in, 0.075 cache read, 0.60 out;
    // gpt-4o 2.50 in, 10.00 out
    BigDecimal a1 = new BigDecimal("0.000240000"); // 600×0.15 + 400×0.075 + 200×0.60, /1e6
    BigDecimal a2 = new BigDecimal("0.010000000"); // 2000×2.50 + 500×10.00
    BigDecimal a3 = new BigDecimal("0.000750000"); // 300×2.50, a failed attempt: discarded
    BigDecimal b1 = new BigDecimal("0.000021000"); // 100×0.15 + 10×0.60, a failed step
    BigDecimal c1 = new BigDecimal("0.150000000"); // 1e6×0.15
    BigDecimal total = a1.add(a2).add(a3).add(b1).add(c1);
    assertThat(m.sum("flowcost_spend_usd_total")).isEqualByComparingTo(total);
    assertThat(m.sum("flowcost_spend_usd_total", Map.of("model", "gpt-4o")))
        .isEqualByComparingTo(a2.add(a3));
    assertThat(m.sum("flowcost_waste_usd_total")).isEqualByComparingTo(a3.add(b1));
    assertThat(m.sum("flowcost_waste_usd_total", Map.of("cause", "discarded")))
        .isEqualByComparingTo(a3);
    assertThat(m.sum("flowcost_unpriced_calls_total", Map.of("model", "acme-x-1")))
        .isEqualByComparingTo("1");
    assertThat(m.sum("flowcost_calls_total")).isEqualByComparingTo("6");
    assertThat(m.sum("flowcost_calls_total", Map.of("status", "error"))).isEqualByComparingTo("1");
    assertThat(m.sum("flowcost_intent_spend_usd_total",
        Map.of("intent", "triage", "team", "search", "service", "svc-a")))
        .isEqualByComparingTo(a1.add(a2).add(a3));
    assertThat(m.sum("flowcost_intent_spend_usd_total", Map.of("intent", "summarize", "team", "ops")))
        .isEqualByComparingTo(b1);
    assertThat(m.sum("flowcost_intent_waste_usd_total", Map.of("intent", "triage")))
        .isEqualByComparingTo(a3);
    assertThat(m.sum("flowcost_intent_unpriced_calls_total", Map.of("intent", "triage")))
        .isEqualByComparingTo("1");
    assertThat(m.sum("flowcost_intent_calls_total", Map.of("intent", "triage")))
        .isEqualByComparingTo("4");
    assertThat(m.sum("flowcost_workflows_total")).isEqualByComparingTo("2");
    assertThat(m.sum("flowcost_attribution_pending_workflows")).isEqualByComparingTo("1");
    assertThat(m.sum("flowcost_attribution_pending_usd")).isEqualByComparingTo(c1);
    // every dollar is either attributed or pending
    assertThat(m.sum("flowcost_intent_spend_usd_total").add(m.sum("flowcost_attribution_pending_usd")))
        .isEqualByComparingTo(total);
    assertThat(m.sum("flowcost_outcomes_total", Map.of("status", "failure")))
        .isEqualByComparingTo("1");
    assertThat(m.sum("flowcost_rejected_requests_total",
        Map.of("route", "/v1/traces", "reason", "bad_input"))).isEqualByComparingTo("1");
    assertThat(m.sum("flowcost_http_requests_total", Map.of("route", "/v1/traces", "code", "200")))
        .isEqualByComparingTo("5");
    // health: 6 calls, 2 roots, 1 outcome wait in the write-ahead log for the (hourly) flush
    assertThat(m.sum("flowcost_buffered_rows")).isEqualByComparingTo("9");
    assertThat(m.sum("flowcost_wal_bytes").signum()).isPositive();

    collector.flush();
    PrometheusText after = scrape();
    assertThat(after.sum("flowcost_buffered_rows")).isEqualByComparingTo("0");
    assertThat(after.sum("flowcost_flush_lag_seconds").doubleValue()).isLessThan(60);

    Map<String, BigDecimal> lakeFigures = lakeFigures();
    assertThat(after.sum("flowcost_spend_usd_total"))
        .isEqualByComparingTo(lakeFigures.get("spend"));
    assertThat(after.sum("flowcost_waste_usd_total"))
        .isEqualByComparingTo(lakeFigures.get("waste"));
    assertThat(after.sum("flowcost_calls_total")).isEqualByComparingTo(lakeFigures.get("calls"));
    assertThat(after.sum("flowcost_unpriced_calls_total"))
        .isEqualByComparingTo(lakeFigures.get("unpriced"));
    for (String type : List.of("input", "output", "cache_read", "cache_write")) {
      assertThat(after.sum("flowcost_tokens_total", Map.of("type", type))).as(type)
          .isEqualByComparingTo(lakeFigures.get(type));
    }
    assertThat(after.sum("flowcost_intent_spend_usd_total", Map.of("intent", "triage")))
        .isEqualByComparingTo(lakeFigures.get("intent:triage"));
    assertThat(after.sum("flowcost_intent_spend_usd_total", Map.of("intent", "summarize")))
        .isEqualByComparingTo(lakeFigures.get("intent:summarize"));
  }

  /**
   * Another producer's answered model span reporting 0 input and 0 output tokens (Spring AI's
   * OpenAI stream without {@code include_usage}) is a usage-missing row: NULL tokens, unpriced.
   * {@code flowcost_usage_missing_calls_total} rises by exactly the number of such rows — not for
   * a failed request's zeros (billed nothing), a call with usage, or a re-sent span — and equals
   * the lake's count of them.
   */
  @Test
  void usageMissingCallsAreCountedOncePerAnsweredZeroUsageRow() throws Exception {
    start(MetricsSettings.DEFAULTS, null);
    assertThat(scrape().sum("flowcost_usage_missing_calls_total")).isEqualByComparingTo("0");
    String missingMini = call(A, "d000000000000001", "openai", "gpt-4o-mini", 0, 0, 0, false, null);
    post("/v1/traces", request("svc-a", List.of(
        missingMini,
        call(A, "d000000000000002", "openai", "gpt-4o", 0, 0, 0, false, null),
        call(A, "d000000000000003", "openai", "gpt-4o-mini", 0, 0, 0, true, null),
        call(A, "d000000000000004", "openai", "gpt-4o-mini", 100, 0, 10, false, null))));

    PrometheusText m = scrape();
    assertThat(m.sum("flowcost_usage_missing_calls_total")).isEqualByComparingTo("2");
    assertThat(m.sum("flowcost_usage_missing_calls_total",
        Map.of("service", "svc-a", "model", "gpt-4o-mini"))).isEqualByComparingTo("1");
    assertThat(m.sum("flowcost_usage_missing_calls_total", Map.of("model", "gpt-4o")))
        .isEqualByComparingTo("1");
    // a usage-missing row is unpriced too (its cost unknown); the failed one is billed nothing
    assertThat(m.sum("flowcost_unpriced_calls_total")).isEqualByComparingTo("2");

    // one more such row, and a re-sent one (a duplicate, counted once): +1
    post("/v1/traces", request("svc-a", List.of(missingMini,
        call(B, "d000000000000005", "openai", "gpt-4o-mini", 0, 0, 0, false, null))));
    PrometheusText after = scrape();
    assertThat(after.sum("flowcost_usage_missing_calls_total")).isEqualByComparingTo("3");

    collector.flush();
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT count(*) FILTER (WHERE input_tokens IS NULL"
            + " AND output_tokens IS NULL AND status = 'ok' AND kind = 'model' AND unpriced),"
            + " count(*) FROM read_parquet('" + lake + "/calls/date=*/*.parquet')")) {
      rs.next();
      assertThat(rs.getLong(1)).as("usage-missing rows in the lake").isEqualTo(3);
      assertThat(rs.getLong(2)).as("rows in the lake").isEqualTo(5);
    }
    assertThat(scrape().sum("flowcost_usage_missing_calls_total")).isEqualByComparingTo("3");
  }

  @Test
  void spendWhoseRootNeverComesIsCountedUnattributedAfterTheWait() throws Exception {
    start(new MetricsSettings(20, "team", null, Duration.ZERO), null);
    post("/v1/traces", request("svc-a", List.of(
        call(C, "c000000000000001", "openai", "gpt-4o-mini", 1_000_000, 0, 0, false, null))));
    PrometheusText m = scrape();
    assertThat(m.sum("flowcost_intent_spend_usd_total",
        Map.of("intent", CollectorMetrics.UNATTRIBUTED, "service", "svc-a")))
        .isEqualByComparingTo("0.15");
    assertThat(m.sum("flowcost_attribution_pending_workflows")).isEqualByComparingTo("0");
  }

  @Test
  void aHundredModelsMakeAtMostNPlusOneLabelValues() throws Exception {
    start(new MetricsSettings(20, "team", null, Duration.ofMinutes(10)), null);
    List<String> spans = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      spans.add(call(A, String.format("%016x", 0x1000 + i), "acme", "model-\"" + i + "\"\n",
          10, 0, 1, false, null));
    }
    post("/v1/traces", request("svc", spans));
    PrometheusText m = scrape();
    for (String family : List.of("flowcost_calls_total", "flowcost_tokens_total",
        "flowcost_unpriced_calls_total")) {
      assertThat(m.labelValues(family, "model")).as(family).hasSize(21).contains("other")
          .contains("model-\"0\"\n");
    }
    assertThat(m.sum("flowcost_calls_total")).isEqualByComparingTo("100");
    assertThat(m.sum("flowcost_calls_total", Map.of("model", "other"))).isEqualByComparingTo("80");
  }

  @Test
  void withApiKeysMetricsNeedAKeyOrTheScrapeToken() throws Exception {
    Path keys = tmp.resolve("keys.txt");
    java.nio.file.Files.writeString(keys, "k-123 = team=search\n");
    start(new MetricsSettings(20, "team", "scrape-secret", Duration.ofMinutes(10)), keys);
    assertThat(send("/metrics", null, null).statusCode()).isEqualTo(401);
    assertThat(send("/metrics", null, "wrong").statusCode()).isEqualTo(401);
    assertThat(send("/metrics", null, "scrape-secret").statusCode()).isEqualTo(200);
    assertThat(send("/metrics", null, "k-123").statusCode()).isEqualTo(200);
    PrometheusText m = PrometheusText.parse(send("/metrics", null, "k-123").body());
    assertThat(m.sum("flowcost_rejected_requests_total",
        Map.of("route", "/metrics", "reason", "unauthorized"))).isEqualByComparingTo("2");
  }

  private Map<String, BigDecimal> lakeFigures() throws Exception {
    Map<String, BigDecimal> out = new HashMap<>();
    String calls = "read_parquet('" + lake + "/calls/date=*/*.parquet')";
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
        Statement st = c.createStatement()) {
      try (ResultSet rs = st.executeQuery("SELECT sum(cost_usd), "
          + " sum(CASE WHEN wasted THEN cost_usd ELSE 0 END), count(*),"
          + " count(*) FILTER (WHERE unpriced), sum(input_tokens), sum(output_tokens),"
          + " sum(cache_read_tokens), sum(cache_write_tokens) FROM " + calls)) {
        rs.next();
        out.put("spend", rs.getBigDecimal(1));
        out.put("waste", rs.getBigDecimal(2));
        out.put("calls", rs.getBigDecimal(3));
        out.put("unpriced", rs.getBigDecimal(4));
        out.put("input", rs.getBigDecimal(5));
        out.put("output", rs.getBigDecimal(6));
        out.put("cache_read", rs.getBigDecimal(7));
        out.put("cache_write", rs.getBigDecimal(8));
      }
      try (ResultSet rs = st.executeQuery("SELECT w.workflow_name, sum(c.cost_usd) FROM "
          + calls + " c JOIN read_parquet('" + lake + "/workflow_spans/date=*/*.parquet') w"
          + " USING (workflow_id) GROUP BY 1")) {
        while (rs.next()) {
          out.put("intent:" + rs.getString(1), rs.getBigDecimal(2));
        }
      }
    }
    return out;
  }

  private PrometheusText scrape() throws Exception {
    HttpResponse<String> r = send("/metrics", null, null);
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(
        t -> assertThat(t).startsWith("text/plain; version=0.0.4"));
    return PrometheusText.parse(r.body());
  }

  private void post(String path, String body) throws Exception {
    HttpResponse<String> r = send(path, body, null);
    assertThat(r.statusCode()).as(r.body()).isBetween(200, 202);
  }

  private HttpResponse<String> send(String path, String body, String bearer) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + collector.port() + path)).timeout(Duration.ofSeconds(20));
    if (bearer != null) {
      b.header("Authorization", "Bearer " + bearer);
    }
    if (body != null) {
      b.header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
    } else {
      b.GET();
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String request(String service, List<String> spans) {
    return "{\"resourceSpans\":[{\"resource\":{\"attributes\":[{\"key\":\"service.name\","
        + "\"value\":{\"stringValue\":\"" + service + "\"}}]},\"scopeSpans\":[{\"spans\":["
        + String.join(",", spans) + "]}]}]}";
  }

  private String root(String trace, String spanId, String intent, String team) {
    return """
        {"traceId":"%s","spanId":"%s","name":"root","startTimeUnixNano":"%d",
         "endTimeUnixNano":"%d","attributes":[
          {"key":"flowcost.workflow.root","value":{"boolValue":true}},
          {"key":"flowcost.workflow.name","value":{"stringValue":"%s"}},
          {"key":"flowcost.tag.team","value":{"stringValue":"%s"}}]}"""
        .formatted(trace, spanId, start, start + 5_000_000L, intent, team);
  }

  private String call(String trace, String spanId, String provider, String model, long input,
      long cacheRead, long output, boolean failed, String wasteCause) {
    String json = model.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    return """
        {"traceId":"%s","spanId":"%s","parentSpanId":"%s","name":"chat","kind":3,
         "startTimeUnixNano":"%d","endTimeUnixNano":"%d",%s"attributes":[
          {"key":"gen_ai.operation.name","value":{"stringValue":"chat"}},
          {"key":"gen_ai.provider.name","value":{"stringValue":"%s"}},
          {"key":"gen_ai.request.model","value":{"stringValue":"%s"}},
          {"key":"gen_ai.usage.input_tokens","value":{"intValue":"%d"}},
          {"key":"gen_ai.usage.cache_read.input_tokens","value":{"intValue":"%d"}},
          %s{"key":"gen_ai.usage.output_tokens","value":{"intValue":"%d"}}]}"""
        .formatted(trace, spanId, "f".repeat(16), start + 1000, start + 2000,
            failed ? "\"status\":{\"code\":2}," : "", provider, json, input, cacheRead,
            wasteCause == null ? ""
                : "{\"key\":\"flowcost.waste_cause\",\"value\":{\"stringValue\":\"" + wasteCause
                    + "\"}},",
            output);
  }
}
