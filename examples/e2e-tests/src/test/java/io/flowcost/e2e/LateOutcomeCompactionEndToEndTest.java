package io.flowcost.e2e;

import static io.flowcost.e2e.MinioLake.outcome;
import static io.flowcost.e2e.MinioLake.post;
import static io.flowcost.e2e.MinioLake.scalar;
import static io.flowcost.e2e.MinioLake.spans;
import static io.flowcost.e2e.MinioLake.traceId;
import static org.assertj.core.api.Assertions.assertThat;

import io.flowcost.collector.Collector;
import io.flowcost.collector.compact.Compactor;
import io.flowcost.collector.rollup.LakeViews;
import io.flowcost.lake.store.MinioServer;
import io.flowcost.lake.store.S3Store;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The lake on MinIO: workflows of a closed day are written and rolled up, outcomes arrive
 * late, the collector restarts (and agents resend what they are unsure of), then {@code compact}
 * merges the day — the views still give each workflow once, with its latest outcome.
 */
class LateOutcomeCompactionEndToEndTest {

  @RegisterExtension static final MinioServer MINIO = new MinioServer();

  @TempDir Path tmp;

  @Test
  @Timeout(value = 3, unit = TimeUnit.MINUTES)
  void lateOutcomesSurviveARestartAndACompaction() throws Exception {
    LocalDate yesterday = LocalDate.now(ZoneOffset.UTC).minusDays(1);
    Instant noon = yesterday.atTime(12, 0).toInstant(ZoneOffset.UTC);
    // three workflows of yesterday, 3 calls each now and 2 each in a second file
    String first = "{\"resourceSpans\":[" + String.join(",",
        body(spans(1, "triage", true, 101, 3, noon)),
        body(spans(2, "triage", true, 201, 3, noon.plusSeconds(60))),
        body(spans(3, "triage", true, 301, 3, noon.plusSeconds(120)))) + "]}";
    String second = "{\"resourceSpans\":[" + String.join(",",
        body(spans(1, "triage", false, 111, 2, noon.plusSeconds(1))),
        body(spans(2, "triage", false, 211, 2, noon.plusSeconds(61))),
        body(spans(3, "triage", false, 311, 2, noon.plusSeconds(121)))) + "]}";

    try (MinioLake lake = new MinioLake(MINIO, "s3://lake/late", tmp)) {
      Collector collector = lake.startCollector(Duration.ofHours(1), 1_000_000);
      // o-2 is reported late (after its day was written and rolled up) and retried later
      Instant o2ReportedAt = Instant.now();
      try {
        assertThat(post(collector.port(), "/v1/traces", first).statusCode()).isEqualTo(200);
        assertThat(post(collector.port(), "/v1/outcomes",
            outcome(1, "success", "o-1", noon.plusSeconds(30))).statusCode()).isEqualTo(202);
        collector.flush();
        assertThat(post(collector.port(), "/v1/traces", second).statusCode()).isEqualTo(200);
        collector.flush();
        collector.rollupNow();

        Path before = lake.mirror();
        try (Connection c = MinioLake.views(before)) {
          assertThat(outcomes(c)).containsExactlyInAnyOrderEntriesOf(Map.of(
              traceId(1), "success", traceId(2), "unknown", traceId(3), "unknown"));
          assertThat(scalar(c, "SELECT count(*) FROM " + MinioLake.raw(before, "calls")))
              .isEqualTo(15);
        }

        // late: after the day was written and rolled up
        assertThat(post(collector.port(), "/v1/outcomes",
            outcome(2, "failure", "o-2", o2ReportedAt)).statusCode()).isEqualTo(202);
        assertThat(post(collector.port(), "/v1/outcomes",
            outcome(1, "failure", "o-3", Instant.now())).statusCode()).isEqualTo(202);
        // an agent resends a request it is unsure about
        assertThat(post(collector.port(), "/v1/traces", first).statusCode()).isEqualTo(200);
      } finally {
        collector.close();
      }

      // the collector restarts on the same data dir; the agent resends again, one more outcome
      collector = lake.startCollector(Duration.ofHours(1), 1_000_000);
      try {
        assertThat(post(collector.port(), "/v1/traces", second).statusCode()).isEqualTo(200);
        assertThat(post(collector.port(), "/v1/outcomes",
            outcome(3, "success", "o-4", Instant.now())).statusCode()).isEqualTo(202);
        // the reporter retries o-2 with the same content: idempotent (different content is a 409)
        assertThat(post(collector.port(), "/v1/outcomes",
            outcome(2, "failure", "o-2", o2ReportedAt)).statusCode()).isEqualTo(202);
      } finally {
        collector.close();
      }

      List<Compactor.Result> merged;
      try (S3Store store = MINIO.store("s3://lake/late").build()) {
        Compactor compactor = new Compactor(store, tmp, "compact-e2e", Clock.systemUTC());
        merged = compactor.compactBefore(Compactor.tables(), compactor.today());
        // yesterday's call files now are one
        assertThat(store.list("calls/date=" + yesterday + "/")).hasSize(1);
      }
      assertThat(merged).anySatisfy(r -> {
        assertThat(r.table()).isEqualTo("calls");
        assertThat(r.day()).isEqualTo(yesterday);
        assertThat(r.filesMerged()).isGreaterThanOrEqualTo(2);
        assertThat(r.rowsAfter()).isEqualTo(15);
      });

      Path after = lake.mirror();
      try (Connection c = MinioLake.views(after)) {
        assertThat(outcomes(c)).containsExactlyInAnyOrderEntriesOf(Map.of(
            traceId(1), "failure", traceId(2), "failure", traceId(3), "success"));
        assertThat(scalar(c, "SELECT count(*) FROM workflows_latest")).isEqualTo(3);
        assertThat(scalar(c, "SELECT sum(calls) FROM workflows_latest")).isEqualTo(15);
        assertThat(scalar(c, "SELECT count(*) FROM calls")).isEqualTo(15);
        assertThat(scalar(c, "SELECT count(*) FROM outcomes")).isEqualTo(4);
        assertThat(scalar(c, "SELECT sum(successes) FROM cost_per_outcome_latest")).isEqualTo(1);
        assertThat(scalar(c, "SELECT sum(failures) FROM cost_per_outcome_latest")).isEqualTo(2);
        assertThat(scalar(c, "SELECT count(*) FROM " + MinioLake.raw(after, "calls")))
            .as("compaction dropped the duplicates, if any reached the files").isEqualTo(15);
        // the compacted day is read without the views' de-duplication window
        List<Path> compacted = LakeViews.splitCompacted(c, after.resolve("calls")).compacted();
        assertThat(compacted).hasSize(1).allMatch(f -> f.toString().contains("date=" + yesterday));
        // and its workflows' call totals from compact's per-day totals (docs/lake.md, "Per-day
        // call totals"), which gave the 15 calls above
        LakeViews.Aggregated aggregated = LakeViews.splitAggregated(c, after, compacted);
        assertThat(aggregated.calls()).isEqualTo(compacted);
        assertThat(aggregated.totals()).hasSize(1)
            .allMatch(f -> f.toString().contains("call_totals_daily/date=" + yesterday));
        // what that relies on (docs/lake.md, "De-duplication"): however often a span was sent
        // (before and after the restart), its rows are in the partition of its start_time's day
        for (String table : List.of("calls", "workflow_spans")) {
          assertThat(scalar(c, "SELECT count(*) FROM read_parquet('" + after.resolve(table)
              + "/date=*/*.parquet', hive_partitioning = true)"
              + " WHERE date <> CAST(start_time AS DATE)")).as(table).isZero();
        }
      }
    }
  }

  /** The inner resourceSpans element of a one-resource request. */
  private static String body(String request) {
    String s = request.strip();
    return s.substring(s.indexOf('[') + 1, s.lastIndexOf(']')).strip();
  }

  private static Map<String, String> outcomes(Connection c) throws Exception {
    Map<String, String> out = new HashMap<>();
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT workflow_id, outcome FROM workflows_latest")) {
      while (rs.next()) {
        assertThat(out.put(rs.getString(1), rs.getString(2))).as("each workflow once").isNull();
      }
    }
    return out;
  }
}
