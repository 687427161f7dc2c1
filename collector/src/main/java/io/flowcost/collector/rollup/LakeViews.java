package io.flowcost.collector.rollup;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Installs the lake views of {@code notebooks/lake.sql} (bundled in the collector jar) on a
 * DuckDB connection, pointing them at a lake directory.
 */
public final class LakeViews {

  /** Tables the views read; a table with no file yet is replaced by a typed empty table. */
  public static final List<String> TABLES = List.of(
      "calls", "workflow_spans", "outcomes", "workflows", "cost_per_outcome", "coverage",
      "rollups", "call_prices", "cap_breaches");

  /**
   * Fact tables whose views read a compacted day's file as it is ({@code {{table:compacted}}})
   * and de-duplicate only the other files ({@code {{table:rest}}}); see {@link #splitCompacted}.
   */
  public static final List<String> SPLIT_TABLES = List.of("calls", "workflow_spans");

  /** The key-value metadata {@code compact} writes into a file it de-duplicated on the row key. */
  public static final String COMPACTED_KEY = "flowcost.compacted_files";

  /**
   * The per-day, per-workflow pre-aggregate of a compacted {@code calls} day, written by {@code
   * compact} from lake.sql's {@code call_totals_partial} (docs/lake.md, "Per-day call totals").
   */
  public static final String TOTALS_TABLE = "call_totals_daily";

  /**
   * The key-value metadata of a {@link #TOTALS_TABLE} file: the name of the compacted {@code
   * calls} file it aggregates. The pre-aggregate stands for the day only while that file is the
   * day's only {@code calls} file.
   */
  public static final String AGGREGATED_FILE_KEY = "flowcost.aggregated_file";

  /** Every table a local mirror of an object-store lake needs: {@link #TABLES} and the totals. */
  public static List<String> mirroredPrefixes() {
    List<String> out = new ArrayList<>();
    for (String t : TABLES) {
      out.add(t + "/");
    }
    out.add(TOTALS_TABLE + "/");
    return List.copyOf(out);
  }

  /** The view {@link #TOTALS_TABLE} files are written from. */
  public static final String PARTIAL_VIEW = "call_totals_partial";

  /**
   * The view {@code compact} writes a {@link #TOTALS_TABLE} file from: {@link #PARTIAL_VIEW} and,
   * for the workflows whose calls come within an hour of either midnight, their (call_id, kind)
   * pairs, with which a full rollup counts the calls of a workflow crossing midnight without
   * reading the day's calls.
   */
  public static final String WRITTEN_VIEW = "call_totals_daily_written";

  private static final String RESOURCE = "/io/flowcost/collector/rollup/lake.sql";

  /** The temporary table {@link #pinDerived} fills (as flowcost_lake.pin_derived does). */
  static final String PINNED = "flowcost_workflows_derived";

  private LakeViews() {}

  /** Runs lake.sql on {@code connection} for the lake rooted at {@code root}. */
  public static void install(Connection connection, Path root, int horizonDays)
      throws SQLException, IOException {
    run(connection, render(load(), connection, root, horizonDays));
  }

  /**
   * Runs lake.sql on {@code connection} with the fact sources a derivation of some workflows
   * reads restricted to {@link RollupScope}'s tables, which the caller has filled ({@link
   * RollupScope#fill}), and to the files {@code files} keeps: for a rollup of some days ({@link
   * Rollup#rollupAffected}).
   */
  static void installScoped(Connection connection, Path root, int horizonDays, FileScope files)
      throws SQLException, IOException {
    run(connection, render(load(), connection, root, horizonDays, files));
  }

  /**
   * Runs only the statements of lake.sql that {@code workflows_latest} needs (the settings, the
   * typed empty tables, the snapshot views): the latest snapshots of a lake, without binding
   * the views over the facts.
   */
  static void installSnapshots(Connection connection, Path root, int horizonDays)
      throws SQLException, IOException {
    List<String> prefixes = List.of("SET ", "CREATE OR REPLACE TEMP TABLE flowcost_empty_",
        "CREATE OR REPLACE VIEW rollups ", "CREATE OR REPLACE VIEW workflows_snapshots ",
        "CREATE OR REPLACE VIEW workflows_latest ");
    String sql = String.join("\n", statements(load()).stream()
        .filter(st -> prefixes.stream().anyMatch(st::startsWith)).toList());
    run(connection, render(sql, connection, root, horizonDays, null));
  }

