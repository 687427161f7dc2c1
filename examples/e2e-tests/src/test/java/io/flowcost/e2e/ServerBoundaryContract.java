package io.flowcost.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Workflow boundaries of a real server framework under the shaded agent, with no Flowcost code in
 * the app: it serves six requests it sends itself from outside any workflow — two claim summaries
 * (two model calls each), a filed claim (one), a health check (none), an escalation answered 500
 * (one) and a request whose model call runs on another thread (one) — and the lake must hold one
 * workflow per request that made model calls, named {@code <METHOD> <route template>}, with exactly
 * the fake provider's exchanges as rows at their hand prices; the health check records nothing;
 * the 500 is a failed workflow. The app's output is the same without the agent (run at the same
 * time against a fake of its own). Subclasses start the app.
 */
abstract class ServerBoundaryContract extends OneRunEndToEnd {

  /**
   * The app, given the fake's base URL ({@code http://host:port/v1}) in its arguments: {@link
   * AgentRun.Builder#jar} or {@link AgentRun.Builder#mainClass} and {@link
   * AgentRun.Builder#fakeProvider} on {@code run}.
   */
  abstract AgentRun.Builder app(AgentRun.Builder run);

  /** The workflow names the framework gives, in request order: summary, filing, escalation, later. */
  abstract List<String> routes();

  /** The route of the request whose model call runs on another thread, as the app prints it. */
  abstract String laterLine();

  @Override
  AgentRun.Builder agentRun() throws Exception {
    return app(AgentRun.builder(getClass().getSimpleName()))
        .service("claims-api")
        .agentFlags(base -> List.of("-Dflowcost.llm-endpoints=" + base))
        .withoutAgentToo();
  }

  @Test
  void theAppDoesTheSameWithTheAgent() {
    assertThat(plain.exitCode()).as(plain.stderr()).isZero();
    List<String> lines = plain.stdout().lines()
        .filter(l -> l.startsWith("GET ") || l.startsWith("POST ")).toList();
    assertThat(lines).hasSize(6);
    assertThat(lines.get(0)).startsWith("GET /claims/1001/summary 200 ");
    assertThat(lines.get(3)).isEqualTo("GET /health 200 ok");
    assertThat(lines.get(4)).startsWith("GET /escalate/1004 500 ");
    assertThat(lines.get(5)).startsWith(laterLine() + " 200 ");
    assertThat(run.stdout()).isEqualTo(plain.stdout());
  }

  @Test
  void eachRequestWithModelCallsIsOneWorkflowNamedByItsRoute() throws Exception {
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
    List<String> routes = routes();
    // the health check made no model call: no workflow
    assertThat(workflows).containsExactly(
        routes.get(0) + "/server_request/2/false/-",
        routes.get(0) + "/server_request/2/false/-",
        routes.get(1) + "/server_request/1/false/-",
        routes.get(2) + "/server_request/1/true/http_500",
        routes.get(3) + "/server_request/1/false/-");
  }

  @Test
  void theLakeHoldsEveryRequestTheFakeReceivedInItsRequestsWorkflowAtItsHandPrice()
      throws Exception {
    assertThat(exchanges).hasSize(2 + 2 + 1 + 1 + 1);
    assertThat(FakeExchanges.lakeKeys(duck))
        .containsExactlyInAnyOrderElementsOf(FakeExchanges.keys(exchanges));
    try (Statement st = duck.createStatement(); ResultSet rs = st.executeQuery(
        "SELECT count(*), count(DISTINCT c.workflow_id), count(*) FILTER (WHERE c.request_model"
            + " IS NOT NULL), count(*) FILTER (WHERE s.source = 'server_request')"
            + " FROM calls c JOIN workflow_spans s USING (workflow_id) WHERE c.kind = 'model'")) {
      rs.next();
      assertThat(rs.getLong(1)).isEqualTo(7);
      assertThat(rs.getLong(2)).as("no call outside the five request workflows").isEqualTo(5);
      assertThat(rs.getLong(3)).isEqualTo(7);
      assertThat(rs.getLong(4)).as("every row in a server request's workflow").isEqualTo(7);
    }
    HandPrices.Checked checked = HandPrices.checkPricedAttempts(duck);
    assertThat(checked.rows()).isEqualTo(7);
    try (Statement st = duck.createStatement(); ResultSet rs = st.executeQuery(
        "SELECT sum(cost_usd) FROM workflows_latest")) {
      rs.next();
      assertThat(rs.getBigDecimal(1)).isEqualByComparingTo(checked.total());
    }
  }
}
