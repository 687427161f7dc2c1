package io.flowcost.collector.pipeline;

import io.flowcost.collector.ingest.LakeRecord;
import io.flowcost.lake.store.LakeStore;
import io.flowcost.lake.store.StoredFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Reads the row keys of lake files published since a given time, to learn which rows of an
 * interrupted flush already reached the lake. Works for every {@link LakeStore}: each candidate
 * file is downloaded to a scratch directory and its key column read with DuckDB.
 */
final class LakeIdRecovery {

  /** Lake writers name files {@code <epochMillis:13>-<instance>-<seq>.parquet}. */
  private static final int MILLIS_DIGITS = 13;
  /** Tolerates a wall clock that stepped back between the marker and the file name. */
  private static final long CLOCK_MARGIN_MILLIS = 60_000;

  /** A fact table's name in the lake and its key column. */
  private record Where(String name, String column) {}

  private static Where where(LakeRecord.Table table) {
    switch (table) {
      case CALLS:
        return new Where("calls", "span_id");
      case WORKFLOW_SPANS:
        return new Where("workflow_spans", "span_id");
      case OUTCOMES:
        return new Where("outcomes", "outcome_id");
      case CAP_BREACHES:
        return new Where("cap_breaches", "span_id");
      default:
        throw new AssertionError(table);
    }
  }

  private final LakeStore store;
  private final Path scratch;

  LakeIdRecovery(LakeStore store, Path scratch) {
    this.store = store;
    this.scratch = scratch;
  }

  /**
   * Feeds {@code sink} the keys of rows in files of the given partitions published at or after
   * {@code sinceMillis}.
   *
   * @return the number of files read
   */
  int recover(long sinceMillis, Map<LakeRecord.Table, Set<LocalDate>> partitions,
      Consumer<String> sink)
      throws IOException {
    int files = 0;
    Files.createDirectories(scratch);
    try (Connection duck = DriverManager.getConnection("jdbc:duckdb:");
        Statement st = duck.createStatement()) {
      for (Map.Entry<LakeRecord.Table, Set<LocalDate>> e : partitions.entrySet()) {
        LakeRecord.Table key = e.getKey();
        Where table = where(key);
        for (LocalDate day : e.getValue()) {
          for (StoredFile f : store.listFiles(table.name() + "/date=" + day + "/")) {
            if (publishedMillis(f.key()) < sinceMillis - CLOCK_MARGIN_MILLIS) {
              continue;
            }
            Path local = scratch.resolve("recover-" + files + ".parquet");
            try {
              store.download(f.key(), local);
              try (ResultSet rs = st.executeQuery("SELECT " + table.column()
                  + " FROM read_parquet('" + local.toAbsolutePath().toString().replace("'", "''")
                  + "')")) {
                while (rs.next()) {
                  sink.accept(key.keyPrefix() + rs.getString(1));
                }
              }
            } finally {
              Files.deleteIfExists(local);
            }
            files++;
          }
        }
      }
    } catch (SQLException e) {
      throw new IOException("cannot read keys of recently published lake files", e);
    }
    return files;
  }

  /** The millis in a writer's file name; a name of another shape counts as recent. */
  static long publishedMillis(String key) {
    String name = key.substring(key.lastIndexOf('/') + 1);
    if (name.length() > MILLIS_DIGITS && name.charAt(MILLIS_DIGITS) == '-') {
      try {
        return Long.parseLong(name.substring(0, MILLIS_DIGITS));
      } catch (NumberFormatException e) {
        return Long.MAX_VALUE;
      }
    }
    return Long.MAX_VALUE;
  }
}
