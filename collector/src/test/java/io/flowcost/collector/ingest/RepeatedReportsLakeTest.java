package io.flowcost.collector.ingest;

import static io.flowcost.collector.ingest.ForeignGenAiSpansTest.APP_TRACE;
import static io.flowcost.collector.ingest.ForeignGenAiSpansTest.TRACE;
import static io.flowcost.collector.ingest.ForeignGenAiSpansTest.agentRounds;
import static io.flowcost.collector.ingest.ForeignGenAiSpansTest.request;
import static io.flowcost.collector.ingest.ForeignGenAiSpansTest.springAiToolLoop;
import static org.assertj.core.api.Assertions.assertThat;

import io.flowcost.collector.Collector;
import io.flowcost.collector.TestCollectors;
import io.flowcost.collector.rollup.LakeViews;
import io.opentelemetry.proto.trace.v1.Span;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
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
 * A provider request reported by the agent and by the app's own Spring AI spans is counted once
 * in the lake, as the agent's row, whatever the order, across a collector restart (the second
 * report arrives after the first collector process is gone, so no memory of the first is left)
 * and when the two reports reach two collectors writing one lake. The decision is the lake's
 * ({@code calls} view, {@code notebooks/lake.sql}): the app's repeated model rows, its tool rows
 * (the agent recorded those tools too) and its trace as a workflow are left out.
 *
 * <p>By hand (gpt-4o-mini, $0.15/M input, $0.075/M cached, $0.60/M output), the agent's rows:
 * 120 in/20 out = $0.000030; 180 in (100 cached)/25 out = $0.0000345; 260 in (200 cached)/40
 * out = $0.000048; $0.0001125 in all — never the app's $0.000135 nor both ($0.0002475).
 */
class RepeatedReportsLakeTest {

  private static final BigDecimal AGENT_TOTAL = new BigDecimal("0.0001125");

  @TempDir Path tmp;
  private final HttpClient http = HttpClient.newHttpClient();

  @Test
  void agentFirstThenRestartThenTheAppsSpans() throws Exception {
    Path lake = tmp.resolve("lake");
    Path data = tmp.resolve("data");
    try (Running c = new Running(lake, data, "first")) {
      c.post(agentRounds());
    }
    try (Running c = new Running(lake, data, "restarted")) {
      c.post(springAiToolLoop(APP_TRACE, "0b", true));
    }
    assertCountedOnceAsTheAgentsRows(lake);
  }

  @Test
  void theAppsSpansFirstThenRestartThenTheAgentsRowsWhichAreKept() throws Exception {
    Path lake = tmp.resolve("lake");
    Path data = tmp.resolve("data");
    try (Running c = new Running(lake, data, "first")) {
      c.post(springAiToolLoop(APP_TRACE, "0b", true));
    }
    try (Running c = new Running(lake, data, "restarted")) {
      c.post(agentRounds());
    }
    assertCountedOnceAsTheAgentsRows(lake);
  }

  @Test
  void oneCollectorSeeingBothKeepsTheAgentsRowsInEitherOrder() throws Exception {
    Path lake = tmp.resolve("lake");
    try (Running c = new Running(lake, tmp.resolve("data"), "one")) {
      c.post(springAiToolLoop(APP_TRACE, "0b", true));
      c.post(agentRounds());
    }
    assertCountedOnceAsTheAgentsRows(lake);
  }

  @Test
  void twoCollectorsOneLake() throws Exception {
    Path lake = tmp.resolve("lake");
    try (Running agentSide = new Running(lake, tmp.resolve("data-a"), "agent-side");
        Running appSide = new Running(lake, tmp.resolve("data-b"), "app-side")) {
      appSide.post(springAiToolLoop(APP_TRACE, "0b", true));
      agentSide.post(agentRounds());
      agentSide.close();
    }
    assertCountedOnceAsTheAgentsRows(lake);
  }

