package io.flowcost.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.flowcost.collector.Collector;
import io.flowcost.collector.rollup.LakeViews;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent never changes what the app does: same output with and without it, normal exit with
 * no collector running, and the same records on Java 25.
 */
class AgentTransparencyTest {

  @TempDir Path work;

  @Test
  void theAppPrintsTheSameWithAndWithoutTheAgentAndFinishesWithNoCollector() throws Exception {
    ChildJvm.Result plain = ChildJvm.run(ChildJvm.java17(),
        List.of("-Dsun.net.httpserver.nodelay=true"), ChildJvm.demoJar(), List.of(), work, 180);
    int closedPort;
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort(); // closed again before the demo starts: nobody listens
    }
    ChildJvm.Result agentNoCollector = ChildJvm.run(ChildJvm.java17(),
        DemoEndToEndTest.agentArgs(closedPort, work.resolve("spool-no-collector")), ChildJvm.demoJar(), List.of(), work, 180);

    assertThat(plain.exitCode()).as(plain.stderr()).isZero();
    assertThat(agentNoCollector.exitCode()).as(agentNoCollector.stderr()).isZero();
    assertThat(plain.stdout().lines()).hasSize(12);
    assertThat(agentNoCollector.stdout()).isEqualTo(plain.stdout());
    // the failing workflow throws the same exception type with and without the agent
    assertThat(agentNoCollector.stdout()).contains("error=InternalServerException");
  }

  @Test
  void onJava25TheAgentRecordsEveryExchange() throws Exception {
    Path java25 = ChildJvm.java25();
    assumeTrue(java25 != null, "Temurin 25 is not installed at /usr/lib/jvm/temurin-25-jdk-amd64");
    Path lake = work.resolve("lake");
    Path exchangesFile = work.resolve("exchanges.json");
    Collector collector = Collector.start(Collector.Config.builder()
        .port(0)
        .localLake(lake)
        .dataDir(work.resolve("data"))
        .flushInterval(Duration.ofSeconds(2))
        .rollupDelay(Duration.ofHours(1))
        .maxBodyBytes(16L << 20)
        .maxBufferedRows(1_000_000)
        .instanceId("e2e25")
        .build());
    ChildJvm.Result run;
    try {
      run = ChildJvm.run(java25, DemoEndToEndTest.agentArgs(collector.port(), work.resolve("spool-25")),
          ChildJvm.demoJar(), List.of("--exchanges", exchangesFile.toString()), work, 180);
    } finally {
      collector.close();
    }
    assertThat(run.exitCode()).as(run.stderr()).isZero();
    List<String> expected = FakeExchanges.keys(FakeExchanges.read(exchangesFile));
    List<String> actual;
    try (Connection duck = DriverManager.getConnection("jdbc:duckdb:")) {
      LakeViews.install(duck, lake, 7);
      actual = FakeExchanges.lakeKeys(duck);
      try (Statement st = duck.createStatement(); ResultSet rs = st.executeQuery(
          "SELECT count(*), count(*) FILTER (WHERE outcome = 'success') FROM workflows_latest")) {
        rs.next();
        assertThat(rs.getLong(1)).isEqualTo(12);
        assertThat(rs.getLong(2)).isEqualTo(6);
      }
    }
    assertThat(actual).containsExactlyInAnyOrderElementsOf(expected);
    assertThat(Files.exists(exchangesFile)).isTrue();
  }
}