  private static void run(Connection connection, String sql) throws SQLException {
    try (Statement st = connection.createStatement()) {
      for (String statement : statements(sql)) {
        st.execute(statement);
      }
    }
  }

  /**
   * Which files of the fact tables a scoped install reads ({@link RollupScope#files}): a file
   * left out holds no row the scoped sources would keep.
   */
  interface FileScope {
    /**
     * @param source the placeholder the files stand for: {@code calls:aggregated}, {@code
     *     call_totals_daily:aggregated} (before the calls), {@code calls:compacted}, {@code
     *     workflow_spans:compacted} or {@code outcomes}
     * @return the files to read, in order
     */
    List<Path> keep(String source, List<Path> files) throws SQLException, IOException;
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
    }
    return pointAtPinned(connection);
  }

  /**
   * Points {@code workflows_derived} at {@link #PINNED}, filled by {@link #pinDerived} or {@link
   * RollupScope#pin}.
   *
   * @return the number of rows pinned
   */
  static long pointAtPinned(Connection connection) throws SQLException {
    try (Statement st = connection.createStatement()) {
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

  static String render(String sql, Connection connection, Path root, int horizonDays)
      throws IOException, SQLException {
    return render(sql, connection, root, horizonDays, null);
  }

  /**
   * @param files non-null: the sources of the rows a workflow's derivation reads by workflow
   *     (the calls, their pre-aggregates, the roots, the outcomes) are restricted to {@link
   *     RollupScope}'s tables, and to the files {@code files} keeps (never a day's files that
   *     the views de-duplicate: they are read whole)
   */
  private static String render(String sql, Connection connection, Path root, int horizonDays,
      FileScope files) throws IOException, SQLException {
    boolean scoped = files != null;
    FileScope keep = scoped ? files : (source, f) -> f;
    java.util.function.UnaryOperator<String> byWorkflow =
        scoped ? RollupScope::ofWorkflows : s -> s;
    java.util.function.UnaryOperator<String> bySpan = scoped ? RollupScope::ofSpans : s -> s;
    String out = sql.replace("{{horizon_days}}", Integer.toString(horizonDays));
    for (String table : TABLES) {
      String source = hasFiles(root.resolve(table))
          ? "read_parquet('" + escape(root.resolve(table).toAbsolutePath()
              + "/date=*/*.parquet") + "', hive_partitioning = true, union_by_name = true)"
          : "(SELECT * FROM flowcost_empty_" + table + ")";
      if (SPLIT_TABLES.contains(table)) {
        // the file lists are taken now: the views see the files as they were at install
        Split split = splitCompacted(connection, root.resolve(table));
        List<Path> compacted = split.compacted();
        if (table.equals("calls") && out.contains("{{calls:aggregated}}")) {
          Aggregated aggregated = splitAggregated(connection, root, compacted);
          compacted = aggregated.compacted();
          List<Path> totals = keep.keep(TOTALS_TABLE + ":aggregated", aggregated.totals());
          List<Path> aggregatedCalls = keep.keep("calls:aggregated", aggregated.calls());
          out = out.replace("{{calls:aggregated}}", byWorkflow.apply(read(table, aggregatedCalls)))
              .replace("{{calls:aggregated_foreign}}",
                  byWorkflow.apply(read(table, mayHoldForeignRows(connection, aggregatedCalls))))
              .replace("{{" + TOTALS_TABLE + ":aggregated}}",
                  byWorkflow.apply(read(TOTALS_TABLE, totals)));
        }
        out = out.replace("{{" + table + ":compacted}}",
                byWorkflow.apply(read(table, keep.keep(table + ":compacted", compacted))))
            .replace("{{" + table + ":rest}}", bySpan.apply(read(table, split.rest())));
      }
      if (scoped && table.equals("outcomes")) {
        source = RollupScope.ofOutcomes(
            read(table, keep.keep(table, partitionFilesOf(root.resolve(table)))));
      }
      out = out.replace("{{" + table + "}}", source);
    }
    return out;
  }

  /**
   * Of {@code files} ({@code calls} files), those one of whose row groups may hold a {@code
   * foreign_span} true, by the row groups' statistics: not every value null, and a maximum that
   * is not false (a file without the column holds none). lake.sql reads the foreign rows of
   * aggregated days from these only ({@code {{calls:aggregated_foreign}}}); as {@code
   * flowcost_lake.may_hold_foreign_rows}.
   */
  static List<Path> mayHoldForeignRows(Connection connection, List<Path> files)
      throws SQLException {
    if (files.isEmpty()) {
      return files;
    }
    Set<String> found = new HashSet<>();
    try (Statement st = connection.createStatement();
        var rs = st.executeQuery("SELECT DISTINCT file_name FROM parquet_metadata("
            + list(files) + ") WHERE path_in_schema = 'foreign_span'"
            + " AND (stats_null_count IS NULL OR stats_null_count < num_values)"
            + " AND (stats_max_value IS NULL OR stats_max_value <> 'false')")) {
      while (rs.next()) {
        found.add(rs.getString(1));
      }
    }
    return files.stream().filter(f -> found.contains(f.toAbsolutePath().toString())).toList();
  }

  /**
   * The files of one table: those of compacted days, and every other.
   *
   * @param compacted the files of days that hold exactly one file carrying {@link #COMPACTED_KEY}
   *     ({@code compact} de-duplicated it on the row key), read without the views' window
   * @param rest every other file (today's, a day not compacted yet, a compacted day that got a
   *     late file or is being compacted again), de-duplicated by the views
   */
  public record Split(List<Path> compacted, List<Path> rest) {}

  /**
   * Splits the files of {@code tableDir} into compacted days' files and the others (as
   * {@code flowcost_lake.split_compacted}). Exact because every row of one key lies in the same
   * {@code date} partition (docs/lake.md, "De-duplication"): a compacted day's rows have no
   * duplicate in another file.
   */
  public static Split splitCompacted(Connection connection, Path tableDir)
      throws IOException, SQLException {
    Map<Path, List<Path>> byDay = new TreeMap<>();
    for (Path p : partitionFilesOf(tableDir)) {
      byDay.computeIfAbsent(p.getParent(), d -> new ArrayList<>()).add(p);
    }
    List<Path> single = byDay.values().stream().filter(f -> f.size() == 1)
        .map(f -> f.get(0).toAbsolutePath()).toList();
    Set<String> marked = new HashSet<>();
    if (!single.isEmpty()) {
      try (Statement st = connection.createStatement();
          var rs = st.executeQuery("SELECT DISTINCT file_name FROM parquet_kv_metadata("
              + list(single) + ") WHERE decode(key) = '" + COMPACTED_KEY + "'")) {
        while (rs.next()) {
          marked.add(rs.getString(1));
        }
      }
    }
    List<Path> compacted = new ArrayList<>();
    List<Path> rest = new ArrayList<>();
    for (List<Path> day : byDay.values()) {
      for (Path f : day) {
        Path abs = f.toAbsolutePath();
        (day.size() == 1 && marked.contains(abs.toString()) ? compacted : rest).add(abs);
      }
    }
    return new Split(List.copyOf(compacted), List.copyOf(rest));
  }

  /**
   * The compacted {@code calls} days split by whether their per-workflow totals can be read from
   * {@code compact}'s pre-aggregate.
   *
   * @param calls compacted {@code calls} files whose day holds exactly one {@link #TOTALS_TABLE}
   *     file, written from that very file ({@link #AGGREGATED_FILE_KEY}), and no {@code
   *     call_prices} file (a re-priced day is read from its calls, as re-priced)
   * @param totals those days' {@link #TOTALS_TABLE} files
   * @param compacted the other compacted {@code calls} files
   */
  public record Aggregated(List<Path> calls, List<Path> totals, List<Path> compacted) {}

  /**
   * Splits {@code compactedCalls} (from {@link #splitCompacted}) into days whose totals are
   * pre-aggregated and the others (as {@code flowcost_lake.split_aggregated}). Exact because the
   * compacted file is de-duplicated and every row of a span lies in its start day's partition
   * (docs/lake.md, "Per-day call totals").
   */
  public static Aggregated splitAggregated(Connection connection, Path root,
      List<Path> compactedCalls) throws IOException, SQLException {
    Map<Path, Path> totalsOf = new TreeMap<>();
    for (Path calls : compactedCalls) {
      String day = calls.getParent().getFileName().toString();
      if (!partitionFiles(root.resolve("call_prices").resolve(day)).isEmpty()) {
        continue;
      }
      List<Path> totals = partitionFiles(root.resolve(TOTALS_TABLE).resolve(day));
      if (totals.size() == 1) {
        totalsOf.put(totals.get(0).toAbsolutePath(), calls);
      }
    }
    Set<Path> matched = new HashSet<>();
    if (!totalsOf.isEmpty()) {
      try (Statement st = connection.createStatement();
          var rs = st.executeQuery("SELECT file_name, decode(value) FROM parquet_kv_metadata("
              + list(List.copyOf(totalsOf.keySet())) + ") WHERE decode(key) = '"
              + AGGREGATED_FILE_KEY + "'")) {
        while (rs.next()) {
          Path totals = Path.of(rs.getString(1));
          Path calls = totalsOf.get(totals);
          if (calls != null && calls.getFileName().toString().equals(rs.getString(2))) {
            matched.add(totals);
          }
        }
      }
    }
    List<Path> calls = new ArrayList<>();
    List<Path> totals = new ArrayList<>();
    Set<Path> aggregatedCalls = new HashSet<>();
    for (Map.Entry<Path, Path> e : totalsOf.entrySet()) {
      if (matched.contains(e.getKey())) {
        totals.add(e.getKey());
        aggregatedCalls.add(e.getValue());
      }
    }
    List<Path> compacted = new ArrayList<>();
    for (Path f : compactedCalls) {
      (aggregatedCalls.contains(f) ? calls : compacted).add(f);
    }
    return new Aggregated(List.copyOf(calls), List.copyOf(totals), List.copyOf(compacted));
  }

  /**
   * The statements of lake.sql that {@code compact} needs to write a day's {@link #TOTALS_TABLE}
   * file: the typed empty {@code calls} table, the {@link #PARTIAL_VIEW} view, which reads a
   * view {@code calls_unaggregated} the caller defines over the day's rows, and the {@link
   * #WRITTEN_VIEW} view over both. One definition of the partial totals, shared with the views
   * that merge them.
   */
  public static List<String> partialTotalsStatements() throws IOException {
    List<String> all = statements(load());
    List<String> out = new ArrayList<>();
    for (String prefix : List.of("CREATE OR REPLACE TEMP TABLE flowcost_empty_calls ",
        "CREATE OR REPLACE VIEW " + PARTIAL_VIEW + " ",
        "CREATE OR REPLACE VIEW " + WRITTEN_VIEW + " ")) {
      out.add(all.stream().filter(s -> s.startsWith(prefix)).findFirst()
          .orElseThrow(() -> new IOException("lake.sql has no statement " + prefix.strip())));
    }
    return out;
  }

  /**
   * The Parquet files of every {@code date=} partition of {@code tableDir}, sorted; empty when
   * the table has no directory.
   *
   * <p>Read by name only, never by file attributes, because a compaction may run beside this
   * listing: it publishes a day's merged file and then deletes the files it merged, and a walk
   * that reads each entry's attributes ({@code Files.walk}) fails with {@code
   * NoSuchFileException} on an entry deleted between the directory read and the attribute read —
   * which made a report or rollup started during a compaction fail with an I/O error instead of
   * reading the lake. A file listed here and deleted before DuckDB opens it makes the query fail
   * with an SQL error, and a retry lists the lake as it is then; a day listed while it is being
   * compacted holds more than one file, so the views de-duplicate it ({@link #splitCompacted}):
   * the count stays right either way.
   */
  static List<Path> partitionFilesOf(Path tableDir) throws IOException {
    List<Path> out = new ArrayList<>();
    try (DirectoryStream<Path> days = Files.newDirectoryStream(tableDir, "date=*")) {
      for (Path day : days) {
        out.addAll(partitionFiles(day));
      }
    } catch (NoSuchFileException | NotDirectoryException e) {
      return List.of();
    }
    out.sort(null);
    return out;
  }

  /** The Parquet files of one partition directory, sorted; empty when it does not exist. */
  static List<Path> partitionFiles(Path dayDir) throws IOException {
    List<Path> out = new ArrayList<>();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dayDir, "*.parquet")) {
      for (Path f : files) {
        out.add(f);
      }
    } catch (NoSuchFileException | NotDirectoryException e) {
      return List.of(); // removed (or never a partition directory) while the table was listed
    }
    out.sort(null);
    return out;
  }

  private static String read(String table, List<Path> files) {
    return files.isEmpty() ? "(SELECT * FROM flowcost_empty_" + table + ")"
        : "read_parquet(" + list(files) + ", hive_partitioning = true, union_by_name = true)";
  }

  static String list(List<Path> files) {
    StringBuilder b = new StringBuilder("[");
    for (Path f : files) {
      b.append(b.length() > 1 ? ", " : "").append('\'')
          .append(escape(f.toAbsolutePath().toString())).append('\'');
    }
    return b.append(']').toString();
  }

  /**
   * The tables whose files a derivation of {@code workflows_derived} and {@code
   * cost_per_outcome_derived} may read: every table the views read except the rollup's own
   * output ({@code workflows}, {@code cost_per_outcome}, {@code rollups}), and the per-day totals.
   */
  static List<String> derivationInputs() {
    List<String> out = new ArrayList<>(TABLES);
    out.removeAll(List.of("workflows", "cost_per_outcome", "rollups"));
    out.add(TOTALS_TABLE);
    return List.copyOf(out);
  }

  /**
   * A digest (SHA-256, hex) of everything a derivation reads: the path and size of every file of
   * {@link #derivationInputs()} under {@code root}, lake.sql, the outcome horizon and the DuckDB
   * version. The lake never rewrites a file in place (every flush, compaction and re-pricing
   * publishes a file under a new name, and compaction deletes the files it merged), so two
   * derivations over the same digest read the same rows with the same SQL and give the same
   * snapshots. A file added or removed changes the digest, even where it changes no row (a
   * compaction): the digest errs towards deriving again, never towards keeping a stale snapshot.
   */
  public static String inputsDigest(Path root, int horizonDays, String duckdbVersion)
      throws IOException {
    java.security.MessageDigest sha;
    try {
      sha = java.security.MessageDigest.getInstance("SHA-256");
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 missing from the JDK", e);
    }
    StringBuilder text = new StringBuilder();
    text.append("lake.sql\t").append(load()).append('\n');
    text.append("horizon_days\t").append(horizonDays).append('\n');
    text.append("duckdb\t").append(duckdbVersion).append('\n');
    for (String table : derivationInputs()) {
      Path dir = root.resolve(table);
      if (!Files.isDirectory(dir)) {
        continue;
      }
      for (Path f : partitionFilesOf(dir)) {
        // deleted since the listing (a compaction merged it): the derivation, which lists the
        // files after this, does not read it either
        long size;
        try {
          size = Files.size(f);
        } catch (java.nio.file.NoSuchFileException gone) {
          continue;
        }
        text.append(root.relativize(f).toString().replace('\\', '/')).append('\t')
            .append(size).append('\n');
      }
    }
    byte[] hash = sha.digest(text.toString().getBytes(StandardCharsets.UTF_8));
    return java.util.HexFormat.of().formatHex(hash);
  }

  private static boolean hasFiles(Path tableDir) throws IOException {
    return !partitionFilesOf(tableDir).isEmpty();
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
