package io.flowcost.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Workflow boundaries without code, under the real agent jar: {@link ServerBoundaryApp} (a JDK
 * {@code HttpServer}, no Flowcost code) serves three claim requests — each one workflow named by
 * its route ({@code GET /claims}, {@code POST /claims}) holding its two model calls — a health
 * check that makes no model call and leaves no workflow, and an escalation answered 500 (its
 * workflow {@code error}); {@code -Dflowcost.workflow.methods=…ServerBoundaryApp$Batch#run} makes
 * the batch job one workflow {@code Batch.run}. The lake's rows are the fake provider's exchanges,
 * every cost its hand price; the app's output is the same without the agent.
 */
class ServerBoundaryEndToEndTest extends OneRunEndToEnd {

  @Override
  AgentRun.Builder agentRun() throws Exception {
    return AgentRun.builder("boundaries")
        .mainClass(ServerBoundaryApp.class)
        .fakeProvider(base -> List.of("--provider-url", base))
        .service("claims-api")
        .agentFlags(base -> List.of("-Dflowcost.llm-endpoints=" + base,
            "-Dflowcost.workflow.methods=" + ServerBoundaryApp.Batch.class.getName() + "#run"))
        .withoutAgentToo();
  }

  @Test
  void theAppDoesTheSameWithTheAgent() {
    assertThat(plain.exitCode()).as(plain.stderr()).isZero();
    assertThat(plain.stdout()).contains("GET /claims/1001/summary 200 claim answered",
        "GET /health 200 ok", "GET /escalate/1004 500 escalation failed", "batch ");
    assertThat(run.stdout()).isEqualTo(plain.stdout());
  }

  @Test
  void eachUserRequestIsOneWorkflowNamedByItsRouteAndTheBatchJobIsOne() throws Exception {
    List<String> workflows = new ArrayList<>();
    try (Statement st = duck.createStatement(); ResultSet rs = st.executeQuery(
        "SELECT w.workflow_name, s.source, w.model_calls, w.error, coalesce(s.error_type, '-')"
            + " FROM workflows_latest w JOIN workflow_spans s USING (workflow_id)"
            + " ORDER BY w.start_time")) {
      while (rs.next()) {
        workflows.add(rs.getString(1) + "/" + rs.getString(2) + "/" + rs.getLong(3) + "/"
            + rs.getBoolean(4) + "/" + rs.getString(5));
      }
    }
    assertThat(workflows).containsExactly(
        "GET /claims/server_request/2/false/-",
        "GET /claims/server_request/2/false/-",
        "POST /claims/server_request/2/false/-",
        "GET /escalate/server_request/1/true/http_500",
        "Batch.run/method/2/false/-");
  }

  @Test
  void theLakeHoldsEveryRequestTheFakeReceivedAtItsHandPrice() throws Exception {
    assertThat(exchanges).hasSize(3 * 2 + 1 + 2);
    assertThat(FakeExchanges.lakeKeys(duck)).containsExactlyInAnyOrderElementsOf(FakeExchanges.keys(exchanges));
    try (Statement st = duck.createStatement(); ResultSet rs = st.executeQuery(
        "SELECT count(*), count(DISTINCT workflow_id), count(*) FILTER (WHERE request_model = '"
            + ServerBoundaryApp.MODEL + "') FROM calls WHERE kind = 'model'")) {
      rs.next();
      assertThat(rs.getLong(1)).isEqualTo(9);
      assertThat(rs.getLong(2)).as("no call outside the five workflows").isEqualTo(5);
      assertThat(rs.getLong(3)).isEqualTo(9);
    }
    HandPrices.Checked checked = HandPrices.checkPricedAttempts(duck);
    assertThat(checked.rows()).isEqualTo(9);
    try (Statement st = duck.createStatement(); ResultSet rs = st.executeQuery(
        "SELECT sum(cost_usd) FROM workflows_latest")) {
      rs.next();
      BigDecimal lake = rs.getBigDecimal(1);
      assertThat(lake.subtract(checked.total()).abs()).isLessThanOrEqualTo(new BigDecimal("1e-9"));
    }
  }
}
