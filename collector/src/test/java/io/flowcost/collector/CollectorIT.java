package io.flowcost.collector;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An embedded collector, fed over HTTP, read back from the Parquet lake with DuckDB. */
class CollectorIT {

  /**
   * The day the test's spans start: two days ago, so outcomes reported now fall inside the 7-day
   * horizon whatever day the test runs (a fixed date made them late, and "unknown", once it was
   * a week old).
   */
  private static final java.time.LocalDate DAY =
      java.time.LocalDate.now(java.time.ZoneOffset.UTC).minusDays(2);


  private static final String TRACE_ID = "5b8efff798038103d269b633813fc60c";

  @TempDir Path tmp;
  private Collector collector;
  private final HttpClient http = HttpClient.newHttpClient();
  private Path lake;

  @BeforeEach
  void start() throws Exception {
    lake = tmp.resolve("lake");
    collector = Collector.start(TestCollectors.config(lake, tmp.resolve("data"), "test")
        .maxBodyBytes(64 * 1024)
        .build());
  }

  @AfterEach
  void stop() throws Exception {
    collector.close();
  }

  @Test
  void otlpJsonSpanKeepsItsHexTraceIdAsWorkflowIdAndIsPricedByHand() throws Exception {
    long start = DAY.atTime(10, 0).toInstant(java.time.ZoneOffset.UTC).getEpochSecond() * 1_000_000_000L;
    String body = """
        {"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"py-bot"}}]},
         "scopeSpans":[{"spans":[
          {"traceId":"%1$s","spanId":"1111111111111111","name":"answer-question","kind":1,
           "startTimeUnixNano":"%2$d","endTimeUnixNano":"%3$d"},
          {"traceId":"%1$s","spanId":"2222222222222222","parentSpanId":"1111111111111111",
           "name":"chat gpt-4o-mini","kind":3,"startTimeUnixNano":"%2$d","endTimeUnixNano":"%3$d",
           "attributes":[
            {"key":"gen_ai.operation.name","value":{"stringValue":"chat"}},
            {"key":"gen_ai.provider.name","value":{"stringValue":"openai"}},
            {"key":"gen_ai.request.model","value":{"stringValue":"gpt-4o-mini"}},
            {"key":"gen_ai.usage.input_tokens","value":{"intValue":"1000"}},
            {"key":"gen_ai.usage.cache_read.input_tokens","value":{"intValue":"400"}},
            {"key":"gen_ai.usage.output_tokens","value":{"intValue":"200"}},
            {"key":"gen_ai.input.messages","value":{"stringValue":"SECRET-PROMPT-MARKER"}}]}]}]}]}
        """.formatted(TRACE_ID, start, start + 2_000_000_000L);
    HttpResponse<String> r = post("/v1/traces", "application/json", body);
    assertThat(r.statusCode()).isEqualTo(200);

    HttpResponse<String> o = post("/v1/outcomes", "application/json",
        "{\"workflow_id\":\"" + TRACE_ID + "\",\"status\":\"success\",\"outcome_id\":\"o-1\"}");
    assertThat(o.statusCode()).isEqualTo(202);
    // a repeated outcome_id is acknowledged again and stored once
    assertThat(post("/v1/outcomes", "application/json",
        "{\"workflow_id\":\"" + TRACE_ID + "\",\"status\":\"success\",\"outcome_id\":\"o-1\"}")
        .statusCode()).isEqualTo(202);

    collector.close();

    try (Connection c = duck(); Statement st = c.createStatement()) {
      ResultSet rs = st.executeQuery("SELECT workflow_id, call_id, span_id, kind, attempt,"
          + " input_tokens, cache_read_tokens, output_tokens, cost_usd, unpriced"
          + " FROM read_parquet('" + lake + "/calls/date=*/*.parquet')");
      assertThat(rs.next()).isTrue();
      assertThat(rs.getString("workflow_id")).isEqualTo(TRACE_ID);
      assertThat(rs.getString("call_id")).isEqualTo("2222222222222222");
      assertThat(rs.getInt("attempt")).isEqualTo(1);
      assertThat(rs.getLong("input_tokens")).isEqualTo(1000);
      // gpt-4o-mini: $0.15/M input, $0.075/M cached input, $0.60/M output
      // (1000-400)*0.15/1e6 + 400*0.075/1e6 + 200*0.60/1e6 = 0.00009 + 0.00003 + 0.00012
      assertThat(rs.getBigDecimal("cost_usd")).isEqualByComparingTo(new BigDecimal("0.000240000"));
      assertThat(rs.getBoolean("unpriced")).isFalse();
      assertThat(rs.next()).isFalse();

      rs = st.executeQuery("SELECT workflow_id, workflow_name, outcome, cost_usd, version"
          + " FROM read_parquet('" + lake + "/workflows/date=*/*.parquet')");
      assertThat(rs.next()).isTrue();
      assertThat(rs.getString("workflow_id")).isEqualTo(TRACE_ID);
      assertThat(rs.getString("workflow_name")).isEqualTo("answer-question");
      assertThat(rs.getString("outcome")).isEqualTo("success");
      assertThat(rs.getBigDecimal("cost_usd")).isEqualByComparingTo("0.00024");
      assertThat(rs.getLong("version")).isGreaterThan(0);
      assertThat(rs.next()).isFalse();

      rs = st.executeQuery("SELECT count(*) FROM read_parquet('" + lake
          + "/outcomes/date=*/*.parquet')");
      rs.next();
      assertThat(rs.getLong(1)).isEqualTo(1);

      rs = st.executeQuery("SELECT successes, total_cost_usd, cost_per_success_usd FROM read_parquet('"
          + lake + "/cost_per_outcome/date=*/*.parquet')");
      rs.next();
      assertThat(rs.getLong(1)).isEqualTo(1);
      assertThat(rs.getBigDecimal(3)).isEqualByComparingTo("0.00024");
    }
    // the snapshots have exactly the columns of lake.sql's typed empty stand-ins (and docs/lake.md)
    for (String table : List.of("workflows", "cost_per_outcome", "calls", "outcomes",
        "workflow_spans", "coverage", "rollups")) {
      try (Connection c = duck()) {
        io.flowcost.collector.rollup.LakeViews.install(c, tmp.resolve("empty-lake"), 7);
        assertThat(columns(c, "SELECT * FROM read_parquet('" + lake + "/" + table
            + "/date=*/*.parquet', hive_partitioning = true)"))
            .as(table)
            .isEqualTo(columns(c, "SELECT * FROM flowcost_empty_" + table));
      }
    }
    // the report's per-intent table reads the same figures back, with a TOTAL line
    var lines = new io.flowcost.collector.report.IntentReport(lake, false).lines();
    assertThat(lines).extracting(l -> l.intent()).containsExactly("answer-question", "TOTAL");
    assertThat(lines.get(1).successes()).isEqualTo(1);
    assertThat(lines.get(1).cost()).isEqualByComparingTo("0.00024");
    assertThat(lines.get(1).costPerSuccess()).isEqualByComparingTo("0.00024");
    // content attributes never reach the lake
    assertThat(lakeBytesContain("SECRET-PROMPT-MARKER")).isFalse();
  }

