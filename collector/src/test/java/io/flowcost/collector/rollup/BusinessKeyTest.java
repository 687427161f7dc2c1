package io.flowcost.collector.rollup;

import static org.assertj.core.api.Assertions.assertThat;

import io.flowcost.lake.LakeWriter;
import io.flowcost.lake.schema.LakeTables;
import io.flowcost.lake.schema.Row;
import io.flowcost.lake.store.LocalDirectoryStore;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An outcome reported for a reused business key goes to the most recent workflow with that key
 * that started at or before the report (docs/concepts.md, "Business keys").
 */
class BusinessKeyTest {

  private static final Instant RECEIVED = Instant.parse("2026-11-20T00:00:00Z");

  @TempDir Path tmp;

  @Test
  void anOutcomeGoesToTheLatestWorkflowWithTheKeyThatStartedBeforeIt() throws Exception {
    Path lake = tmp.resolve("lake");
    LakeWriter writer = LakeWriter.builder(new LocalDirectoryStore(lake), "w")
        .scratchDirectory(tmp).build();
    // T-1 is reused: the first run at 10:00, a second run at 12:00 (a reopened ticket)
    writer.write(LakeTables.WORKFLOW_SPANS, Instant.parse("2026-11-02T10:00:00Z")
        .atZone(ZoneOffset.UTC).toLocalDate(), List.of(
            root("wf-first", "T-1", "2026-11-02T10:00:00Z"),
            root("wf-second", "T-1", "2026-11-02T12:00:00Z"),
            root("wf-skewed", "T-2", "2026-11-02T10:00:00Z")));
    writer.write(LakeTables.CALLS, java.time.LocalDate.parse("2026-11-02"), List.of(
        call("wf-first", "2026-11-02T10:00:01Z", "0.000300000"),
        call("wf-second", "2026-11-02T12:00:01Z", "0.000200000"),
        call("wf-skewed", "2026-11-02T10:00:01Z", "0.000100000")));
    writer.write(LakeTables.OUTCOMES, java.time.LocalDate.parse("2026-11-02"), List.of(
        // between the two runs: the first run failed
        outcome("o-between", "T-1", "failure", "2026-11-02T11:00:00Z"),
        // after both: the second run succeeded, and the first keeps its failure
        outcome("o-after", "T-1", "success", "2026-11-02T13:00:00Z"),
        // reported a second before the only workflow with T-2 started (another host's clock)
        outcome("o-early", "T-2", "success", "2026-11-02T09:59:59Z")));

    Map<String, String> resolved = new LinkedHashMap<>();
    Map<String, String> outcome = new LinkedHashMap<>();
    Map<String, BigDecimal> waste = new LinkedHashMap<>();
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:")) {
      LakeViews.install(c, lake, 7);
      try (Statement st = c.createStatement()) {
        try (ResultSet rs = st.executeQuery(
            "SELECT outcome_id, resolved_workflow_id FROM outcomes_resolved ORDER BY 1")) {
          while (rs.next()) {
            resolved.put(rs.getString(1), rs.getString(2));
          }
        }
        try (ResultSet rs = st.executeQuery("SELECT workflow_id, outcome, failure_waste_usd"
            + " FROM workflows_derived ORDER BY 1")) {
          while (rs.next()) {
            outcome.put(rs.getString(1), rs.getString(2));
            waste.put(rs.getString(1), rs.getBigDecimal(3));
          }
        }
      }
    }

    assertThat(resolved).containsExactlyInAnyOrderEntriesOf(Map.of(
        "o-between", "wf-first", "o-after", "wf-second", "o-early", "wf-skewed"));
    assertThat(outcome).containsExactlyInAnyOrderEntriesOf(Map.of(
        "wf-first", "failure", "wf-second", "success", "wf-skewed", "success"));
    // a failed workflow's whole cost is waste; the succeeded run's is not
    assertThat(waste.get("wf-first")).isEqualByComparingTo("0.000300000");
    assertThat(waste.get("wf-second")).isEqualByComparingTo("0");

    // the snapshots a rollup writes carry the same attribution
    Rollup rollup = new Rollup(lake, new LocalDirectoryStore(lake), "keys", 7, Clock.systemUTC());
    rollup.rollupAll();
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:")) {
      LakeViews.install(c, lake, 7);
      try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
          "SELECT workflow_id, outcome FROM workflows_latest ORDER BY 1")) {
        List<String> rows = new ArrayList<>();
        while (rs.next()) {
          rows.add(rs.getString(1) + "=" + rs.getString(2));
        }
        assertThat(rows).containsExactly("wf-first=failure", "wf-second=success",
            "wf-skewed=success");
      }
    }
  }

  private static Row root(String id, String key, String start) {
    Instant t = Instant.parse(start);
    return Row.builder(LakeTables.WORKFLOW_SPANS)
        .set("workflow_id", id)
        .set("span_id", "s-" + id)
        .set("workflow_name", "resolve-ticket")
        .set("service", "svc")
        .set("source", "api")
        .set("start_time", t)
        .set("end_time", t.plusSeconds(5))
        .set("error", false)
        .set("tags", Map.of())
        .set("external_key", key)
        .set("received_at", RECEIVED)
        .build();
  }

  private static Row call(String workflowId, String start, String cost) {
    Instant t = Instant.parse(start);
    return Row.builder(LakeTables.CALLS)
        .set("workflow_id", workflowId)
        .set("call_id", "c-" + workflowId)
        .set("span_id", "cs-" + workflowId)
        .set("kind", "model")
        .set("service", "svc")
        .set("attempt", 1)
        .set("status", "ok")
        .set("http_status", 200)
        .set("input_tokens", 100L)
        .set("output_tokens", 10L)
        .set("tokens_estimated", false)
        .set("cost_usd", new BigDecimal(cost))
        .set("unpriced", false)
        .set("wasted", false)
        .set("start_time", t)
        .set("end_time", t.plusMillis(3))
        .set("received_at", RECEIVED)
        .build();
  }

  private static Row outcome(String id, String key, String status, String reportedAt) {
    return RandomLake.outcomeRow(new RandomLake.Outcome(id, null, key, status,
        Instant.parse(reportedAt)), RECEIVED);
  }
}
