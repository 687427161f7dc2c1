package io.flowcost.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.flowcost.collector.Collector;
import io.flowcost.collector.rollup.LakeViews;
import io.flowcost.examples.fakeprovider.FakeProvider;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The real Spring AI 1.1.2 app ({@code examples/spring-ai-app}, Spring Boot 3.5.7) exporting its
 * own observations — Micrometer bridged to OpenTelemetry ({@code micrometer-tracing-bridge-otel}),
 * OTLP/HTTP ({@code opentelemetry-exporter-otlp}), the versions Boot manages — to real
 * collectors, against the fake provider:
 *
 * <ol>
 *   <li><b>without the agent</b>: a {@code call()}, a {@code stream()} without usage (Spring AI
 *       reports it as 0 in / 0 out: the lake keeps NULL tokens and marks the call unpriced and
 *       its workflow {@code cost_complete = false}, never a free call), a {@code stream()} with
 *       usage, a {@code @Tool} loop and a two-turn chat-memory conversation; the lake is compared
 *       with the fake's exchange log (rows, tokens, cost to the nano-dollar, the tool row, one
 *       workflow per user request, {@code cost_complete});
 *   <li><b>with the agent as well</b>, the agent's spans to one collector and the app's own spans
 *       to another, both writing one lake — so no collector sees both reports of a request and
 *       only the lake's derivation can match them: every provider request the fake received is
 *       one row (the agent's), the tool execution one tool row, each user request one workflow.
 * </ol>
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SpringAiOtlpEndToEndTest {

  private static final String MODEL = "gpt-4o-mini";
  /** The requests of the run without the agent: all but the retried 500. */
  private static final String APP_ONLY_REQUESTS = "call,stream,stream-usage,tool,memory";

  private Path work;
  private ChildJvm.Result appOnly;
  private ChildJvm.Result both;
  private Connection appOnlyLake;
  private Connection bothLake;
  private List<FakeExchanges.Expected> appOnlyExchanges;
  private List<FakeExchanges.Expected> bothExchanges;

  /**
   * An end-to-end test's collector ({@link AgentRun#collectorConfig}) on lake {@code lake} and
   * data dir {@code data} (two of them write one lake here), taking request bodies up to 16 MiB.
   */
  private static Collector collector(Path work, Path lake, Path data, String id)
      throws Exception {
    return Collector.start(AgentRun.collectorConfig(work, id)
        .localLake(lake)
        .dataDir(data)
        .maxBodyBytes(16L << 20)
        .build());
  }

  private static Path appJar() {
    return SpringAiEndToEndContract.appJar("spring-ai-app", "flowcost-spring-ai-app.jar");
  }

  /** Spring Boot's settings that turn the app's own OTLP export on, to {@code collector}. */
  private static List<String> exportTo(Collector collector) {
    return List.of("--management.tracing.enabled=true",
        "--management.otlp.tracing.endpoint=http://127.0.0.1:" + collector.port() + "/v1/traces");
  }

  @BeforeAll
  void runTheAppWithoutAndWithTheAgent() throws Exception {
    work = Files.createTempDirectory("flowcost-e2e-spring-ai-otlp");
    Path lake1 = work.resolve("lake-app-only");
    Path lake2 = work.resolve("lake-both");
    try (FakeProvider fake = FakeProvider.start()) {
      String base = fake.baseUrl().replaceAll("/v1$", "");
      Collector only = collector(work, lake1, work.resolve("data-app-only"), "e2e-otlp-app-only");
      try {
        List<String> args = new ArrayList<>(List.of("--spring.ai.openai.base-url=" + base,
            "--app.requests=" + APP_ONLY_REQUESTS));
        args.addAll(exportTo(only));
        appOnly = ChildJvm.run(ChildJvm.java17(), AgentRun.FAST_START, appJar(),
            args, work, 120);
      } finally {
        only.close(); // flushes and rolls up
      }
      fake.writeExchanges(work.resolve("exchanges-app-only.json"));
      fake.reset();

      Collector agentSide = collector(work, lake2, work.resolve("data-agent"), "e2e-otlp-agent");
      Collector appSide = collector(work, lake2, work.resolve("data-app"), "e2e-otlp-app");
      try {
        List<String> jvm = new ArrayList<>(AgentRun.FAST_START);
        jvm.addAll(List.of(
            "-javaagent:" + ChildJvm.agentJar(),
            "-Dflowcost.endpoint=http://127.0.0.1:" + agentSide.port(),
            "-Dflowcost.service=spring-ai-app",
            "-Dflowcost.llm-endpoints=" + fake.baseUrl(),
            "-Dflowcost.spool.dir=" + work.resolve("spool")));
        List<String> args = new ArrayList<>(List.of("--spring.ai.openai.base-url=" + base));
        args.addAll(exportTo(appSide));
        both = ChildJvm.run(ChildJvm.java17(), jvm, appJar(), args,
            work, 120);
      } finally {
        agentSide.close();
        appSide.close(); // the last rollup sees both collectors' rows
      }
      fake.writeExchanges(work.resolve("exchanges-both.json"));
    }
    assertThat(appOnly.exitCode()).as(appOnly.stderr()).isZero();
    assertThat(both.exitCode()).as(both.stderr()).isZero();
    appOnlyExchanges = FakeExchanges.read(work.resolve("exchanges-app-only.json"));
    bothExchanges = FakeExchanges.read(work.resolve("exchanges-both.json"));
    appOnlyLake = DriverManager.getConnection("jdbc:duckdb:");
    LakeViews.install(appOnlyLake, lake1, 7);
    bothLake = DriverManager.getConnection("jdbc:duckdb:");
    LakeViews.install(bothLake, lake2, 7);
  }

  @AfterAll
  void close() throws Exception {
    if (appOnlyLake != null) {
      appOnlyLake.close();
    }
    if (bothLake != null) {
      bothLake.close();
    }
  }

  // ---- without the agent -------------------------------------------------------------------

  @Test
  void withoutTheAgentEveryProviderRequestIsOneModelRow() throws Exception {
    // call; stream without usage; stream with usage; tool loop (2 requests); memory (2)
    assertThat(appOnlyExchanges).hasSize(7);
    assertThat(appOnlyExchanges).allMatch(e -> e.httpStatus() == 200);
    assertThat(appOnlyExchanges).filteredOn(e -> e.input() == null).as("the stream without usage")
        .singleElement().satisfies(e -> assertThat(e.streaming()).isTrue());
    // each row is the response the fake sent: its id is the fake's chatcmpl-fake-<sequence>
    List<String> ids = answeredIds(work.resolve("exchanges-app-only.json"));
    assertThat(strings(appOnlyLake, "SELECT response_id FROM calls WHERE kind = 'model'"))
        .containsExactlyInAnyOrderElementsOf(ids);
    // outside the tool loop, each row has its request's own usage (Spring AI's chat spans carry
    // no HTTP status and no stream flag: compare what they carry)
    List<String> lake = new ArrayList<>();
    List<String> log = new ArrayList<>();
    try (Statement st = appOnlyLake.createStatement(); ResultSet rs = st.executeQuery(
        "SELECT response_id, provider, request_model, input_tokens, cache_read_tokens,"
            + " output_tokens, reasoning_tokens FROM calls c WHERE kind = 'model' AND NOT EXISTS"
            + " (SELECT 1 FROM calls t WHERE t.kind = 'tool' AND t.workflow_id = c.workflow_id)")) {
      while (rs.next()) {
        lake.add(rs.getString(1) + "|" + rs.getString(2) + "|" + rs.getString(3) + "|in="
            + rs.getObject(4) + "|cr=" + rs.getObject(5) + "|out=" + rs.getObject(6) + "|rs="
            + rs.getObject(7));
        FakeExchanges.Expected e = appOnlyExchanges.get(ids.indexOf(rs.getString(1)));
        log.add(rs.getString(1) + "|" + e.provider() + "|" + e.model() + "|in=" + e.input()
            + "|cr=" + e.cacheRead() + "|out=" + e.output() + "|rs=" + e.reasoning());
      }
    }
    // the stream without usage: NULL tokens in the lake as in the fake's log (not 0/0)
    assertThat(lake).hasSize(5).containsExactlyInAnyOrderElementsOf(log);
    assertThat(scalar(appOnlyLake, "SELECT count(*) FROM calls WHERE kind NOT IN ('model', 'tool')"))
        .as("ChatClient, advisor and HTTP client spans are no rows").isZero();
    // unpriced only for want of usage: the one row without tokens, of a model the catalog has
    assertThat(strings(appOnlyLake, "SELECT request_model FROM calls WHERE unpriced"))
        .containsExactly(MODEL);
    assertThat(scalar(appOnlyLake,
        "SELECT count(*) FROM calls WHERE unpriced AND input_tokens IS NULL AND cost_usd IS NULL"))
        .isEqualTo(1);
  }

  @Test
  void withoutTheAgentTheToolLoopsCumulativeUsageIsCountedOnce() throws Exception {
    // Spring AI's second chat span of the loop reports round 1 + round 2; summed as reported, the
    // loop's first request would count twice. The lake's tokens are the fake's.
    long input = 0;
    long output = 0;
    for (FakeExchanges.Expected e : appOnlyExchanges) {
      if (e.input() != null) { // the stream without usage: NULL in the lake too
        input += e.input();
        output += e.output();
      }
    }
    assertThat(scalar(appOnlyLake, "SELECT sum(input_tokens) FROM calls WHERE kind = 'model'"))
        .isEqualTo(input);
    assertThat(scalar(appOnlyLake, "SELECT sum(output_tokens) FROM calls WHERE kind = 'model'"))
        .isEqualTo(output);
    try (Statement st = appOnlyLake.createStatement(); ResultSet rs = st.executeQuery(
        "SELECT t.tool_name, t.status, (SELECT count(*) FROM calls m WHERE m.kind = 'model'"
            + " AND m.workflow_id = t.workflow_id) FROM calls t WHERE t.kind = 'tool'")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getString(1)).isEqualTo("getWeather");
      assertThat(rs.getString(2)).isEqualTo("ok");
      assertThat(rs.getLong(3)).as("the loop's two model requests").isEqualTo(2);
      assertThat(rs.next()).as("one tool execution").isFalse();
    }
  }

  @Test
  void withoutTheAgentCostsAreTheListPricesAndOnlyTheStreamWithoutUsageIsIncomplete()
      throws Exception {
    HandPrices.Checked checked = HandPrices.checkPricedAttempts(appOnlyLake);
    assertThat(checked.rows()).isEqualTo(6);
    BigDecimal fromLog = BigDecimal.ZERO;
    for (FakeExchanges.Expected e : appOnlyExchanges) {
      if (e.input() == null) {
        continue; // no usage reported: its cost is unknown, not 0
      }
      fromLog = fromLog.add(HandPrices.cost(MODEL, e.input(), e.cacheRead(), e.cacheWrite(),
          e.cacheWrite1h(), e.output()));
    }
    assertThat(checked.total()).isEqualByComparingTo(fromLog);
    assertThat(decimal(appOnlyLake, "SELECT sum(cost_usd) FROM workflows_latest"))
        .isEqualByComparingTo(fromLog);
    // the stream without usage is the second user request: its workflow alone is incomplete
    assertThat(strings(appOnlyLake, "SELECT cost_complete FROM workflows_latest ORDER BY start_time"))
        .containsExactly("true", "false", "true", "true", "true", "true");
  }

  @Test
  void withoutTheAgentEachUserRequestIsOneWorkflow() throws Exception {
    // call, two streams, tool loop, two memory turns: one ChatClient root span each
    assertThat(workflows(appOnlyLake)).containsExactly("1/1/-", "1/1/-", "1/1/-", "3/2/-",
        "1/1/trip-42", "1/1/trip-42");
    System.out.println("spring-ai otlp, app only: " + names(appOnlyLake));
  }

  // ---- with the agent as well --------------------------------------------------------------

  @Test
  void withTheAgentTheAppDoesTheSame() {
    // the line naming the HTTP clients, then one line per user request
    assertThat(both.stdout().lines()).hasSize(7).first().asString().startsWith("0 clients ");
    assertThat(appOnly.stdout().lines()).hasSize(6);
    assertThat(both.stdout()).contains("calls=1").contains("remembered=4")
        .contains("6 retried fake-reply");
  }

  @Test
  void withTheAgentEveryProviderRequestIsCountedOnceAsTheAgentsRow() throws Exception {
    // call; stream; stream with usage; tool loop (2); memory (2); 500 + retry
    assertThat(bothExchanges).hasSize(9);
    List<String> lake = new ArrayList<>();
    try (Statement st = bothLake.createStatement(); ResultSet rs = st.executeQuery(
        "SELECT provider, request_model, http_status, streaming, tokens_estimated, input_tokens,"
            + " cache_read_tokens, cache_write_tokens, cache_write_1h_tokens, output_tokens,"
            + " reasoning_tokens FROM calls WHERE kind = 'model'")) {
      while (rs.next()) {
        boolean estimated = rs.getBoolean(5);
        lake.add(new FakeExchanges.Expected(rs.getString(1), rs.getString(2), rs.getInt(3),
            rs.getBoolean(4), estimated ? null : (Long) rs.getObject(6),
            estimated ? null : (Long) rs.getObject(7), estimated ? null : (Long) rs.getObject(8),
            estimated ? null : (Long) rs.getObject(9), estimated ? null : (Long) rs.getObject(10),
            estimated ? null : (Long) rs.getObject(11)).key());
      }
    }
    assertThat(lake).containsExactlyInAnyOrderElementsOf(FakeExchanges.keys(bothExchanges));
    assertThat(scalar(bothLake,
        "SELECT count(*) FROM calls WHERE kind = 'model' AND coalesce(foreign_span, true)"))
        .as("every kept model row is the agent's").isZero();
    assertThat(strings(bothLake,
        "SELECT response_id FROM calls WHERE kind = 'model' AND response_id IS NOT NULL"))
        .containsExactlyInAnyOrderElementsOf(answeredIds(work.resolve("exchanges-both.json")));
    // the app reported every answered request too: those rows are written, and left out
    assertThat(scalar(bothLake, "SELECT count(*) FROM calls_original WHERE kind = 'model'"
        + " AND foreign_span")).isEqualTo(8);
    assertThat(scalar(bothLake, "SELECT count(*) FROM shadow_workflows")).isEqualTo(7);
    assertThat(scalar(bothLake, "SELECT count(*) FROM calls WHERE kind = 'tool'")).isEqualTo(1);
    HandPrices.Checked checked = HandPrices.checkPricedAttempts(bothLake);
    assertThat(checked.rows()).isEqualTo(8);
    assertThat(decimal(bothLake, "SELECT sum(cost_usd) FROM workflows_latest"))
        .isEqualByComparingTo(checked.total());
  }

  @Test
  void withTheAgentEachUserRequestIsOneWorkflow() throws Exception {
    System.out.println("spring-ai otlp, with the agent: " + names(bothLake));
    assertThat(workflows(bothLake)).containsExactly("1/1/-", "1/1/-", "1/1/-", "3/2/-",
        "1/1/trip-42", "1/1/trip-42", "1/1/-");
  }

  // ---- helpers -----------------------------------------------------------------------------

  /** {@code calls/model_calls/conversation} of each workflow, in start order. */
  private static List<String> workflows(Connection duck) throws Exception {
    List<String> out = new ArrayList<>();
    try (Statement st = duck.createStatement(); ResultSet rs = st.executeQuery(
        "SELECT calls, model_calls, coalesce(conversation_id, '-') FROM workflows_latest"
            + " ORDER BY start_time")) {
      while (rs.next()) {
        out.add(rs.getLong(1) + "/" + rs.getLong(2) + "/" + rs.getString(3));
      }
    }
    return out;
  }

  /** The ids the fake gave its answered responses ({@code chatcmpl-fake-<sequence>}). */
  private static List<String> answeredIds(Path exchangeLog) throws Exception {
    List<String> ids = new ArrayList<>();
    for (JsonNode e : new ObjectMapper().readTree(exchangeLog.toFile())) {
      if (e.get("http_status").asInt() == 200) {
        ids.add("chatcmpl-fake-" + e.get("sequence").asLong());
      }
    }
    return ids;
  }

  private static List<String> strings(Connection duck, String sql) throws Exception {
    List<String> out = new ArrayList<>();
    try (Statement st = duck.createStatement(); ResultSet rs = st.executeQuery(sql)) {
      while (rs.next()) {
        out.add(rs.getString(1));
      }
    }
    return out;
  }

  private static List<String> names(Connection duck) throws Exception {
    List<String> out = new ArrayList<>();
    try (Statement st = duck.createStatement(); ResultSet rs = st.executeQuery(
        "SELECT workflow_name FROM workflows_latest ORDER BY start_time")) {
      while (rs.next()) {
        out.add(rs.getString(1));
      }
    }
    return out;
  }

  private static long scalar(Connection duck, String sql) throws Exception {
    try (Statement st = duck.createStatement(); ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static BigDecimal decimal(Connection duck, String sql) throws Exception {
    try (Statement st = duck.createStatement(); ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getBigDecimal(1);
    }
  }
}
