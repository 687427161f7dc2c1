package io.flowcost.collector.compact;

import io.flowcost.collector.rollup.LakeViews;
import io.flowcost.lake.store.LakeStore;
import io.flowcost.lake.store.LocalDirectoryStore;
import io.flowcost.lake.store.StoredFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.logging.Logger;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Merges the many small files a fact table accumulates in a day partition into one, with DuckDB.
 *
 * <p>Only closed days (before today, UTC) are compacted. The merged file is de-duplicated on the
 * table's row key ({@code span_id}, {@code outcome_id}; the earliest {@code received_at} wins, as
 * in the lake views), except {@code coverage}, whose rows are counter increments and are kept
 * as they are. It is published under a new unique name <em>first</em>, and only then are the
 * files it replaces deleted: a reader of the de-duplicating lake views sees every row exactly
 * once throughout, while a raw glob reader may see rows twice between the publish and the last
 * delete. Files published to the day after the listing are left alone.
 *
 * <p>Closing a {@code calls} day also writes its per-workflow totals ({@code call_totals_daily},
 * lake.sql's {@code call_totals_partial} over the merged file's rows), published after the merged
 * file and before the replaced files and older totals are deleted, so that readers use them only
 * once the merged file is the day's only file (docs/lake.md, "Per-day call totals"). A compacted
 * day without totals (compacted before they existed, or a run stopped in between) gets them on
 * the next run.
 *
 * <p>Works on any {@link LakeStore}: local files are read in place, others are downloaded to a
 * scratch directory first.
 */
public final class Compactor {

  private static final Logger LOG = Logger.getLogger(Compactor.class.getName());

  /** The fact tables compaction knows, with their row key ({@code null}: no de-duplication). */
  private static final Map<String, Table> TABLES = Map.of(
      "calls", new Table("span_id", "start_time"),
      "workflow_spans", new Table("span_id", "start_time"),
      "outcomes", new Table("outcome_id", "reported_at"),
      "coverage", new Table(null, "recorded_at"));

  private static final Pattern DATE_DIR = Pattern.compile("date=(\\d{4}-\\d{2}-\\d{2})");

  private record Table(String key, String order) {}

  /**
   * What compacting one day of one table did.
   *
   * @param table the table
   * @param day the partition day
   * @param filesMerged how many files were replaced
   * @param rowsBefore rows in those files
   * @param rowsAfter rows in the merged file (fewer when duplicates were dropped)
   * @param key the merged file's key
   */
  public record Result(String table, LocalDate day, int filesMerged, long rowsBefore,
      long rowsAfter, String key) {}

  private final LakeStore store;
  private final Path scratchDirectory;
  private final String instanceId;
  private final Clock clock;
  private long lastMillis = Long.MIN_VALUE;
  private long sequence;

  /**
   * @param store the lake
   * @param scratchDirectory where merged files (and, for remote stores, downloads) are staged
   * @param instanceId part of the merged files' names, unique among concurrent writers
   * @param clock decides which days are closed, and the time part of merged files' names
   */
  public Compactor(LakeStore store, Path scratchDirectory, String instanceId, Clock clock) {
    this.store = Objects.requireNonNull(store, "store");
    this.scratchDirectory = Objects.requireNonNull(scratchDirectory, "scratchDirectory");
    this.instanceId = Objects.requireNonNull(instanceId, "instanceId");
    this.clock = Objects.requireNonNull(clock, "clock");
    try {
      Class.forName("org.duckdb.DuckDBDriver");
    } catch (ClassNotFoundException e) {
      throw new IllegalStateException("DuckDB JDBC driver missing from the class path", e);
    }
  }

  /** The tables {@link #compact} accepts, in a stable order. */
  public static List<String> tables() {
    return List.of("calls", "workflow_spans", "outcomes", "coverage");
  }

  /** Today in UTC by this compactor's clock; days before it are closed. */
  public LocalDate today() {
    return LocalDate.now(clock.withZone(ZoneOffset.UTC));
  }

