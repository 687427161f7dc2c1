package io.flowcost.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A request that waits for a pooled connection is recorded in the context of the thread that made
 * it, not in that of the request whose end handed the connection over: Reactor Netty 1.2.16 (its
 * pool's pending acquire, delivered on the I/O thread that released the connection) and Jetty 12
 * (the destination's queue), one connection per host, under the real agent. The order is forced
 * by the app ({@code --queued}): request A in a workflow, held by the fake; request B outside any
 * workflow, waiting for A's connection; then A is let go.
 */
class QueuedRequestsEndToEndTest {

  @Test
  void aRequestThatWaitedForAConnectionIsRecordedWhereItWasMade() throws Exception {
    try (AgentRun r = AgentRun.builder("queued")
        .jar(HttpClientEndToEndContract.appJar())
        .fakeProvider(base -> List.of("--provider-url", base, "--clients", "reactor-netty,jetty",
            "--queued"))
        .service("queued-app")
        // 127.0.0.1 is no provider's host: its model paths are model calls only when configured
        .agentFlags(base -> List.of("-Dflowcost.llm-endpoints=" + base))
        .run()) {
      ChildJvm.Result run = r.run();
      for (String client : List.of("reactor-netty", "jetty")) {
        assertThat(run.stdout()).as(run.stderr()).contains(
            client + " queued-first 200", client + " queued-second 200", client + " waited 1");
      }
      assertThat(r.exchanges()).hasSize(4);

      List<String> workflows = new ArrayList<>();
      try (Statement st = r.duck().createStatement(); ResultSet rs = st.executeQuery(
          "SELECT coalesce(w.external_key, 'implicit'), w.calls,"
              + " (SELECT count(*) FROM calls c WHERE c.workflow_id = w.workflow_id"
              + "    AND c.attempt = 1 AND c.http_status = 200)"
              + " FROM workflows_latest w ORDER BY 1")) {
        while (rs.next()) {
          workflows.add(rs.getString(1) + " calls=" + rs.getLong(2) + " answered=" + rs.getLong(3));
        }
      }
      assertThat(workflows).as("each waiting request its own implicit workflow").containsExactly(
          "implicit calls=1 answered=1",
          "implicit calls=1 answered=1",
          "queued-jetty calls=1 answered=1",
          "queued-reactor-netty calls=1 answered=1");
      assertThat(r.scalar("SELECT count(*) FROM calls")).isEqualTo(4);
    }
  }
}
