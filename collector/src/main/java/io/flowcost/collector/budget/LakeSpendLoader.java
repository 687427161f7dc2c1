package io.flowcost.collector.budget;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;

/**
 * Rebuilds a {@link SpendLedger} from the lake at start: the cost of every call of the current
 * month (per workflow and UTC day) and the tags of their workflows' root spans. Rows still in
 * the write-ahead log are added when the pipeline replays it; together they are everything
 * accepted, each row once (the lake views de-duplicate by span id).
 */
public final class LakeSpendLoader {

  private LakeSpendLoader() {}

  /** What was loaded. */
  public record Loaded(long calls, long workflows) {}

  /**
   * Loads calls that started on or after the start of {@code now}'s UTC month.
   *
   * @param lake a DuckDB connection with the lake views installed
   */
  public static Loaded load(Connection lake, SpendLedger ledger, Instant now)
      throws SQLException {
    LocalDate from = LocalDate.ofInstant(BudgetPeriod.MONTH.startOf(now), ZoneOffset.UTC);
    long rows = 0;
    long workflows = 0;
    try (PreparedStatement roots = lake.prepareStatement(
        "SELECT workflow_id, workflow_name, map_keys(tags) AS k, map_values(tags) AS v FROM workflow_spans"
            + " WHERE workflow_id IN (SELECT workflow_id FROM calls WHERE date >= ?)"
            + " ORDER BY start_time, received_at")) {
      roots.setObject(1, from);
      try (ResultSet rs = roots.executeQuery()) {
        while (rs.next()) {
          Map<String, String> tags = new HashMap<>();
          Object[] keys = array(rs.getArray("k"));
          Object[] values = array(rs.getArray("v"));
          for (int i = 0; i < keys.length && i < values.length; i++) {
            tags.put(String.valueOf(keys[i]), String.valueOf(values[i]));
          }
          ledger.root(rs.getString("workflow_id"), rs.getString("workflow_name"), tags);
          workflows++;
        }
      }
    }
    try (PreparedStatement calls = lake.prepareStatement(
        "SELECT workflow_id, date, sum(cost_usd) AS usd, count(*) AS n FROM calls"
            + " WHERE date >= ? AND cost_usd > 0 GROUP BY workflow_id, date")) {
      calls.setObject(1, from);
      try (ResultSet rs = calls.executeQuery()) {
        while (rs.next()) {
          LocalDate day = rs.getObject("date", LocalDate.class);
          ledger.call(rs.getString("workflow_id"), day.atStartOfDay(ZoneOffset.UTC).toInstant(),
              SpendLedger.nanos(rs.getBigDecimal("usd")), null);
          rows += rs.getLong("n");
        }
      }
    }
    return new Loaded(rows, workflows);
  }

  private static Object[] array(Array a) throws SQLException {
    return a == null ? new Object[0] : (Object[]) a.getArray();
  }
}
