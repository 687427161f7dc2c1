package io.flowcost.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.CompletableFuture;
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
    // both at once: each demo talks to a fake provider of its own
    CompletableFuture<ChildJvm.Result> plainRun = ChildJvm.async(() -> ChildJvm.run(
        ChildJvm.java17(), AgentRun.fastStart(List.of("-Dsun.net.httpserver.nodelay=true")),
        ChildJvm.demoJar(), List.of(), work, 180));
    int closedPort;
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort(); // closed again before the demo starts: nobody listens
    }
    ChildJvm.Result agentNoCollector = ChildJvm.run(ChildJvm.java17(),
        AgentRun.fastStart(
            DemoEndToEndTest.agentArgs(closedPort, work.resolve("spool-no-collector"))),
        ChildJvm.demoJar(), List.of(), work, 180);
    ChildJvm.Result plain = ChildJvm.await(plainRun, 210);

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
    try (AgentRun r = DemoEndToEndTest.demoRun("java25", ChildJvm.demoJar()).java(java25).run()) {
      List<String> expected = FakeExchanges.keys(r.exchanges());
      List<String> actual = FakeExchanges.lakeKeys(r.duck());
      try (Statement st = r.duck().createStatement(); ResultSet rs = st.executeQuery(
          "SELECT count(*), count(*) FILTER (WHERE outcome = 'success') FROM workflows_latest")) {
        rs.next();
        assertThat(rs.getLong(1)).isEqualTo(12);
        assertThat(rs.getLong(2)).isEqualTo(6);
      }
      assertThat(actual).containsExactlyInAnyOrderElementsOf(expected);
      assertThat(Files.exists(r.work().resolve("exchanges.json"))).isTrue();
    }
  }
}
