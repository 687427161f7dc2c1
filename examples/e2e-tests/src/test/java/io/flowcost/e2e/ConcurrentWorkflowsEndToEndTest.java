package io.flowcost.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * 50 workflows interleaved on a pool of 8 threads, each making {@code i % 3 + 1} SDK calls
 * (blocking and asynchronous on OkHttp's dispatcher): every call must land in its own workflow.
 * A call's prompt length encodes its workflow, so a misplaced call shows as a workflow whose calls
 * differ in input tokens.
 */
class ConcurrentWorkflowsEndToEndTest {

  static final int WORKFLOWS = 50;

  @Test
  void everyCallLandsInItsOwnWorkflow() throws Exception {
    try (AgentRun r = AgentRun.builder("batch")
        .jar(SdkEndToEndTest.sdkAppJar())
        .fakeProvider(base ->
            List.of("--provider-url", base, "--concurrent", Integer.toString(WORKFLOWS)))
        .service("batch-app")
        .timeoutSeconds(180)
        .run()) {
      ChildJvm.Result run = r.run();
      int exchanges = r.exchanges().size();
      int expectedCalls = 0;
      for (int i = 0; i < WORKFLOWS; i++) {
        expectedCalls += i % 3 + 1;
      }
      assertThat(run.stdout()).contains("calls=" + expectedCalls);
      assertThat(exchanges).isEqualTo(expectedCalls);

      try (Statement st = r.duck().createStatement(); ResultSet rs = st.executeQuery(
          "SELECT w.external_key, w.workflow_name, w.team, w.calls,"
              // attempts the fake answered (a row per exchange it logged)
              + " (SELECT count(*) FROM calls c WHERE c.workflow_id = w.workflow_id"
              + "    AND c.http_status IS NOT NULL),"
              + " (SELECT count(DISTINCT input_tokens) FROM calls c WHERE c.workflow_id = w.workflow_id),"
              + " (SELECT min(input_tokens) FROM calls c WHERE c.workflow_id = w.workflow_id),"
              // any other attempt: one that failed before the fake answered it
              + " (SELECT count(*) FROM calls c WHERE c.workflow_id = w.workflow_id"
              + "    AND c.http_status IS NULL AND c.status = 'error'),"
              + " (SELECT count(*) FROM calls c WHERE c.workflow_id = w.workflow_id),"
              + " (SELECT string_agg(c.call_id || ' attempt ' || c.attempt || ' ' || c.status"
              + "    || ' ' || coalesce(c.error_type, '-') || ' http ' || coalesce(CAST(c.http_status AS VARCHAR), '-'), '; ')"
              + "  FROM calls c WHERE c.workflow_id = w.workflow_id)"
              + " FROM workflows_latest w"
              + " ORDER BY CAST(substr(w.external_key, 5) AS INTEGER)")) {
        long previousTokens = -1;
        int n = 0;
        while (rs.next()) {
          String key = rs.getString(1);
          assertThat(key).isEqualTo("job-" + n);
          assertThat(rs.getString(2)).isEqualTo("batch");
          assertThat(rs.getString(3)).isEqualTo("batch");
          assertThat(rs.getLong(4)).as(key + " calls").isEqualTo(n % 3 + 1);
          String rows = rs.getString(10);
          // one answered attempt per call; a transport attempt that failed before reaching the
          // fake (a connection refused under load, retried by OkHttp) is a real attempt of the
          // same call and may add a row, but only as an error without an HTTP status
          assertThat(rs.getLong(5)).as(key + " answered attempts: " + rows).isEqualTo(n % 3 + 1);
          assertThat(rs.getLong(9)).as(key + " rows: " + rows)
              .isEqualTo(rs.getLong(5) + rs.getLong(8));
          assertThat(rs.getLong(6)).as(key + ": all its calls carry its own prompt: " + rows)
              .isEqualTo(1);
          assertThat(rs.getLong(7)).as(key + " input grows with i").isGreaterThan(previousTokens);
          previousTokens = rs.getLong(7);
          n++;
        }
        assertThat(n).as("no implicit or extra workflows").isEqualTo(WORKFLOWS);
      }
    }
  }
}
