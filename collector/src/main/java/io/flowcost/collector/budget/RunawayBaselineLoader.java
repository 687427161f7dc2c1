package io.flowcost.collector.budget;

import io.flowcost.collector.alert.RunawayDetector;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;

/**
 * Rebuilds the runaway baselines ({@link RunawayDetector}) from the lake at start: the spend and
 * call rows of each workflow that finished (has a root span) in the last {@value #DAYS} days, in
 * the order they ended, so each intent keeps its latest finished workflows. One aggregate query
 * over {@value #DAYS} days of partitions; workflows finishing later come from live rows.
 */
public final class RunawayBaselineLoader {

  /** How many days of finished workflows are read at start. */
  public static final int DAYS = 7;

  private RunawayBaselineLoader() {}

  /**
   * Loads finished workflows whose calls started on or after {@code now}'s UTC day minus
   * {@value #DAYS} days; returns how many.
   *
   * @param lake a DuckDB connection with the lake views installed
   */
  public static long load(Connection lake, RunawayDetector detector, Instant now)
      throws SQLException {
    LocalDate from = LocalDate.ofInstant(now, ZoneOffset.UTC).minusDays(DAYS);
    long n = 0;
    try (PreparedStatement q = lake.prepareStatement(
        "WITH roots AS (SELECT workflow_id, min(workflow_name) AS workflow_name,"
            + " max(coalesce(end_time, start_time)) AS ended FROM workflow_spans"
            + " WHERE date >= ? GROUP BY workflow_id),"
            + " spend AS (SELECT workflow_id, sum(coalesce(cost_usd, 0)) AS usd, count(*) AS n"
            + " FROM calls WHERE date >= ? GROUP BY workflow_id)"
            + " SELECT r.workflow_name, s.usd, s.n FROM roots r JOIN spend s USING (workflow_id)"
            + " WHERE r.workflow_name IS NOT NULL ORDER BY r.ended, r.workflow_id")) {
      q.setObject(1, from);
      q.setObject(2, from);
      try (ResultSet rs = q.executeQuery()) {
        while (rs.next()) {
          detector.finished(rs.getString(1), SpendLedger.nanos(rs.getBigDecimal(2)),
              rs.getLong(3));
          n++;
        }
      }
    }
    return n;
  }
}
