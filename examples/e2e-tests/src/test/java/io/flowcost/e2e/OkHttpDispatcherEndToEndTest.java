package io.flowcost.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Asynchronous OkHttp calls that wait in the dispatcher's queue are recorded in the context of
 * the thread that enqueued them, not in that of the call whose end started them ({@link
 * OkHttpDispatcherApp} forces that order). Under the real agent, whose executor hook alone would
 * carry the finished call's context to the promoted one.
 */
class OkHttpDispatcherEndToEndTest {

  @Test
  void aQueuedAsyncCallIsRecordedWhereItWasEnqueued() throws Exception {
    try (AgentRun r = AgentRun.builder("okhttp-dispatcher")
        .mainClass(OkHttpDispatcherApp.class)
        .fakeProvider(base -> List.of("--provider-url", base))
        .service("dispatcher-app")
        // 127.0.0.1 is no provider's host: its model paths are model calls only when configured
        .agentFlags(base -> List.of("-Dflowcost.llm-endpoints=" + base))
        .run()) {
      ChildJvm.Result run = r.run();
      assertThat(run.stdout()).as(run.stderr())
          .contains("A 200", "B 200", "C 200", "queued 2");
      assertThat(r.exchanges()).hasSize(3);

      // one row per attempt, with its workflow's key (none for C's implicit workflow), ordered by
      // the prompt's size: A (1 word), B (10 words), C (20 words)
      List<String> rows = new ArrayList<>();
      try (Statement st = r.duck().createStatement(); ResultSet rs = st.executeQuery(
          "SELECT coalesce(w.external_key, 'none'), w.calls, c.attempt, c.http_status, c.status"
              + " FROM calls c JOIN workflows_latest w ON w.workflow_id = c.workflow_id"
              + " ORDER BY c.input_tokens")) {
        while (rs.next()) {
          rows.add(rs.getString(1) + " calls=" + rs.getLong(2) + " attempt=" + rs.getLong(3)
              + " http=" + rs.getLong(4) + " " + rs.getString(5));
        }
      }
      assertThat(rows).as("each call is its own single attempt, in its enqueuer's workflow")
          .containsExactly(
              "dispatch-1 calls=1 attempt=1 http=200 ok",
              "dispatch-2 calls=1 attempt=1 http=200 ok",
              "none calls=1 attempt=1 http=200 ok");
      assertThat(r.scalar("SELECT count(DISTINCT workflow_id) FROM calls")).isEqualTo(3);
      assertThat(r.scalar("SELECT count(DISTINCT input_tokens) FROM calls")).isEqualTo(3);
    }
  }
}