  @Test
  void withoutTheAgentTheAppsRowsAreTheWorkflow() throws Exception {
    Path lake = tmp.resolve("lake");
    try (Running c = new Running(lake, tmp.resolve("data"), "one")) {
      c.post(springAiToolLoop(APP_TRACE, "0b", true));
    }
    try (Connection duck = views(lake); Statement st = duck.createStatement()) {
      ResultSet rs = st.executeQuery("SELECT count(*) FILTER (WHERE kind = 'model'),"
          + " count(*) FILTER (WHERE kind = 'tool'), sum(cost_usd) FROM calls");
      rs.next();
      assertThat(rs.getLong(1)).isEqualTo(3);
      assertThat(rs.getLong(2)).isEqualTo(2);
      // cumulative usage differenced: 120/20, 180/25, 260/40, no cache reported
      assertThat(rs.getBigDecimal(3)).isEqualByComparingTo("0.000135");
      rs = st.executeQuery("SELECT workflow_id, calls, cost_complete FROM workflows_latest");
      assertThat(rs.next()).isTrue();
      assertThat(rs.getString(1)).isEqualTo(APP_TRACE);
      assertThat(rs.getLong(2)).isEqualTo(5);
      assertThat(rs.getBoolean(3)).isTrue();
      assertThat(rs.next()).isFalse();
    }
  }

  private void assertCountedOnceAsTheAgentsRows(Path lake) throws Exception {
    try (Connection duck = views(lake); Statement st = duck.createStatement()) {
      ResultSet rs = st.executeQuery("SELECT count(*) FROM calls_original");
      rs.next();
      assertThat(rs.getLong(1)).as("both reports are written: 3 + 3 model rows, 2 tool rows")
          .isEqualTo(8);
      rs = st.executeQuery("SELECT response_id, workflow_id, foreign_span, cache_read_tokens,"
          + " cost_usd FROM calls ORDER BY response_id");
      for (String id : List.of("chatcmpl-r1", "chatcmpl-r2", "chatcmpl-r3")) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getString(1)).isEqualTo(id);
        assertThat(rs.getString(2)).isEqualTo(TRACE);
        assertThat(rs.getBoolean(3)).as("the agent's row").isFalse();
      }
      assertThat(rs.next()).as("no tool row of the app's shadow trace").isFalse();
      rs = st.executeQuery("SELECT sum(cost_usd) FROM calls");
      rs.next();
      assertThat(rs.getBigDecimal(1)).isEqualByComparingTo(AGENT_TOTAL);
      rs = st.executeQuery("SELECT workflow_id, workflow_name, model_calls, cost_usd,"
          + " cost_complete FROM workflows_latest");
      assertThat(rs.next()).isTrue();
      assertThat(rs.getString(1)).isEqualTo(TRACE);
      assertThat(rs.getString(2)).isEqualTo("WeatherController.ask");
      assertThat(rs.getLong(3)).isEqualTo(3);
      assertThat(rs.getBigDecimal(4)).isEqualByComparingTo(AGENT_TOTAL);
      assertThat(rs.getBoolean(5)).isTrue();
      assertThat(rs.next()).as("the app's trace is no workflow of its own").isFalse();
    }
  }

  private static Connection views(Path lake) throws Exception {
    Connection duck = DriverManager.getConnection("jdbc:duckdb:");
    LakeViews.install(duck, lake, 7);
    return duck;
  }

  /** A collector on an ephemeral port; closing it flushes and rolls up. */
  private final class Running implements AutoCloseable {
    private final Collector collector;
    private boolean closed;

    Running(Path lake, Path data, String id) throws Exception {
      collector = Collector.start(TestCollectors.config(lake, data, id)
          .maxBodyBytes(16L << 20)
          .build());
    }

    void post(List<Span> spans) throws Exception {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(
              URI.create("http://127.0.0.1:" + collector.port() + "/v1/traces"))
          .timeout(Duration.ofSeconds(30))
          .header("Content-Type", "application/x-protobuf")
          .POST(HttpRequest.BodyPublishers.ofByteArray(request(spans).toByteArray())).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    }

    @Override
    public void close() throws Exception {
      if (!closed) {
        closed = true;
        collector.close();
      }
    }
  }
}
