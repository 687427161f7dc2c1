package io.flowcost.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.flowcost.collector.Collector;
import io.flowcost.collector.rollup.LakeViews;
import io.flowcost.examples.fakeprovider.FakeProvider;
import java.math.BigDecimal;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/**
 * The agent's live control outside LangChain4j, against the fake provider, in child JVMs running
 * {@link LiveControlApp} (bare JDK {@code HttpClient}):
 *
 * <ul>
 *   <li>{@code max-model-calls} in enforce mode stops the loop, and the fake received exactly the
 *       cap's requests: the refused one never left the JVM;
 *   <li>a team driven past its hard budget through a real collector ({@code --budgets}): new
 *       workflows are refused with {@code CapKind.BUDGET_USD}, the refused requests never reach
 *       the fake, another team still runs, and the refusal is a {@code cap_breaches} row;
 *   <li>the collector's port a black hole: every call of the app completes, and the only thread
 *       in the budget fetch is the agent's own daemon thread.
 * </ul>
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Execution(ExecutionMode.CONCURRENT) // three apps sharing nothing but the work directory
class AgentLiveControlEndToEndTest {

  static final int MODEL_CAP = 4;

  private Path work;

  @BeforeAll
  void workDir() throws Exception {
    work = Files.createTempDirectory("flowcost-e2e-live");
  }

  private ChildJvm.Result app(String service, int collectorPort, List<String> extra,
      List<String> args) throws Exception {
    List<String> jvm = new ArrayList<>(AgentRun.FAST_START);
    jvm.addAll(List.of(
        "-javaagent:" + ChildJvm.agentJar(),
        "-Dflowcost.spool.dir=" + work.resolve(service + "-spool"),
        "-Dflowcost.endpoint=http://127.0.0.1:" + collectorPort,
        "-Dflowcost.service=" + service,
        "-Dflowcost.shutdown.timeout.ms=5000"));
    jvm.addAll(extra);
    ChildJvm.Result r = ChildJvm.runMain(ChildJvm.java17(), jvm, LiveControlApp.class, args, work,
        180);
    assertThat(r.exitCode()).as(r.stderr()).isZero();
    return r;
  }

  private static int closedPort() throws Exception {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  @Test
  void aBareJdkClientLoopStopsAtMaxModelCallsAndTheRefusedRequestNeverLeaves() throws Exception {
    try (FakeProvider fake = FakeProvider.start()) {
      ChildJvm.Result r = app("bare-loop", closedPort(), List.of(
          "-Dflowcost.llm-endpoints=" + fake.baseUrl(),
          "-Dflowcost.caps.mode=enforce",
          "-Dflowcost.caps.bare-loop=max-model-calls=" + MODEL_CAP,
          "-Dflowcost.budgets.poll=off"), List.of("loop", fake.baseUrl()));
      assertThat(r.stdout()).contains("stopped-by-cap after=" + MODEL_CAP
          + " kind=max-model-calls limit=" + MODEL_CAP + " spent=" + MODEL_CAP + " owner=null");
      assertThat(fake.exchanges()).hasSize(MODEL_CAP);
    }
  }

  @Test
  void aTeamPastItsHardBudgetHasNewWorkflowsRefusedWhileOthersRun() throws Exception {
    Path lake = work.resolve("lake");
    Path budgets = work.resolve("budgets.txt");
    // one call of the fake (gpt-4o-mini) costs more than this: the first workflow crosses it
    Files.writeString(budgets, "team=payments month hard=0.000001\nteam=search month hard=1000\n");
    ChildJvm.Result r;
    int received;
    try (FakeProvider fake = FakeProvider.start()) {
      Collector collector = Collector.start(AgentRun.collectorConfig(work, "e2e-live")
          .flushInterval(Duration.ofSeconds(1))
          .build(),
          Collector.Live.of(budgets, List.of(), null));
      try {
        r = app("payments-app", collector.port(), List.of(
            "-Dflowcost.llm-endpoints=" + fake.baseUrl(),
            "-Dflowcost.caps.mode=enforce",
            "-Dflowcost.tags=team=payments",
            "-Dflowcost.budgets.poll=200ms"), List.of("budget", fake.baseUrl()));
      } finally {
        collector.close(); // flushes what it accepted
      }
      received = fake.exchanges().size();
    }
    String out = r.stdout();
    assertThat(out).as(r.stderr()).contains("refused kind=budget-usd limit=0.000001 spent=");
    assertThat(out).contains("owner=team=payments workflowId=null");
    assertThat(out).contains("other-team ok");
    assertThat(out).contains("refused again kind=budget-usd");
    int sent = Integer.parseInt(out.substring(out.indexOf("calls-sent=") + 11).trim());
    // every request the app sent reached the fake; the refused workflows' never did
    assertThat(received).isEqualTo(sent);
    BigDecimal spentAtRefusal = new BigDecimal(
        out.substring(out.indexOf(" spent=") + 7, out.indexOf(" owner=")));
    assertThat(spentAtRefusal).isGreaterThanOrEqualTo(new BigDecimal("0.000001"));

    try (Connection duck = DriverManager.getConnection("jdbc:duckdb:")) {
      LakeViews.install(duck, lake, 7);
      try (Statement st = duck.createStatement(); ResultSet rs = st.executeQuery(
          "SELECT workflow_name, cap_limit, spent, mode, enforced, model_calls FROM cap_breaches"
              + " WHERE cap_kind = 'budget-usd'")) {
        assertThat(rs.next()).as("a breach row for the refusal").isTrue();
        assertThat(rs.getString(1)).isEqualTo("pay-run");
        assertThat(rs.getBigDecimal(2)).isEqualByComparingTo("0.000001");
        assertThat(rs.getBigDecimal(3)).isEqualByComparingTo(spentAtRefusal);
        assertThat(rs.getString(4)).isEqualTo("enforce");
        assertThat(rs.getBoolean(5)).isTrue();
        assertThat(rs.getLong(6)).isZero();
        assertThat(rs.next()).as("one row per owner, period and workflow name").isFalse();
      }
    }
  }

  @Test
  void withTheCollectorABlackHoleTheAppNeverWaitsOnItForCapsOrBudgets() throws Exception {
    // a listening socket that never accepts: connections hang in its backlog, nothing answers
    try (ServerSocket blackHole = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        FakeProvider fake = FakeProvider.start()) {
      ChildJvm.Result r = app("down-app", blackHole.getLocalPort(), List.of(
          "-Dflowcost.llm-endpoints=" + fake.baseUrl(),
          "-Dflowcost.caps.mode=enforce",
          "-Dflowcost.caps=max-model-calls=5",
          "-Dflowcost.tags=team=payments",
          "-Dflowcost.budgets.poll=100ms",
          "-Dflowcost.shutdown.timeout.ms=500"), List.of("down", fake.baseUrl(), "20"));
      assertThat(r.stdout()).contains("calls=20");
      // sampled all along the 20 calls: the app's thread was never in the budget fetch or export
      assertThat(r.stdout()).contains("app-thread-in-budget-fetch-or-export=0 samples-positive=true");
      assertThat(fake.exchanges()).hasSize(20);
      // the agent's fetch is stuck on the black hole on its own thread, and on no other
      assertThat(r.stdout()).contains("budget-fetch-threads=[flowcost-budgets(daemon)] in-socket=true");
    }
  }
}