  /**
   * The days of {@code table} before {@code before} that have two or more files, and for {@code
   * calls} also the days of one file without per-day totals of their own, ascending.
   */
  public List<LocalDate> daysToCompact(String table, LocalDate before) throws IOException {
    requireTable(table);
    Map<LocalDate, Integer> counts = new TreeMap<>();
    for (String key : store.list(table + "/date=")) {
      LocalDate day = dayOf(key);
      if (day != null && day.isBefore(before) && key.endsWith(".parquet")) {
        counts.merge(day, 1, Integer::sum);
      }
    }
    Map<LocalDate, Integer> totals = new TreeMap<>();
    if (table.equals("calls")) {
      for (String key : store.list(LakeViews.TOTALS_TABLE + "/date=")) {
        LocalDate day = dayOf(key);
        if (day != null && key.endsWith(".parquet")) {
          totals.merge(day, 1, Integer::sum);
        }
      }
    }
    // a one-file calls day whose totals are missing or not exactly one file: compact() merges
    // it if it is not compact's output yet, and writes its totals unless they are its own
    return counts.entrySet().stream()
        .filter(e -> e.getValue() > 1
            || (table.equals("calls") && totals.getOrDefault(e.getKey(), 0) != 1))
        .map(Map.Entry::getKey)
        .toList();
  }

  /**
   * Compacts every closed day before {@code before} of each of {@code tables}.
   *
   * @throws IllegalArgumentException if {@code before} is after today (UTC)
   */
  public List<Result> compactBefore(List<String> tables, LocalDate before)
      throws IOException, SQLException {
    if (before.isAfter(today())) {
      throw new IllegalArgumentException("--before " + before + " is after today (" + today()
          + " UTC); only closed days can be compacted");
    }
    List<Result> results = new ArrayList<>();
    for (String table : tables) {
      for (LocalDate day : daysToCompact(table, before)) {
        compact(table, day).ifPresent(results::add);
      }
    }
    return results;
  }

  /**
   * Merges the files of {@code table} on {@code day} into one.
   *
   * @return what was done; empty if the day had fewer than two files (for {@code calls}: no
   *     file, or one compacted file, whose totals are then written if they are not its own)
   * @throws IllegalArgumentException if the table is unknown or the day is not closed yet
   */
  public Optional<Result> compact(String table, LocalDate day) throws IOException, SQLException {
    Table spec = requireTable(table);
    if (!day.isBefore(today())) {
      throw new IllegalArgumentException("day " + day + " is not closed yet (today is " + today()
          + " UTC); compact only days before today");
    }
    String prefix = table + "/date=" + day + "/";
    List<StoredFile> files = filesOf(prefix);
    boolean calls = table.equals("calls");
    if (files.size() < 2 && !(calls && files.size() == 1)) {
      return Optional.empty();
    }
    Files.createDirectories(scratchDirectory);
    Path work = Files.createTempDirectory(scratchDirectory, "flowcost-compact-");
    try {
      List<Path> inputs = localCopies(files, work);
      String totalsPrefix = LakeViews.TOTALS_TABLE + "/date=" + day + "/";
      List<StoredFile> oldTotals = calls ? filesOf(totalsPrefix) : List.of();
      if (files.size() == 1 && isCompacted(inputs.get(0))) {
        // a compacted calls day: only its totals, when they are missing or not its own
        String name = fileName(files.get(0).key());
        if (hasOwnTotals(oldTotals, name, work)) {
          return Optional.empty();
        }
        String totalsKey = totalsPrefix + nextFileName();
        store.publish(totalsKey, writeTotals(inputs.get(0), day, name, work));
        deleteAll(oldTotals);
        LOG.info("wrote the per-workflow call totals of compacted " + day);
        return Optional.empty();
      }
      Path merged = work.resolve("merged.parquet");
      long[] rows = merge(table, spec, inputs, merged, files.size());
      String name = nextFileName();
      String key = prefix + name;
      // Publish first, delete after: at every instant each row is in at least one file. The
      // totals go between: readers use them only once the merged file is the day's only file.
      store.publish(key, merged);
      if (calls) {
        store.publish(totalsPrefix + nextFileName(), writeTotals(merged, day, name, work));
      }
      deleteAll(files);
      deleteAll(oldTotals);
      LOG.info("compacted " + table + " " + day + ": " + files.size() + " files, " + rows[0]
          + " rows -> 1 file, " + rows[1] + " rows");
      return Optional.of(new Result(table, day, files.size(), rows[0], rows[1], key));
    } finally {
      deleteTree(work);
    }
  }