  @Test
  void badInputGets400NamingTheProblemAndLosesNothingElse() throws Exception {
    HttpResponse<String> r = post("/v1/traces", "application/json", "{not json");
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.body()).contains("malformed OTLP/JSON");

    r = post("/v1/traces", "application/x-protobuf", "\u0008\u00ff\u00ff garbage");
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.body()).contains("malformed OTLP protobuf");

    r = post("/v1/traces", "application/json",
        "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"traceId\":\"xyz\",\"spanId\":\"1\"}]}]}]}");
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.body()).contains("traceId").contains("hex");

    r = post("/v1/outcomes", "application/json", "{\"workflow_id\":\"abc\",\"status\":\"success\"}");
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.body()).contains("workflow_id");

    r = post("/v1/outcomes", "application/json",
        "{\"external_key\":\"T-1\",\"status\":\"maybe\"}");
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.body()).contains("status");

    r = post("/v1/outcomes", "application/json", "x".repeat(70 * 1024));
    assertThat(r.statusCode()).isEqualTo(413);

    // an outcome for a workflow nobody has seen yet is kept
    r = post("/v1/outcomes", "application/json",
        "{\"external_key\":\"T-1\",\"status\":\"failure\",\"reason\":\"late\"}");
    assertThat(r.statusCode()).isEqualTo(202);
    collector.close();
    try (Connection c = duck(); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT external_key, status FROM read_parquet('" + lake
            + "/outcomes/date=*/*.parquet')")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getString(1)).isEqualTo("T-1");
      assertThat(rs.next()).isFalse();
    }
    try (Connection c = duck()) {
      io.flowcost.collector.rollup.LakeViews.install(c, lake, 7);
      try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
          "SELECT sum(orphan_outcomes), sum(outcomes_rejected), sum(spans_rejected)"
              + " FROM coverage_daily")) {
        rs.next();
        assertThat(rs.getLong(1)).as("the kept outcome whose workflow never came").isEqualTo(1);
        assertThat(rs.getLong(2)).as("400 outcome requests").isEqualTo(2);
        assertThat(rs.getLong(3)).as("400 span requests").isPositive();
      }
    }
  }

  @Test
  void anOutcomeThatArrivesBeforeItsWorkflowIsJoinedWhenTheWorkflowArrives() throws Exception {
    String trace = "0123456789abcdef0123456789abcdef";
    assertThat(post("/v1/outcomes", "application/json",
        "{\"workflow_id\":\"" + trace + "\",\"status\":\"failure\",\"reason\":\"early\"}")
        .statusCode()).isEqualTo(202);
    collector.flush();
    long start = Instant.now().getEpochSecond() * 1_000_000_000L;
    String spans = """
        {"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"svc"}}]},
         "scopeSpans":[{"spans":[
          {"traceId":"%1$s","spanId":"1111111111111111","name":"late-root",
           "startTimeUnixNano":"%2$d","endTimeUnixNano":"%3$d"}]}]}]}
        """.formatted(trace, start, start + 1_000_000L);
    assertThat(post("/v1/traces", "application/json", spans).statusCode()).isEqualTo(200);
    collector.close();
    try (Connection c = duck()) {
      io.flowcost.collector.rollup.LakeViews.install(c, lake, 7);
      try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
          "SELECT workflow_name, outcome, outcome_reason FROM workflows_latest")) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getString(1)).isEqualTo("late-root");
        assertThat(rs.getString(2)).isEqualTo("failure");
        assertThat(rs.getString(3)).isEqualTo("early");
        assertThat(rs.next()).isFalse();
      }
    }
  }

  @Test
  void aLateRootSpanMovesItsWorkflowToAnEarlierDayAndTheEmptiedDayIsSuperseded()
      throws Exception {
    String trace = "fedcba9876543210fedcba9876543210";
    long rootStart = DAY.atTime(23, 59, 59).toInstant(java.time.ZoneOffset.UTC).getEpochSecond() * 1_000_000_000L;
    long callStart = DAY.plusDays(1).atTime(0, 0, 1).toInstant(java.time.ZoneOffset.UTC).getEpochSecond() * 1_000_000_000L;
    String call = """
        {"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"svc"}}]},
         "scopeSpans":[{"spans":[
          {"traceId":"%1$s","spanId":"2222222222222222","parentSpanId":"1111111111111111",
           "name":"chat","startTimeUnixNano":"%2$d","endTimeUnixNano":"%3$d","attributes":[
            {"key":"gen_ai.operation.name","value":{"stringValue":"chat"}},
            {"key":"gen_ai.provider.name","value":{"stringValue":"openai"}},
            {"key":"gen_ai.request.model","value":{"stringValue":"gpt-4o-mini"}},
            {"key":"gen_ai.usage.input_tokens","value":{"intValue":"100"}},
            {"key":"gen_ai.usage.output_tokens","value":{"intValue":"10"}}]}]}]}]}
        """.formatted(trace, callStart, callStart + 1_000_000L);
    assertThat(post("/v1/traces", "application/json", call).statusCode()).isEqualTo(200);
    collector.flush();
    collector.rollupNow(); // the workflow is first known on DAY + 1, from its call
    String root = """
        {"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"svc"}}]},
         "scopeSpans":[{"spans":[
          {"traceId":"%1$s","spanId":"1111111111111111","name":"midnight-job",
           "startTimeUnixNano":"%2$d","endTimeUnixNano":"%3$d"}]}]}]}
        """.formatted(trace, rootStart, callStart + 2_000_000L);
    assertThat(post("/v1/traces", "application/json", root).statusCode()).isEqualTo(200);
    collector.close();
    try (Connection c = duck()) {
      io.flowcost.collector.rollup.LakeViews.install(c, lake, 7);
      try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
          "SELECT day, workflow_name, calls FROM workflows_latest")) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getString(1)).isEqualTo(DAY.toString());
        assertThat(rs.getString(2)).isEqualTo("midnight-job");
        assertThat(rs.getLong(3)).isEqualTo(1);
        assertThat(rs.next()).as("the workflow is counted once").isFalse();
      }
      try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
          "SELECT sum(workflows) FROM cost_per_outcome_latest")) {
        rs.next();
        assertThat(rs.getLong(1)).isEqualTo(1);
      }
    }
  }

  /**
   * Spans exactly as a Python app instrumented by {@code opentelemetry-instrumentation-openai-v2}
   * sends them: the older {@code gen_ai.system} attribute, no Flowcost attributes, the chat span as
   * the root of its trace, and the service tier under its OpenAI-specific name.
   */
  @Test
  void genAiSpansOfAPythonOpenAiV2AppLandPricedInTheLake() throws Exception {
    String trace = "4bf92f3577b34da6a3ce929d0e0e4736";
    long start = Instant.now().getEpochSecond() * 1_000_000_000L;
    String body = """
        {"resourceSpans":[{"resource":{"attributes":[
           {"key":"service.name","value":{"stringValue":"python-support-bot"}},
           {"key":"telemetry.sdk.language","value":{"stringValue":"python"}}]},
         "scopeSpans":[{"scope":{"name":"opentelemetry.instrumentation.openai_v2","version":"2.1b0"},
          "spans":[{"traceId":"%1$s","spanId":"00f067aa0ba902b7","name":"chat gpt-4o-mini","kind":3,
           "startTimeUnixNano":"%2$d","endTimeUnixNano":"%3$d","status":{},
           "attributes":[
            {"key":"gen_ai.operation.name","value":{"stringValue":"chat"}},
            {"key":"gen_ai.system","value":{"stringValue":"openai"}},
            {"key":"gen_ai.request.model","value":{"stringValue":"gpt-4o-mini"}},
            {"key":"gen_ai.response.model","value":{"stringValue":"gpt-4o-mini-2024-07-18"}},
            {"key":"gen_ai.response.id","value":{"stringValue":"chatcmpl-123"}},
            {"key":"gen_ai.response.finish_reasons","value":{"arrayValue":{"values":[{"stringValue":"stop"}]}}},
            {"key":"gen_ai.openai.request.service_tier","value":{"stringValue":"auto"}},
            {"key":"gen_ai.openai.response.service_tier","value":{"stringValue":"default"}},
            {"key":"gen_ai.usage.input_tokens","value":{"intValue":"2006"}},
            {"key":"gen_ai.usage.output_tokens","value":{"intValue":"300"}},
            {"key":"server.address","value":{"stringValue":"api.openai.com"}},
            {"key":"server.port","value":{"intValue":"443"}}]}]}]}]}
        """.formatted(trace, start, start + 900_000_000L);
    assertThat(post("/v1/traces", "application/json", body).statusCode()).isEqualTo(200);
    collector.close();
    try (Connection c = duck()) {
      io.flowcost.collector.rollup.LakeViews.install(c, lake, 7);
      try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
          "SELECT c.workflow_id, c.kind, c.provider, c.response_model, c.service_tier,"
              + " c.finish_reason, c.cost_usd, c.unpriced, w.workflow_name, w.service"
              + " FROM calls c JOIN workflows_latest w USING (workflow_id)")) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getString(1)).isEqualTo(trace);
        assertThat(rs.getString(2)).isEqualTo("model");
        assertThat(rs.getString(3)).isEqualTo("openai");
        assertThat(rs.getString(4)).isEqualTo("gpt-4o-mini-2024-07-18");
        assertThat(rs.getString(5)).isEqualTo("default");
        assertThat(rs.getString(6)).isEqualTo("stop");
        // gpt-4o-mini list price: 2006 × $0.15/M + 300 × $0.60/M = 0.0003009 + 0.00018
        assertThat(rs.getBigDecimal(7)).isEqualByComparingTo("0.000480900");
        assertThat(rs.getBoolean(8)).isFalse();
        assertThat(rs.getString(9)).isEqualTo("chat gpt-4o-mini"); // the root span's name
        assertThat(rs.getString(10)).isEqualTo("python-support-bot");
        assertThat(rs.next()).isFalse();
      }
    }
  }

  @Test
  void healthAnswers() throws Exception {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri("/health")).GET().build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).contains("\"status\":\"ok\"");
  }

  @Test
  void aProviderReportedCostIsKeptBesideTheCatalogCostAndComparedPerDayAndModel()
      throws Exception {
    long start = DAY.atTime(10, 0).toInstant(java.time.ZoneOffset.UTC).getEpochSecond() * 1_000_000_000L;
    String span = """
        {"traceId":"%1$s","spanId":"%2$s","name":"chat","kind":3,
         "startTimeUnixNano":"%3$d","endTimeUnixNano":"%4$d","attributes":[
          {"key":"gen_ai.operation.name","value":{"stringValue":"chat"}},
          {"key":"gen_ai.provider.name","value":{"stringValue":"openai"}},
          {"key":"gen_ai.request.model","value":{"stringValue":"gpt-4o-mini"}},
          {"key":"gen_ai.usage.input_tokens","value":{"intValue":"1000"}},
          {"key":"gen_ai.usage.output_tokens","value":{"intValue":"200"}},
          %5$s]}""";
    String body = "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":["
        // gpt-4o-mini list price: 1000 × 0.15/M + 200 × 0.60/M = 0.00027 each
        + span.formatted(TRACE_ID, "4444444444444441", start, start + 1000,
            "{\"key\":\"gen_ai.usage.cost.amount\",\"value\":{\"doubleValue\":0.0003}},"
                + "{\"key\":\"gen_ai.usage.cost.currency\",\"value\":{\"stringValue\":\"USD\"}}")
        + "," + span.formatted(TRACE_ID, "4444444444444442", start, start + 1000,
            "{\"key\":\"http.response.header.x-litellm-response-cost\",\"value\":"
                + "{\"arrayValue\":{\"values\":[{\"stringValue\":\"0.00025\"}]}}}")
        + "," + span.formatted(TRACE_ID, "4444444444444443", start, start + 1000,
            "{\"key\":\"gen_ai.usage.cost.amount\",\"value\":{\"doubleValue\":9.5}},"
                + "{\"key\":\"gen_ai.usage.cost.currency\",\"value\":{\"stringValue\":\"EUR\"}}")
        + "]}]}]}";
    assertThat(post("/v1/traces", "application/json", body).statusCode()).isEqualTo(200);
    collector.close();

    try (Connection c = duck(); Statement st = c.createStatement()) {
      ResultSet rs = st.executeQuery("SELECT span_id, cost_usd, provider_cost_usd FROM"
          + " read_parquet('" + lake + "/calls/date=*/*.parquet') ORDER BY span_id");
      assertThat(rs.next()).isTrue();
      assertThat(rs.getBigDecimal(2)).isEqualByComparingTo("0.00027");
      assertThat(rs.getBigDecimal(3)).isEqualByComparingTo("0.0003");
      assertThat(rs.next()).isTrue();
      assertThat(rs.getBigDecimal(3)).isEqualByComparingTo("0.00025");
      assertThat(rs.next()).isTrue();
      assertThat(rs.getBigDecimal(3)).as("a cost in EUR is not a USD cost").isNull();
    }
    try (Connection c = duck()) {
      io.flowcost.collector.rollup.LakeViews.install(c, tmp.resolve("empty-lake"), 7);
      assertThat(columns(c, "SELECT * FROM read_parquet('" + lake
          + "/calls/date=*/*.parquet', hive_partitioning = true)"))
          .isEqualTo(columns(c, "SELECT * FROM flowcost_empty_calls"));
    }
    var rows = new io.flowcost.collector.report.IntentReport(lake, true).providerCost();
    assertThat(rows).singleElement().satisfies(r -> {
      assertThat(r.day()).isEqualTo(DAY);
      assertThat(r.provider() + "/" + r.model()).isEqualTo("openai/gpt-4o-mini");
      assertThat(r.calls()).isEqualTo(2);
      assertThat(r.catalogCost()).isEqualByComparingTo("0.00054");
      assertThat(r.providerCost()).isEqualByComparingTo("0.00055");
      // (0.0003 − 0.00027) + (0.00025 − 0.00027) = 0.00001
      assertThat(r.difference()).isEqualByComparingTo("0.00001");
    });
  }

  @Test
  void healthNamesEachModelSeenUnpricedWithItsCallCount() throws Exception {
    long start = Instant.now().getEpochSecond() * 1_000_000_000L;
    String span = """
        {"traceId":"%1$s","spanId":"%2$s","name":"chat","kind":3,
         "startTimeUnixNano":"%3$d","endTimeUnixNano":"%4$d","attributes":[
          {"key":"gen_ai.operation.name","value":{"stringValue":"chat"}},
          {"key":"gen_ai.provider.name","value":{"stringValue":"%5$s"}},
          {"key":"gen_ai.request.model","value":{"stringValue":"%6$s"}},
          {"key":"gen_ai.usage.input_tokens","value":{"intValue":"10"}}]}""";
    String body = "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":["
        + span.formatted(TRACE_ID, "3333333333333331", start, start + 1000, "acme", "acme-x-1")
        + "," + span.formatted(TRACE_ID, "3333333333333332", start, start + 1000, "acme", "acme-x-1")
        + "," + span.formatted(TRACE_ID, "3333333333333333", start, start + 1000, "openai", "gpt-5.2")
        + "]}]}]}";
    assertThat(post("/v1/traces", "application/json", body).statusCode()).isEqualTo(200);
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri("/health")).GET().build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(r.body()).contains("\"unpriced_models\":{\"acme/acme-x-1\":2}");
  }

  private HttpResponse<String> post(String path, String type, String body) throws Exception {
    return http.send(HttpRequest.newBuilder(uri(path)).header("Content-Type", type)
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private URI uri(String path) {
    return URI.create("http://127.0.0.1:" + collector.port() + path);
  }

  private static List<String> columns(Connection c, String query) throws Exception {
    List<String> out = new ArrayList<>();
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("DESCRIBE " + query)) {
      while (rs.next()) {
        out.add(rs.getString("column_name") + " " + rs.getString("column_type"));
      }
    }
    return out;
  }

  private static Connection duck() throws Exception {
    return DriverManager.getConnection("jdbc:duckdb:");
  }

  private boolean lakeBytesContain(String marker) throws Exception {
    List<Path> files = new ArrayList<>();
    try (Stream<Path> s = Files.walk(tmp)) {
      s.filter(Files::isRegularFile).forEach(files::add);
    }
    byte[] needle = marker.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    for (Path f : files) {
      byte[] data = Files.readAllBytes(f);
      outer:
      for (int i = 0; i + needle.length <= data.length; i++) {
        for (int j = 0; j < needle.length; j++) {
          if (data[i + j] != needle[j]) {
            continue outer;
          }
        }
        return true;
      }
    }
    return false;
  }
}
