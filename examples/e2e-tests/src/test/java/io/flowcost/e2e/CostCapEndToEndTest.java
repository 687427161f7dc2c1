package io.flowcost.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.flowcost.collector.Collector;
import io.flowcost.collector.rollup.LakeViews;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
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
 * The done-means for cost caps: a LangChain4j agent whose tool loop never ends (the fake
 * answers every turn with another tool call) under the shaded agent with {@code
 * max-cost-usd=0.50}. The agent prices each call with the shared pricer and its bundled catalog
 * (the collector's, fetched in the background, prices it the same). In {@code enforce} the call
 * that would start after the workflow crossed $0.50 throws {@code WorkflowCapExceededException};
 * in {@code warn} the loop runs to LangChain4j's own limit and the breach is recorded once. Every
 * figure is computed here from the fake's exchange log and hand list prices.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CostCapEndToEndTest {

  static final BigDecimal CAP = new BigDecimal("0.50");
  /** A model priced high enough that $0.50 is crossed within the app's 12 tool rounds. */
  static final String MODEL = "gpt-5.5-pro";
  /** About 2,000 prompt tokens of claim file, carried by every turn. */
  static final int ATTACHMENT_CHARS = 8000;

  private Path work;
  private Connection duck;
  private Run enforce;
  private Run warn;

  /** One child JVM run: its output and the fake's exchanges, in order. */
  record Run(String service, ChildJvm.Result result, List<JsonNode> exchanges) {
    /** Hand cost of exchange {@code i} (0-based). */
    BigDecimal cost(int i) {
      JsonNode u = exchanges.get(i).path("usage");
      return HandPrices.cost(MODEL, u.path("prompt_tokens").asLong(), 0, 0, 0,
          u.path("completion_tokens").asLong());
    }

    /** Hand cost of the first {@code n} exchanges. */
    BigDecimal costOfFirst(int n) {
      BigDecimal sum = BigDecimal.ZERO;
      for (int i = 0; i < n; i++) {
        sum = sum.add(cost(i));
      }
      return sum;
    }

    /** How many calls had started when the spend first reached the cap (the breach point). */
    int callsAtCrossing() {
      for (int n = 1; n <= exchanges.size(); n++) {
        if (costOfFirst(n).compareTo(CAP) >= 0) {
          return n;
        }
      }
      return -1;
    }
  }

  @BeforeAll
  void runTheRunawayUnderACostCap() throws Exception {
    work = Files.createTempDirectory("flowcost-e2e-costcap");
    Path lake = work.resolve("lake");
    Collector collector = Collector.start(AgentRun.collectorConfig(work, "e2e-costcap").build());
    try {
      // both at once: two services, each with a fake provider of its own, one collector
      CompletableFuture<Run> warnRun =
          ChildJvm.async(() -> run(collector.port(), "costcap-warn", "warn"));
      enforce = run(collector.port(), "costcap-enforce", "enforce");
      warn = ChildJvm.await(warnRun, 150);
    } finally {
      collector.close(); // flush everything accepted
    }
    duck = DriverManager.getConnection("jdbc:duckdb:");
    LakeViews.install(duck, lake, 7);
  }

  private Run run(int port, String service, String mode) throws Exception {
    Path exchangesFile = work.resolve(service + "-exchanges.json");
    List<String> jvmArgs = AgentRun.fastStart(List.of(
        "-javaagent:" + ChildJvm.agentJar(),
        "-Dflowcost.spool.dir=" + work.resolve(service + "-spool"),
        "-Dflowcost.endpoint=http://127.0.0.1:" + port,
        "-Dflowcost.service=" + service,
        "-Dflowcost.caps.mode=" + mode,
        "-Dflowcost.caps.runaway-agent=max-cost-usd=" + CAP.toPlainString()));
    ChildJvm.Result result = ChildJvm.run(ChildJvm.java17(), jvmArgs, ChildJvm.demoJar(),
        List.of("--runaway-only", "--runaway-model", MODEL, "--runaway-attachment-chars",
            Integer.toString(ATTACHMENT_CHARS), "--exchanges", exchangesFile.toString()),
        work, 120);
    assertThat(result.exitCode()).as(result.stderr()).isZero();
    List<JsonNode> exchanges = new ArrayList<>();
    new ObjectMapper().readTree(exchangesFile.toFile()).forEach(exchanges::add);
    exchanges.sort((a, b) -> Long.compare(a.path("sequence").asLong(), b.path("sequence").asLong()));
    return new Run(service, result, exchanges);
  }

  @AfterAll
  void close() throws Exception {
    if (duck != null) {
      duck.close();
    }
  }

  @Test
  void enforceStopsTheLoopAtTheCallThatWouldStartPastTheCap() throws Exception {
    int n = enforce.exchanges().size();
    // the fake saw exactly the calls up to the one that crossed $0.50: the next never left the JVM
    assertThat(n).isGreaterThan(1);
    assertThat(enforce.callsAtCrossing()).isEqualTo(n);
    BigDecimal spent = enforce.costOfFirst(n);
    assertThat(enforce.costOfFirst(n - 1)).isLessThan(CAP);
    assertThat(spent).isGreaterThanOrEqualTo(CAP);
    // ≤ $0.50 plus one call
    assertThat(spent).isLessThanOrEqualTo(CAP.add(enforce.cost(n - 1)));
    assertThat(enforce.exchanges()).allSatisfy(e ->
        assertThat(e.path("reply_kind").asText()).isEqualToIgnoringCase("tool_call"));

    // the app caught the exception by type; the agent priced the spend as the hand does
    assertThat(enforce.result().stdout()).contains("R01 runaway-agent key=RUN-3001"
        + " stopped-by-cap=max-cost-usd limit=0.50 spent=" + spent.toPlainString() + " USD");
    assertThat(capLogLines(enforce)).isEqualTo(1);

    // the lake: that workflow's model calls cost exactly the hand figure
    assertThat(lakeCost(enforce)).isEqualByComparingTo(spent);
    assertThat(modelCalls(enforce)).isEqualTo(n);
    Breach b = breach(enforce);
    assertThat(b.kind()).isEqualTo("max-cost-usd");
    assertThat(b.unit()).isEqualTo("USD");
    assertThat(b.limit()).isEqualByComparingTo(CAP);
    assertThat(b.spent()).isEqualByComparingTo(spent);
    assertThat(b.mode()).isEqualTo("enforce");
    assertThat(b.enforced()).isTrue();
    assertThat(b.modelCalls()).isEqualTo(n);
    // each answered call asked for one tool; the cost cap applies to tool calls too, so the
    // first call that would start past $0.50 is the tool the n-th answer asked for: refused
    assertThat(b.toolCalls()).isEqualTo(n - 1);
  }

  @Test
  void warnLetsTheLoopRunToTheAppsOwnEndAndRecordsTheBreachOnce() throws Exception {
    assertThat(warn.result().stdout()).contains("R01 runaway-agent key=RUN-3001 ended-by-app=");
    assertThat(warn.exchanges().size()).isGreaterThan(RunawayCapEndToEndTest.APP_MAX_TOOL_ROUNDS);
    int k = warn.callsAtCrossing();
    assertThat(k).isBetween(2, warn.exchanges().size() - 1);
    BigDecimal all = warn.costOfFirst(warn.exchanges().size());
    assertThat(lakeCost(warn)).isEqualByComparingTo(all);
    assertThat(modelCalls(warn)).isEqualTo(warn.exchanges().size());
    assertThat(capLogLines(warn)).isEqualTo(1);
    Breach b = breach(warn); // once, before the first call that started past the cap
    assertThat(b.kind()).isEqualTo("max-cost-usd");
    assertThat(b.spent()).isEqualByComparingTo(warn.costOfFirst(k));
    assertThat(b.mode()).isEqualTo("warn");
    assertThat(b.enforced()).isFalse();
    assertThat(b.modelCalls()).isEqualTo(k);
    // the same conversation as under enforce up to the stop: what the cap saved there is real
    assertThat(warn.costOfFirst(enforce.exchanges().size()))
        .isEqualByComparingTo(enforce.costOfFirst(enforce.exchanges().size()));
    assertThat(all).isGreaterThan(enforce.costOfFirst(enforce.exchanges().size()));
  }

  /** A {@code cap_breaches} row. */
  record Breach(String kind, BigDecimal limit, BigDecimal spent, String unit, String mode,
      boolean enforced, long modelCalls, long toolCalls) {}

  private Breach breach(Run run) throws Exception {
    try (Statement st = duck.createStatement(); ResultSet rs = st.executeQuery(
        "SELECT cap_kind, cap_limit, spent, unit, mode, enforced, model_calls, tool_calls"
            + " FROM cap_breaches WHERE service = '" + run.service() + "'")) {
      assertThat(rs.next()).as("a breach row of " + run.service()).isTrue();
      Breach b = new Breach(rs.getString(1), rs.getBigDecimal(2), rs.getBigDecimal(3),
          rs.getString(4), rs.getString(5), rs.getBoolean(6), rs.getLong(7), rs.getLong(8));
      assertThat(rs.next()).as("only one breach row of " + run.service()).isFalse();
      return b;
    }
  }

  private static final Pattern CAP_LINE = Pattern.compile("stopped by cap max-cost-usd=");

  private static long capLogLines(Run run) {
    Matcher m = CAP_LINE.matcher(run.result().stderr());
    long n = 0;
    while (m.find()) {
      n++;
    }
    return n;
  }

  private long modelCalls(Run run) throws Exception {
    try (Statement st = duck.createStatement(); ResultSet rs = st.executeQuery(
        "SELECT count(*) FROM calls c JOIN workflow_spans w USING (workflow_id)"
            + " WHERE c.kind = 'model' AND w.workflow_name = 'runaway-agent' AND c.service = '"
            + run.service() + "'")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private BigDecimal lakeCost(Run run) throws Exception {
    try (Statement st = duck.createStatement(); ResultSet rs = st.executeQuery(
        "SELECT sum(cost_usd) FROM calls WHERE kind = 'model' AND service = '" + run.service()
            + "'")) {
      rs.next();
      return rs.getBigDecimal(1);
    }
  }
}
