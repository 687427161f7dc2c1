package io.flowcost.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The contract every HTTP-client instrumentation keeps, run against {@code
 * examples/http-clients-app} under the agent with the fake provider: per client a plain chat
 * completion, a stream with {@code include_usage}, a stream without it, and a 500 the app retries
 * with the same body. Each request is one row with its requested model (the failed one included),
 * the reported usage exactly as the fake billed it, the stream without usage estimated and priced,
 * every cost its hand price to the nano-dollar, and the app's output the same as without the
 * agent; every request carries one {@code traceparent} (seen by a {@link RecordingProxy} in front
 * of the fake). A third run with the unit switched off ({@code
 * flowcost.instrumentation.<name>.enabled=false}) records nothing and adds no header.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class HttpClientEndToEndContract {

  static final String MODEL = "gpt-4o-mini";

  private AgentRun r;
  private AgentRun offRun;
  private ChildJvm.Result plain;
  private ChildJvm.Result run;
  private ChildJvm.Result off;
  private Connection duck;
  private List<FakeExchanges.Expected> exchanges;
  private List<RecordingProxy.Seen> plainHeaders;
  private List<RecordingProxy.Seen> offHeaders;
  private List<RecordingProxy.Seen> runHeaders;

  /** The app's {@code --clients} argument, e.g. {@code reactor-netty,webclient}. */
  abstract String clients();

  /** The instrumentation unit these clients go through, as in {@code flowcost.instrumentation.<name>}. */
  abstract String unit();

  /** The app build these clients run in: by default Reactor Netty 1.2 / Spring Framework 6.2. */
  Path app() {
    return appJar();
  }

  private int clientCount() {
    return clients().split(",").length;
  }

  static Path appJar() {
    return appJar("http-clients-app");
  }

  /** The shaded jar of {@code examples/<module>} (the http-clients app built on one client line). */
  static Path appJar(String module) {
    Path jar = ChildJvm.repoRoot().resolve("examples/" + module + "/target/flowcost-" + module + ".jar");
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(jar + " is missing: build with 'mvn -B verify'");
    }
    return jar;
  }

  /**
   * Three runs at once, each against a fake provider of its own behind a proxy that records the
   * propagation headers: the app without the agent, under the agent with this unit off (its own
   * collector and lake) and under the agent.
   */
  @BeforeAll
  void runTheAppUnderTheAgent() throws Exception {
    List<AgentRun> runs = AgentRun.atOnce(
        underTheAgent(unit(), "on").withoutAgentToo(),
        underTheAgent(unit() + "-off", "off",
            "-Dflowcost.instrumentation." + unit() + ".enabled=false"));
    r = runs.get(0);
    offRun = runs.get(1);
    run = r.run();
    plain = r.plain();
    duck = r.duck();
    exchanges = r.exchanges();
    runHeaders = r.seen();
    plainHeaders = r.plainSeen();
    off = offRun.run();
    offHeaders = offRun.seen();
  }

  private AgentRun.Builder underTheAgent(String name, String service, String... more) {
    return AgentRun.builder(name)
        .jar(app())
        .proxied() // the app talks to the fake through a proxy that records the headers
        .fakeProvider(base -> List.of("--provider-url", base, "--clients", clients()))
        .service(service)
        .agentFlags(base -> {
          List<String> jvm = new ArrayList<>(List.of(
              // 127.0.0.1 is no provider's host: its model paths are model calls only when configured
              "-Dflowcost.llm-endpoints=" + base));
          jvm.addAll(List.of(more));
          return jvm;
        });
  }

  @AfterAll
  void close() throws Exception {
    try {
      if (r != null) {
        r.close();
      }
    } finally {
      if (offRun != null) {
        offRun.close();
      }
    }
  }

  @Test
  void theAppDoesTheSameWithTheAgentAndWithTheUnitOff() {
    assertThat(plain.exitCode()).as(plain.stderr()).isZero();
    assertThat(plain.stdout().lines()).hasSize(5 * clientCount());
    for (String client : clients().split(",")) {
      assertThat(plain.stdout()).contains(client + " attempt-1 500", client + " attempt-2 200 [fake-reply");
    }
    assertThat(run.stdout()).isEqualTo(plain.stdout());
    assertThat(off.exitCode()).as(off.stderr()).isZero();
    assertThat(off.stdout()).isEqualTo(plain.stdout());
  }

  @Test
  void everyRequestIsOneRowWithItsModelAndTheUsageTheFakeBilled() throws Exception {
    int requests = 5 * clientCount();
    assertThat(exchanges).hasSize(requests);
    try (Statement st = duck.createStatement(); ResultSet rs = st.executeQuery(
        "SELECT count(*), count(*) FILTER (WHERE request_model = '" + MODEL + "'),"
            + " count(*) FILTER (WHERE streaming), count(*) FILTER (WHERE http_status = 500)"
            + " FROM calls WHERE kind = 'model' AND service = 'on'")) {
      rs.next();
      assertThat(rs.getLong(1)).as("one row per request").isEqualTo(requests);
      assertThat(rs.getLong(2)).as("every row, the failed ones too, has its model").isEqualTo(requests);
      assertThat(rs.getLong(3)).as("the streams").isEqualTo(2L * clientCount());
      assertThat(rs.getLong(4)).as("the 500s").isEqualTo(clientCount());
    }
    List<String> reported = new ArrayList<>();
    for (FakeExchanges.Expected e : exchanges) {
      if (e.input() != null || e.httpStatus() >= 400) {
        reported.add(e.key());
      }
    }
    assertThat(reported).hasSize(4 * clientCount());
    assertThat(FakeExchanges.lakeKeys(duck)).containsAll(reported);
  }

  @Test
  void aStreamWithoutUsageIsEstimatedAndPricedAndEveryCostIsItsHandPrice() throws Exception {
    try (Statement st = duck.createStatement(); ResultSet rs = st.executeQuery(
        "SELECT count(*), min(input_tokens), min(output_tokens), bool_and(NOT unpriced),"
            + " min(cost_usd) FROM calls WHERE kind = 'model' AND tokens_estimated")) {
      rs.next();
      assertThat(rs.getLong(1)).as("one stream without usage per client").isEqualTo(clientCount());
      assertThat(rs.getLong(2)).isPositive();
      assertThat(rs.getLong(3)).isPositive();
      assertThat(rs.getBoolean(4)).as("priced").isTrue();
      assertThat(rs.getBigDecimal(5)).isPositive();
    }
    HandPrices.Checked checked = HandPrices.checkPricedAttempts(duck);
    assertThat(checked.rows()).as("all but the 500s").isEqualTo(4 * clientCount());
    try (Statement st = duck.createStatement(); ResultSet rs = st.executeQuery(
        "SELECT sum(cost_usd) FROM workflows_latest")) {
      rs.next();
      BigDecimal lake = rs.getBigDecimal(1);
      assertThat(lake.subtract(checked.total()).abs()).isLessThanOrEqualTo(new BigDecimal("1e-9"));
    }
  }

  @Test
  void eachRequestIsItsOwnWorkflowNamedWithItsModel() throws Exception {
    List<String> names = new ArrayList<>();
    try (Statement st = duck.createStatement(); ResultSet rs = st.executeQuery(
        "SELECT DISTINCT workflow_name FROM workflows_latest")) {
      while (rs.next()) {
        names.add(rs.getString(1));
      }
    }
    assertThat(names).containsExactly("on:chat " + MODEL);
    try (Statement st = duck.createStatement(); ResultSet rs = st.executeQuery(
        "SELECT count(*) FROM workflows_latest")) {
      rs.next();
      assertThat(rs.getLong(1)).isEqualTo(5L * clientCount());
    }
  }

  @Test
  void everyRequestCarriesOneTraceparentOfItsOwnTraceOnlyUnderTheAgent() {
    assertThat(runHeaders).hasSize(5 * clientCount()).allSatisfy(seen -> {
      assertThat(seen.traceparent()).as(seen.path()).hasSize(1);
      assertThat(seen.traceparent().get(0)).matches("00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}");
      assertThat(seen.baggage()).as("never baggage to a model API").isEmpty();
    });
    // each request is its own implicit workflow, so its own trace
    assertThat(runHeaders.stream().map(seen -> seen.traceparent().get(0).substring(3, 35)).distinct())
        .hasSize(5 * clientCount());
    assertThat(plainHeaders).hasSize(5 * clientCount())
        .allSatisfy(seen -> assertThat(seen.traceparent()).isEmpty());
    assertThat(offHeaders).hasSize(5 * clientCount())
        .allSatisfy(seen -> assertThat(seen.traceparent()).as("unit off").isEmpty());
  }

  @Test
  void withTheUnitSwitchedOffNothingIsRecorded() throws Exception {
    assertThat(off.stderr()).contains("disabled: " + unit());
    // the run with the unit off reported to a collector and lake of its own
    assertThat(offRun.scalar("SELECT count(*) FROM calls WHERE service = 'off'")).isZero();
    assertThat(offRun.scalar("SELECT count(*) FROM calls")).isZero();
    assertThat(r.scalar("SELECT count(*) FROM calls WHERE service = 'off'")).isZero();
  }
}
