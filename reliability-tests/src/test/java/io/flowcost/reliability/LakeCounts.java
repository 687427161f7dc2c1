package io.flowcost.reliability;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;

/** Counts rows in a local lake's raw Parquet files with DuckDB. */
final class LakeCounts {

  /** Rows and distinct keys of one raw table. */
  record Counts(long rows, long distinct, long files) {}

  private LakeCounts() {}

  /** Rows of a raw table matching a SQL condition. */
  static long count(Path lake, String table, String condition) throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT count(*) FROM read_parquet('" + lake.resolve(table)
            + "/date=*/*.parquet') WHERE " + condition)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  static Counts of(Path lake, String table, String keyColumn) throws Exception {
    Path dir = lake.resolve(table);
    if (!Files.isDirectory(dir)) {
      return new Counts(0, 0, 0);
    }
    long files;
    try (var s = Files.walk(dir)) {
      files = s.filter(p -> p.toString().endsWith(".parquet")).count();
    }
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT count(*), count(DISTINCT " + keyColumn
            + ") FROM read_parquet('" + dir + "/date=*/*.parquet')")) {
      rs.next();
      return new Counts(rs.getLong(1), rs.getLong(2), files);
    }
  }
}
