package io.flowcost.collector.rollup;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Installs the lake views of {@code notebooks/lake.sql} (bundled in the collector jar) on a
 * DuckDB connection, pointing them at a lake directory.
 */
public final class LakeViews {

  /** Tables the views read; a table with no file yet is replaced by a typed empty table. */
  public static final List<String> TABLES = List.of(
      "calls", "workflow_spans", "outcomes", "workflows", "cost_per_outcome", "coverage",
      "rollups", "call_prices", "cap_breaches");

  private static final String RESOURCE = "/io/flowcost/collector/rollup/lake.sql";

  /** The temporary table {@link #pinDerived} fills (as flowcost_lake.pin_derived does). */
  static final String PINNED = "flowcost_workflows_derived";

  private LakeViews() {}

  /** Runs lake.sql on {@code connection} for the lake rooted at {@code root}. */
  public static void install(Connection connection, Path root, int horizonDays)
      throws SQLException, IOException {
    String sql = render(load(), root, horizonDays);
    try (Statement st = connection.createStatement()) {
      for (String statement : statements(sql)) {
        st.execute(statement);
      }
    }
  }

  /**
   * Derives {@code workflows_derived} once into a temporary table and points the view at it, so
   * that what follows on {@code connection} ({@code cost_per_outcome_derived}, one snapshot per
   * day, the days of given workflows) reads the derived rows instead of deriving them from the
   * facts again. DuckDB binds a view's name when a query runs, so the views defined over {@code
   * workflows_derived} follow. The table is a snapshot: facts written afterwards are not in it.
   *
   * @return the number of workflows derived
   */
  public static long pinDerived(Connection connection) throws SQLException {
    try (Statement st = connection.createStatement()) {
      st.execute("CREATE OR REPLACE TEMP TABLE " + PINNED + " AS SELECT * FROM workflows_derived");
      st.execute("CREATE OR REPLACE VIEW workflows_derived AS SELECT * FROM " + PINNED);
      try (var rs = st.executeQuery("SELECT count(*) FROM " + PINNED)) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  static String load() throws IOException {
    try (InputStream in = LakeViews.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IOException("lake.sql missing from the collector jar (" + RESOURCE + ")");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  static String render(String sql, Path root, int horizonDays) throws IOException {
    String out = sql.replace("{{horizon_days}}", Integer.toString(horizonDays));
    for (String table : TABLES) {
      String source = hasFiles(root.resolve(table))
          ? "read_parquet('" + escape(root.resolve(table).toAbsolutePath()
              + "/date=*/*.parquet") + "', hive_partitioning = true, union_by_name = true)"
          : "(SELECT * FROM flowcost_empty_" + table + ")";
      out = out.replace("{{" + table + "}}", source);
    }
    return out;
  }

  private static boolean hasFiles(Path tableDir) throws IOException {
    if (!Files.isDirectory(tableDir)) {
      return false;
    }
    try (Stream<Path> files = Files.walk(tableDir, 2)) {
      return files.anyMatch(p -> p.getFileName().toString().endsWith(".parquet")
          && p.getParent().getFileName().toString().startsWith("date="));
    }
  }

  private static String escape(String s) {
    return s.replace("'", "''");
  }

  /** Splits a script into statements: a statement ends with ';' at the end of a line. */
  static List<String> statements(String sql) {
    List<String> out = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    for (String line : sql.split("\n")) {
      String trimmed = line.strip();
      if (trimmed.startsWith("--") || trimmed.isEmpty()) {
        continue;
      }
      current.append(line).append('\n');
      if (trimmed.endsWith(";")) {
        out.add(current.toString().strip());
        current.setLength(0);
      }
    }
    if (!current.toString().isBlank()) {
      out.add(current.toString().strip());
    }
    return out;
  }
}