  /**
   * Writes the per-workflow totals of one compacted calls day (lake.sql's {@code
   * call_totals_daily_written} over its non-foreign rows), marked with the calls file's name.
   */
  private static Path writeTotals(Path callsFile, LocalDate day, String callsName, Path work)
      throws SQLException, IOException {
    Path out = work.resolve("totals.parquet");
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
        Statement st = c.createStatement()) {
      st.execute("SET TimeZone = 'UTC'");
      List<String> statements = LakeViews.partialTotalsStatements();
      st.execute(statements.get(0)); // flowcost_empty_calls: a column older files lack reads NULL
      // foreign rows stay out: whether one counts is decided over the whole lake (lake.sql)
      st.execute("CREATE TEMP VIEW calls_unaggregated AS SELECT * FROM ("
          + "SELECT * FROM flowcost_empty_calls UNION ALL BY NAME SELECT *, DATE '" + day
          + "' AS date FROM read_parquet(" + literal(callsFile.toString())
          + ", hive_partitioning = false)) WHERE foreign_span IS NOT TRUE");
      st.execute(statements.get(1));
      st.execute(statements.get(2));
      // the date is the partition directory's, as for every lake table
      st.execute("COPY (SELECT * EXCLUDE (date) FROM " + LakeViews.WRITTEN_VIEW + ") TO "
          + literal(out.toString()) + " (FORMAT parquet, COMPRESSION zstd, PARQUET_VERSION v2,"
          + " ROW_GROUP_SIZE 122880, KV_METADATA {"
          + "'flowcost.table': " + literal(LakeViews.TOTALS_TABLE) + ", "
          + "'flowcost.schema_version': '1', "
          + "'" + LakeViews.AGGREGATED_FILE_KEY + "': " + literal(callsName) + "})");
    }
    return out;
  }

  /** Whether {@code file} is {@code compact}'s output (carries {@link LakeViews#COMPACTED_KEY}). */
  private static boolean isCompacted(Path file) throws SQLException {
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
        Statement st = c.createStatement()) {
      return scalar(st, "SELECT count(*) FROM parquet_kv_metadata(" + literal(file.toString())
          + ") WHERE decode(key) = '" + LakeViews.COMPACTED_KEY + "'") > 0;
    }
  }

  /** Whether the day's totals are exactly one file, written from {@code callsName}. */
  private boolean hasOwnTotals(List<StoredFile> totals, String callsName, Path work)
      throws IOException, SQLException {
    if (totals.size() != 1) {
      return false;
    }
    Path local = localCopies(totals, Files.createDirectories(work.resolve("totals-in"))).get(0);
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
        Statement st = c.createStatement()) {
      return scalar(st, "SELECT count(*) FROM parquet_kv_metadata(" + literal(local.toString())
          + ") WHERE decode(key) = '" + LakeViews.AGGREGATED_FILE_KEY + "' AND decode(value) = "
          + literal(callsName)) > 0;
    }
  }

  private List<StoredFile> filesOf(String prefix) throws IOException {
    return store.listFiles(prefix).stream()
        .filter(f -> f.key().endsWith(".parquet") && f.key().indexOf('/', prefix.length()) < 0)
        .toList();
  }

  private void deleteAll(List<StoredFile> files) throws IOException {
    for (StoredFile f : files) {
      store.delete(f.key());
    }
  }

  private static String fileName(String key) {
    return key.substring(key.lastIndexOf('/') + 1);
  }

  /** Runs the merge; returns {rows before, rows after}. */
  private long[] merge(String table, Table spec, List<Path> inputs, Path out, int fileCount)
      throws SQLException, IOException {
    String list = inputs.stream().map(p -> literal(p.toString()))
        .collect(Collectors.joining(", ", "[", "]"));
    // hive_partitioning off: the date is the directory's, and must not become a column.
    String source = "read_parquet(" + list + ", union_by_name = true, hive_partitioning = false)";
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
        Statement st = c.createStatement()) {
      st.execute("SET TimeZone = 'UTC'");
      long before = scalar(st, "SELECT count(*) FROM " + source);
      String schemaVersion = schemaVersion(st, list);
      String query = "SELECT * FROM " + source
          + (spec.key() == null ? "" : " QUALIFY row_number() OVER (PARTITION BY " + spec.key()
              + " ORDER BY received_at NULLS LAST) = 1")
          + " ORDER BY " + spec.order() + (spec.key() == null ? "" : ", " + spec.key());
      // PARQUET_VERSION v2: delta encodings (DELTA_BINARY_PACKED timestamps and decimals,
      // DELTA_LENGTH_BYTE_ARRAY ids) make a compacted day about a quarter smaller (docs/lake.md,
      // "Compaction"); DuckDB, parquet-java and Spark 3.3+ read them.
      st.execute("COPY (" + query + ") TO " + literal(out.toString())
          + " (FORMAT parquet, COMPRESSION zstd, PARQUET_VERSION v2, ROW_GROUP_SIZE 122880,"
          + " KV_METADATA {"
          + "'flowcost.table': " + literal(table) + ", "
          + "'flowcost.schema_version': " + literal(schemaVersion) + ", "
          + "'flowcost.compacted_files': " + literal(Integer.toString(fileCount)) + "})");
      long after = scalar(st, "SELECT count(*) FROM read_parquet(" + literal(out.toString()) + ")");
      long expected = spec.key() == null ? before
          : scalar(st, "SELECT count(DISTINCT " + spec.key() + ") FROM " + source);
      if (after != expected) {
        throw new IOException("compaction of " + table + " produced " + after + " rows, expected "
            + expected + "; nothing was changed");
      }
      return new long[] {before, after};
    }
  }

  /** The highest {@code flowcost.schema_version} among the inputs. */
  private static String schemaVersion(Statement st, String list) throws SQLException {
    try (ResultSet rs = st.executeQuery("SELECT max(TRY_CAST(decode(value) AS INTEGER))"
        + " FROM parquet_kv_metadata(" + list + ")"
        + " WHERE decode(key) = 'flowcost.schema_version'")) {
      rs.next();
      int v = rs.getInt(1);
      return rs.wasNull() ? "1" : Integer.toString(v);
    }
  }

  private List<Path> localCopies(List<StoredFile> files, Path work) throws IOException {
    List<Path> out = new ArrayList<>(files.size());
    for (int i = 0; i < files.size(); i++) {
      String key = files.get(i).key();
      if (store instanceof LocalDirectoryStore local) {
        out.add(local.pathOf(key));
      } else {
        Path p = work.resolve("in-" + i + ".parquet");
        store.download(key, p);
        out.add(p);
      }
    }
    return out;
  }

  /** {@code <epochMillis>-<instanceId>-<seq>.parquet}, the lake writer's naming scheme. */
  private synchronized String nextFileName() {
    lastMillis = Math.max(lastMillis, clock.millis());
    sequence++;
    return String.format("%013d-%s-%06d.parquet", lastMillis, instanceId, sequence);
  }

  private static Table requireTable(String table) {
    Table spec = TABLES.get(table);
    if (spec == null) {
      throw new IllegalArgumentException(
          "cannot compact table " + table + "; compactable: " + String.join(", ", tables()));
    }
    return spec;
  }

  static LocalDate dayOf(String key) {
    for (String segment : key.split("/")) {
      var m = DATE_DIR.matcher(segment);
      if (m.matches()) {
        try {
          return LocalDate.parse(m.group(1));
        } catch (DateTimeParseException e) {
          return null;
        }
      }
    }
    return null;
  }

  private static long scalar(Statement st, String sql) throws SQLException {
    try (ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static String literal(String s) {
    return "'" + s.replace("'", "''") + "'";
  }

  private static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
