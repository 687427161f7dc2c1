package io.flowcost.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.flowcost.collector.Collector;
import io.flowcost.collector.report.IntentReport;
import io.flowcost.collector.rollup.LakeViews;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A LangChain4j agent whose tool loop never ends (the fake answers every turn with another tool
 * call), under the agent with a per-workflow cap: in {@code enforce} the call that would start
 * past the cap throws {@code WorkflowCapExceededException} into the app before any request leaves
 * the JVM; in {@code warn} the loop runs to the app's own end (LangChain4j's limit of sequential
 * tool rounds) and the breach is recorded once. Spend is checked against the fake's exchange log
 * priced by hand. The collector's {@code --alert-webhook} (a local receiver) gets one
 * {@code cap_breach} alert per breach.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RunawayCapEndToEndTest {

  /** {@code RunawayScenario.APP_MAX_TOOL_ROUNDS}. */
  static final int APP_MAX_TOOL_ROUNDS = 12;
  static final int MODEL_CAP = 5;
  static final int TOOL_CAP = 3;

  private Path work;
  private Path lake;
  private Connection duck;
  private Run enforce;
  private Run warn;
  private Run toolCap;
  private Run collectorDown;
  private com.sun.net.httpserver.HttpServer hook;
  private final List<JsonNode> alerts = new java.util.concurrent.CopyOnWriteArrayList<>();

  /** One child JVM run: its output and the fake's exchanges, in order. */
  record Run(String service, ChildJvm.Result result, List<JsonNode> exchanges) {
    BigDecimal handCost() {
      BigDecimal sum = BigDecimal.ZERO;
      for (JsonNode e : exchanges) {
        JsonNode u = e.path("usage");
        sum = sum.add(HandPrices.cost("gpt-4o-mini", u.path("prompt_tokens").asLong(), 0, 0, 0,
            u.path("completion_tokens").asLong()));
      }
      return sum;
    }
  }

  @BeforeAll
  void runTheRunawayUnderThreeCaps() throws Exception {
    work = Files.createTempDirectory("flowcost-e2e-runaway");
    lake = work.resolve("lake");
    hook = com.sun.net.httpserver.HttpServer.create(
        new java.net.InetSocketAddress("127.0.0.1", 0), 0);
    hook.createContext("/hook", ex -> {
      alerts.add(new ObjectMapper().readTree(ex.getRequestBody().readAllBytes()));
      ex.sendResponseHeaders(204, -1);
      ex.close();
    });
    hook.start();
    Collector collector = Collector.start(AgentRun.collectorConfig(work, "e2e-runaway").build(),
        new Collector.Live(null,
            List.of("http://127.0.0.1:" + hook.getAddress().getPort() + "/hook"), null,
            Duration.ofSeconds(10), java.time.Clock.systemUTC()));
    try {
      // at once: three services, each with a fake provider of its own, one collector
      CompletableFuture<Run> warnRun = ChildJvm.async(
          () -> run(collector, "runaway-warn", "warn", "max-model-calls=" + MODEL_CAP));
      CompletableFuture<Run> toolCapRun = ChildJvm.async(
          () -> run(collector, "runaway-tools", "enforce", "max-tool-calls=" + TOOL_CAP));
      enforce = run(collector, "runaway-enforce", "enforce", "max-model-calls=" + MODEL_CAP);
      warn = ChildJvm.await(warnRun, 150);
      toolCap = ChildJvm.await(toolCapRun, 150);
      // the apps exited, so every span is in: evaluate now and let the deliveries finish
      collector.live().tick();
      long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while ((alerts.size() < 3 || collector.live().sender().queued() > 0)
          && System.nanoTime() < end) {
        Thread.sleep(50);
      }
    } finally {
      collector.close(); // flush everything accepted
    }
    int closedPort;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      closedPort = s.getLocalPort();
    }
    collectorDown = run(closedPort, "runaway-down", "enforce", "max-model-calls=" + MODEL_CAP);
    duck = DriverManager.getConnection("jdbc:duckdb:");
    LakeViews.install(duck, lake, 7);
  }

  private Run run(Collector collector, String service, String mode, String caps) throws Exception {
    return run(collector.port(), service, mode, caps);
  }

  private Run run(int port, String service, String mode, String caps) throws Exception {
    Path exchangesFile = work.resolve(service + "-exchanges.json");
    List<String> jvmArgs = AgentRun.fastStart(List.of(
        "-javaagent:" + ChildJvm.agentJar(),
        "-Dflowcost.spool.dir=" + work.resolve(service + "-spool"),
        "-Dflowcost.endpoint=http://127.0.0.1:" + port,
        "-Dflowcost.service=" + service,
        "-Dflowcost.caps.mode=" + mode,
        "-Dflowcost.caps.runaway-agent=" + caps));
    ChildJvm.Result result = ChildJvm.run(ChildJvm.java17(), jvmArgs, ChildJvm.demoJar(),
        List.of("--runaway-only", "--exchanges", exchangesFile.toString()), work, 120);
    assertThat(result.exitCode()).as(result.stderr()).isZero();
    List<JsonNode> exchanges = new ArrayList<>();
    new ObjectMapper().readTree(exchangesFile.toFile()).forEach(exchanges::add);
    exchanges.sort((a, b) -> Long.compare(a.path("sequence").asLong(), b.path("sequence").asLong()));
    return new Run(service, result, exchanges);
  }

  @AfterAll
  void close() throws Exception {
    if (hook != null) {
      hook.stop(0);
    }
    if (duck != null) {
      duck.close();
    }
  }

  @Test
  void enforceStopsTheLoopAtTheCallThatWouldStartPastTheCap() throws Exception {
    assertThat(enforce.result().stdout())
        .contains("R01 runaway-agent key=RUN-3001 stopped-by-cap=max-model-calls limit=" + MODEL_CAP
            + " spent=" + MODEL_CAP + " calls");
    // exactly the cap's calls reached the provider: the refused one never left the JVM
    assertThat(enforce.exchanges()).hasSize(MODEL_CAP);
    assertThat(enforce.exchanges()).allSatisfy(e ->
        assertThat(e.path("reply_kind").asText()).isEqualToIgnoringCase("tool_call"));
    assertThat(modelCalls(enforce)).isEqualTo(MODEL_CAP);
    assertThat(lakeCost(enforce)).isEqualByComparingTo(enforce.handCost()).isPositive();
    assertThat(capLogLines(enforce)).isEqualTo(1);
    assertThat(workflowError(enforce)).isEqualTo("io.flowcost.outcome.WorkflowCapExceededException");
    // and the app reported the stopped run as a failure, not left its outcome unknown
    assertThat(outcome(enforce)).isEqualTo("failure/cap_exceeded");
    Breach b = breach(enforce);
    assertThat(b.kind()).isEqualTo("max-model-calls");
    assertThat(b.limit()).isEqualByComparingTo(BigDecimal.valueOf(MODEL_CAP));
    assertThat(b.spent()).isEqualByComparingTo(BigDecimal.valueOf(MODEL_CAP));
    assertThat(b.mode()).isEqualTo("enforce");
    assertThat(b.enforced()).isTrue();
    assertThat(b.modelCalls()).isEqualTo(MODEL_CAP);
    assertThat(b.workflowId()).isEqualTo(workflowId(enforce));

    // report: where the cap stopped it, priced as the lake prices it (= the hand price)
    List<IntentReport.Breach> listed = new IntentReport(lake, true).breaches().stream()
        .filter(r -> r.service().equals(enforce.service())).toList();
    assertThat(listed).hasSize(1);
    assertThat(listed.get(0).workflowCost()).isEqualByComparingTo(enforce.handCost());
    assertThat(IntentReport.describe(listed.get(0)))
        .startsWith("runaway-agent [runaway-enforce] max-model-calls=" + MODEL_CAP + " calls reached at "
            + MODEL_CAP + " calls: stopped at $"
            + enforce.handCost().setScale(6, java.math.RoundingMode.HALF_EVEN).toPlainString()
            + " after " + MODEL_CAP + " model calls");
  }

  @Test
  void theDemosUncappedCounterfactualIsTheWarnRunAndTheSavingIsExact() throws Exception {
    // the demo's "money saved" line: the loop again without the agent, priced by the demo app
    ChildJvm.Result uncapped = ChildJvm.run(ChildJvm.java17(), List.of(), ChildJvm.demoJar(),
        List.of("--runaway-uncapped"), work, 120);
    assertThat(uncapped.exitCode()).as(uncapped.stderr()).isZero();
    Matcher m = Pattern.compile("^U01 runaway-agent uncapped ended-by-app=\\S+ model_calls=(\\d+)"
        + " cost_usd=([0-9.]+)$", Pattern.MULTILINE).matcher(uncapped.stdout());
    assertThat(m.find()).as(uncapped.stdout()).isTrue();
    // the same calls as the warn run, which nothing stopped: same count, same price by hand
    assertThat(Integer.parseInt(m.group(1))).isEqualTo(warn.exchanges().size());
    BigDecimal uncappedCost = new BigDecimal(m.group(2));
    assertThat(uncappedCost).isEqualByComparingTo(warn.handCost());
    // and the capped run's calls are the first calls of the uncapped one, byte for byte
    for (int i = 0; i < MODEL_CAP; i++) {
      assertThat(enforce.exchanges().get(i).path("request_hash").asText())
          .isEqualTo(warn.exchanges().get(i).path("request_hash").asText());
    }
    BigDecimal saved = uncappedCost.subtract(lakeCost(enforce));
    BigDecimal refusedByHand = BigDecimal.ZERO;
    for (JsonNode e : warn.exchanges().subList(MODEL_CAP, warn.exchanges().size())) {
      refusedByHand = refusedByHand.add(HandPrices.cost("gpt-4o-mini",
          e.path("usage").path("prompt_tokens").asLong(), 0, 0, 0,
          e.path("usage").path("completion_tokens").asLong()));
    }
    assertThat(saved).isPositive().isEqualByComparingTo(refusedByHand);
  }

  @Test
  void capsWorkTheSameWithTheCollectorDown() {
    // nothing about caps waits on the collector: the same stop at the same call
    assertThat(collectorDown.result().stdout())
        .contains("R01 runaway-agent key=RUN-3001 stopped-by-cap=max-model-calls limit=" + MODEL_CAP
            + " spent=" + MODEL_CAP + " calls");
    assertThat(collectorDown.exchanges()).hasSize(MODEL_CAP);
    assertThat(capLogLines(collectorDown)).isEqualTo(1);
  }

  @Test
  void warnLetsTheLoopRunToTheAppsOwnEndAndLogsTheBreachOnce() throws Exception {
    assertThat(warn.result().stdout()).contains("R01 runaway-agent key=RUN-3001 ended-by-app=");
    assertThat(warn.exchanges().size()).isGreaterThan(APP_MAX_TOOL_ROUNDS);
    assertThat(modelCalls(warn)).isEqualTo(warn.exchanges().size());
    assertThat(lakeCost(warn)).isEqualByComparingTo(warn.handCost());
    assertThat(capLogLines(warn)).isEqualTo(1);
    Breach b = breach(warn); // recorded once, at the first call that started past the cap
    assertThat(b.kind()).isEqualTo("max-model-calls");
    assertThat(b.spent()).isEqualByComparingTo(BigDecimal.valueOf(MODEL_CAP));
    assertThat(b.mode()).isEqualTo("warn");
    assertThat(b.enforced()).isFalse();
    assertThat(b.modelCalls()).isEqualTo(MODEL_CAP);
  }

  @Test
  void aToolCapRefusesTheToolCallPastItAndTheExceptionReachesTheApp() throws Exception {
    assertThat(toolCap.result().stdout())
        .contains("R01 runaway-agent key=RUN-3001 stopped-by-cap=max-tool-calls limit=" + TOOL_CAP
            + " spent=" + TOOL_CAP + " calls");
    // each of the TOOL_CAP tool calls followed a model call; the next model call asked for a
    // tool that was refused
    assertThat(toolCap.exchanges()).hasSize(TOOL_CAP + 1);
    assertThat(tools(toolCap)).isEqualTo(TOOL_CAP);
    Breach b = breach(toolCap);
    assertThat(b.kind()).isEqualTo("max-tool-calls");
    assertThat(b.spent()).isEqualByComparingTo(BigDecimal.valueOf(TOOL_CAP));
    assertThat(b.enforced()).isTrue();
    assertThat(b.toolCalls()).isEqualTo(TOOL_CAP);
    assertThat(b.modelCalls()).isEqualTo(TOOL_CAP + 1);
  }

  @Test
  void everyBreachReachedTheAlertWebhookOnce() throws Exception {
    List<JsonNode> breaches = alerts.stream()
        .filter(a -> a.path("kind").asText().equals("cap_breach")).toList();
    assertThat(breaches).hasSize(3);
    for (Run run : List.of(enforce, warn, toolCap)) {
      Breach b = breach(run);
      String key = "cap|" + b.workflowId() + "|" + b.kind();
      List<JsonNode> mine = breaches.stream()
          .filter(a -> a.path("dedup_key").asText().equals(key)).toList();
      assertThat(mine).as(key).hasSize(1);
      JsonNode f = mine.get(0).path("fields");
      assertThat(f.path("workflow_name").asText()).isEqualTo("runaway-agent");
      assertThat(f.path("service").asText()).isEqualTo(run.service());
      assertThat(new BigDecimal(f.path("limit").asText())).isEqualByComparingTo(b.limit());
      assertThat(new BigDecimal(f.path("spent").asText())).isEqualByComparingTo(b.spent());
      assertThat(f.path("enforced").asBoolean()).isEqualTo(b.enforced());
      assertThat(mine.get(0).path("who").asText())
          .isEqualTo("workflow " + b.workflowId() + " (runaway-agent)");
    }
  }

  /** A {@code cap_breaches} row. */
  record Breach(String workflowId, String kind, BigDecimal limit, BigDecimal spent, String mode,
      boolean enforced, long modelCalls, long toolCalls) {}

  /** The one breach row of a run's service (fails when there are none or several). */
  private Breach breach(Run run) throws Exception {
    try (Statement st = duck.createStatement(); ResultSet rs = st.executeQuery(
        "SELECT workflow_id, cap_kind, cap_limit, spent, mode, enforced, model_calls, tool_calls"
            + " FROM cap_breaches WHERE service = '" + run.service() + "'")) {
      assertThat(rs.next()).as("a breach row of " + run.service()).isTrue();
      Breach b = new Breach(rs.getString(1), rs.getString(2), rs.getBigDecimal(3),
          rs.getBigDecimal(4), rs.getString(5), rs.getBoolean(6), rs.getLong(7), rs.getLong(8));
      assertThat(rs.next()).as("only one breach row of " + run.service()).isFalse();
      return b;
    }
  }

  private String workflowId(Run run) throws Exception {
    try (Statement st = duck.createStatement(); ResultSet rs = st.executeQuery(
        "SELECT workflow_id FROM workflow_spans WHERE service = '" + run.service() + "'")) {
      assertThat(rs.next()).isTrue();
      return rs.getString(1);
    }
  }

  private static final Pattern CAP_LINE = Pattern.compile("stopped by cap max-[a-z-]+=");

  private static long capLogLines(Run run) {
    Matcher m = CAP_LINE.matcher(run.result().stderr());
    long n = 0;
    while (m.find()) {
      n++;
    }
    return n;
  }

  private long modelCalls(Run run) throws Exception {
    return scalarLong("SELECT count(*) FROM calls c JOIN workflow_spans w USING (workflow_id)"
        + " WHERE c.kind = 'model' AND w.workflow_name = 'runaway-agent' AND c.service = '"
        + run.service() + "'");
  }

  private long tools(Run run) throws Exception {
    return scalarLong("SELECT count(*) FROM calls c WHERE c.kind = 'tool' AND c.service = '"
        + run.service() + "'");
  }

  private BigDecimal lakeCost(Run run) throws Exception {
    try (Statement st = duck.createStatement(); ResultSet rs = st.executeQuery(
        "SELECT sum(cost_usd) FROM calls WHERE kind = 'model' AND service = '" + run.service() + "'")) {
      rs.next();
      return rs.getBigDecimal(1);
    }
  }

  private String workflowError(Run run) throws Exception {
    try (Statement st = duck.createStatement(); ResultSet rs = st.executeQuery(
        "SELECT error_type FROM workflow_spans WHERE workflow_name = 'runaway-agent' AND service = '"
            + run.service() + "'")) {
      assertThat(rs.next()).isTrue();
      return rs.getString(1);
    }
  }

  /** {@code outcome/outcome_reason} of the run's runaway workflow, as the lake derives it. */
  private String outcome(Run run) throws Exception {
    try (Statement st = duck.createStatement(); ResultSet rs = st.executeQuery(
        "SELECT outcome, outcome_reason FROM workflows_latest WHERE workflow_name = 'runaway-agent'"
            + " AND service = '" + run.service() + "'")) {
      assertThat(rs.next()).isTrue();
      String outcome = rs.getString(1) + "/" + rs.getString(2);
      assertThat(rs.next()).as("one runaway workflow").isFalse();
      return outcome;
    }
  }

  private long scalarLong(String sql) throws Exception {
    try (Statement st = duck.createStatement(); ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
