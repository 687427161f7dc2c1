package io.flowcost.collector.rollup;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The coverage views read a lake whose coverage files predate {@code rows_quarantined} (schema
 * 1), alone or mixed with newer files: an upgrade never breaks {@code coverage_daily}.
 */
class CoverageViewTest {

  @TempDir Path lake;

  @Test
  void filesWithoutRowsQuarantinedReadItAsZeroAndNewFilesAddUp() throws Exception {
    Path day = Files.createDirectories(lake.resolve("coverage/date=2026-11-24"));
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
        Statement st = c.createStatement()) {
      st.execute("SET TimeZone = 'UTC'");
      st.execute("COPY (SELECT DATE '2026-11-24' AS day, 'svc' AS service, 'a' AS collector_id,"
          + " 10::BIGINT AS spans_received, 1::BIGINT AS spans_rejected, 9::BIGINT AS"
          + " calls_written, 0::BIGINT AS outcomes_received, 0::BIGINT AS outcomes_rejected,"
          + " 0::BIGINT AS agent_dropped_spans, TIMESTAMPTZ '2026-11-24 10:00:00+00' AS"
          + " recorded_at) TO '" + day.resolve("1-old.parquet") + "' (FORMAT parquet)");
      LakeViews.install(c, lake, 7);
      try (ResultSet rs = st.executeQuery("SELECT spans_received, rows_quarantined"
          + " FROM coverage_daily WHERE service = 'svc'")) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getLong(1)).isEqualTo(10);
        assertThat(rs.getLong(2)).isZero();
      }
      st.execute("COPY (SELECT DATE '2026-11-24' AS day, 'svc' AS service, 'a' AS collector_id,"
          + " 5::BIGINT AS spans_received, 0::BIGINT AS spans_rejected, 4::BIGINT AS"
          + " calls_written, 0::BIGINT AS outcomes_received, 0::BIGINT AS outcomes_rejected,"
          + " 0::BIGINT AS agent_dropped_spans, 2::BIGINT AS rows_quarantined,"
          + " TIMESTAMPTZ '2026-11-24 11:00:00+00' AS recorded_at) TO '"
          + day.resolve("2-new.parquet") + "' (FORMAT parquet)");
      LakeViews.install(c, lake, 7);
      try (ResultSet rs = st.executeQuery("SELECT spans_received, rows_quarantined"
          + " FROM coverage_daily WHERE service = 'svc'")) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getLong(1)).isEqualTo(15);
        assertThat(rs.getLong(2)).isEqualTo(2);
        assertThat(rs.next()).isFalse();
      }
    }
  }
}
