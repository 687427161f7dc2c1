package io.flowcost.collector.rollup;

import io.flowcost.lake.store.LakeMirror;
import io.flowcost.lake.store.LakeStore;
import io.flowcost.lake.store.LocalDirectoryStore;
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
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;
import java.util.stream.Collectors;

/**
 * Derives {@code workflows} and {@code cost_per_outcome} from the fact tables with the SQL of
 * {@code lake.sql} (DuckDB), and publishes a complete new snapshot of each affected day with a
 * higher {@code version}. Readers pick the highest version per day.
 */
public final class Rollup {

  private static final Logger LOG = Logger.getLogger(Rollup.class.getName());

  /** Temporary tables of one rollup: the days it publishes, and their workflow counts. */
  private static final String DAYS = "flowcost_rollup_days";

  private static final String COUNTS = "flowcost_rollup_counts";

  /**
   * Key-value metadata of the {@code rollups} markers {@link #rollupAll()} writes: the digest of
   * the inputs it derived from ({@link LakeViews#inputsDigest}).
   */
  static final String INPUTS_KEY = "flowcost.rollup_inputs";

  /** Key-value metadata of a {@link #rollupAll()} marker: how many days that rollup published. */
  static final String DAYS_KEY = "flowcost.rollup_days";

  /**
   * What one rollup wrote.
   *
   * @param kept true when {@link #rollupAll()} found every day's latest snapshot derived from
   *     exactly the inputs the lake holds now and wrote nothing: {@code version}, {@code days}
   *     and {@code workflows} are then those of the full rollup that wrote them
   */
  public record Result(long version, Set<LocalDate> days, long workflows, boolean kept) {}

  private final Path readRoot;
  private final LakeStore store;
  private final String instanceId;
  private final int horizonDays;
  private final Clock clock;
  private final AtomicLong lastVersion = new AtomicLong();
  private LakeMirror mirror; // guarded by this; for a store that is not a local directory

  /**
   * @param readRoot a local directory holding the lake's files: the lake itself when {@code
   *     store} is a {@link LocalDirectoryStore}; otherwise a local mirror of {@code store}, which
   *     every read refreshes first
   * @param store where snapshots are published
   */
  public Rollup(Path readRoot, LakeStore store, String instanceId, int horizonDays, Clock clock) {
    this.readRoot = readRoot;
    this.store = store;
    this.instanceId = instanceId;
    this.horizonDays = horizonDays;
    this.clock = clock;
    try {
      Class.forName("org.duckdb.DuckDBDriver");
    } catch (ClassNotFoundException e) {
      throw new IllegalStateException("DuckDB JDBC driver missing from the class path", e);
    }
  }

  /** Opens an in-memory DuckDB connection with the lake views installed. */
  public Connection open() throws SQLException, IOException {
    refreshMirror();
    Connection c = DriverManager.getConnection("jdbc:duckdb:");
    try {
      LakeViews.install(c, readRoot, horizonDays);
      return c;
    } catch (SQLException | IOException | RuntimeException e) {
      c.close();
      throw e;
    }
  }

  /** Brings the local mirror of an object-store lake up to date (only new files download). */
  private synchronized void refreshMirror() throws IOException {
    if (store instanceof LocalDirectoryStore) {
      return; // DuckDB reads the lake in place
    }
    if (mirror == null) {
      mirror = new LakeMirror(store, readRoot);
    }
    mirror.refresh(LakeViews.mirroredPrefixes());
  }

  /** The UTC start days of the workflows with these ids or external keys. */
  public Set<LocalDate> daysOf(Collection<String> workflowIds, Collection<String> externalKeys)
      throws SQLException, IOException {
    if (workflowIds.isEmpty() && externalKeys.isEmpty()) {
      return new TreeSet<>();
    }
    try (Connection c = open()) {
      return daysOf(c, workflowIds, externalKeys);
    }
  }

  /**
   * Rebuilds {@code days} and every day that holds (or held) the given workflows, reading the
   * lake once: what the collector does after each flush.
   *
   * <p>Derives only the workflows of those days ({@link RollupScope}): each day's snapshot is the
   * one a derivation of the whole lake gives, at a cost that follows the days rolled up, not the
   * lake (docs/benchmarks.md, "Ninth round (session of 2026-12-07, third): a rollup of some days
   * derives those days"). With the system property {@value #SCOPED_PROPERTY} {@code false}, it
   * derives the whole lake as before (a switch for measuring one against the other).
   */
  public Result rollupAffected(Collection<String> workflowIds, Collection<String> externalKeys,
      Set<LocalDate> days) throws SQLException, IOException {
    boolean given = !workflowIds.isEmpty() || !externalKeys.isEmpty();
    if (!Boolean.parseBoolean(System.getProperty(SCOPED_PROPERTY, "true"))
        || (days.isEmpty() && !given)) {
      try (Connection c = open()) {
        if (!days.isEmpty() || given) {
          LakeViews.pinDerived(c); // one derivation for the days lookup and every day's snapshot
        }
        Set<LocalDate> all = new TreeSet<>(days);
        if (given) {
          all.addAll(daysOf(c, workflowIds, externalKeys));
        }
        return rollup(c, all);
      }
    }
    refreshMirror();
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:")) {
      LakeViews.installSnapshots(c, readRoot, horizonDays);
      Set<LocalDate> all = new TreeSet<>(days);
      if (given) {
        // the days whose latest snapshot holds the workflows: their workflows are derived too
        all.addAll(daysIn(c, "workflows_latest", workflowIds, externalKeys));
      }
      deriveScoped(c, all, workflowIds, externalKeys);
      if (given) {
        // the days the workflows belong to now (a late root moves one to an earlier day): when
        // one is new, its workflows are derived too (a second, larger scope)
        Set<LocalDate> now = daysIn(c, LakeViews.PINNED, workflowIds, externalKeys);
        if (!all.containsAll(now)) {
          all.addAll(now);
          deriveScoped(c, all, workflowIds, externalKeys);
        }
      }
      LakeViews.pointAtPinned(c);
      return rollup(c, all);
    }
  }

  /** Derives the rows of these days' and workflows' {@link RollupScope} into the pinned table. */
  private void deriveScoped(Connection c, Set<LocalDate> days, Collection<String> workflowIds,
      Collection<String> externalKeys) throws SQLException, IOException {
    RollupScope.fill(c, readRoot, days, workflowIds, externalKeys);
    LakeViews.installScoped(c, readRoot, horizonDays, RollupScope.files(c));
    RollupScope.pin(c);
  }

  /**
   * The system property that, set to {@code false}, makes {@link #rollupAffected} derive the
   * whole lake instead of the affected days' workflows.
   */
  public static final String SCOPED_PROPERTY = "flowcost.rollup.scoped";

  private static Set<LocalDate> daysOf(Connection c, Collection<String> workflowIds,
      Collection<String> externalKeys) throws SQLException {
    // the days the workflows belong to now, and the days whose latest snapshot still holds
    // them (a late root span can move a workflow to an earlier day)
    Set<LocalDate> days = daysIn(c, "workflows_derived", workflowIds, externalKeys);
    days.addAll(daysIn(c, "workflows_latest", workflowIds, externalKeys));
    return days;
  }

  /** The days of the rows of {@code relation} with one of these ids or external keys. */
  private static Set<LocalDate> daysIn(Connection c, String relation,
      Collection<String> workflowIds, Collection<String> externalKeys) throws SQLException {
    Set<LocalDate> days = new TreeSet<>();
    try (Statement st = c.createStatement()) {
      st.execute("CREATE OR REPLACE TEMP TABLE wanted_ids(id VARCHAR)");
      st.execute("CREATE OR REPLACE TEMP TABLE wanted_keys(k VARCHAR)");
      insert(c, "wanted_ids", workflowIds);
      insert(c, "wanted_keys", externalKeys);
      try (ResultSet rs = st.executeQuery(
          "SELECT DISTINCT day FROM " + relation + " WHERE workflow_id IN (SELECT id FROM wanted_ids)"
              + " OR external_key IN (SELECT k FROM wanted_keys)")) {
        while (rs.next()) {
          days.add(rs.getObject(1, LocalDate.class));
        }
      }
    }
    return days;
  }

  static void insert(Connection c, String table, Collection<String> values)
      throws SQLException {
    try (var ps = c.prepareStatement("INSERT INTO " + table + " VALUES (?)")) {
      for (String v : values) {
        ps.setString(1, v);
        ps.addBatch();
      }
      ps.executeBatch();
    }
  }

  /** Rebuilds the given days; every day gets the same, new version. */
  public Result rollup(Set<LocalDate> days) throws SQLException, IOException {
    try (Connection c = open()) {
      if (!days.isEmpty()) {
        LakeViews.pinDerived(c);
      }
      return rollup(c, days);
    }
  }

  /**
   * Publishes the given days from {@code workflows_derived}, which the caller has pinned ({@link
   * LakeViews#pinDerived}), so the facts are read once per rollup, not once per day.
   *
   * <p>zstd at level 1: on the generated 10⁶-call lake's 250,000-row {@code workflows} snapshot it
   * took about a fifth less CPU than the default level 3 and wrote no larger a file (11.9 against
   * 12.2 MB; docs/benchmarks.md, "Sixth pass").
   *
   * <p>Each table is written by one partitioned {@code COPY} over every day (one file per day,
   * {@code PARTITION_BY} the day), not one {@code COPY} per day and table: on a 28-day lake the 56
   * per-day statements took longer than the derivation they wrote out. Per day, the order of
   * publication stays what readers rely on: a day's {@code workflows} and {@code cost_per_outcome}
   * snapshots are published before its {@code rollups} marker, and a day with no workflow (left)
   * gets only the marker, which still supersedes an older snapshot. Rows within a snapshot file
   * are in no particular order (a partitioned write does not keep one; no reader relies on it).
   */
  private Result rollup(Connection c, Set<LocalDate> days) throws SQLException, IOException {
    return rollup(c, days, null);
  }

  /**
   * @param inputs the digest of the inputs a full rollup derived from, recorded in its markers
   *     (with the number of days) so that the next {@link #rollupAll()} can tell whether anything
   *     changed; null for a rollup of some days
   */
  private Result rollup(Connection c, Set<LocalDate> days, String inputs)
      throws SQLException, IOException {
    long version = nextVersion();
    long workflows = 0;
    if (!days.isEmpty()) {
      Path tmp = Files.createTempDirectory("flowcost-rollup");
      try (Statement st = c.createStatement()) {
        st.execute("CREATE OR REPLACE TEMP TABLE " + DAYS + "(day DATE)");
        try (var ps = c.prepareStatement("INSERT INTO " + DAYS + " VALUES (?)")) {
          for (LocalDate day : days) {
            ps.setObject(1, day);
            ps.addBatch();
          }
          ps.executeBatch();
        }
        // workflows per rolled-up day, 0 for a day that has none (left)
        st.execute("CREATE OR REPLACE TEMP TABLE " + COUNTS + " AS SELECT d.day,"
            + " count(w.day) AS workflows FROM " + DAYS + " d"
            + " LEFT JOIN workflows_derived w ON w.day = d.day GROUP BY d.day");
        workflows = count(st, "SELECT coalesce(sum(workflows), 0) FROM " + COUNTS);
        if (workflows > 0) {
          publishDays(st, tmp, "workflows", version, "",
              "SELECT day AS date, day, CAST(" + version + " AS BIGINT) AS version,"
                  + " * EXCLUDE (day) FROM workflows_derived"
                  + " WHERE day IN (SELECT day FROM " + DAYS + ")");
          publishDays(st, tmp, "cost_per_outcome", version, "",
              "SELECT day AS date, day, CAST(" + version + " AS BIGINT) AS version,"
                  + " * EXCLUDE (day) FROM cost_per_outcome_derived"
                  + " WHERE day IN (SELECT day FROM " + DAYS + ")");
        }
        publishMarkers(st, tmp, version, inputs, days.size());
      } finally {
        deleteTree(tmp);
      }
    }
    logRollup(version, days, workflows);
    return new Result(version, Set.copyOf(days), workflows, false);
  }

  /**
   * Publishes the {@code rollups} markers of the days in {@link #COUNTS}: last, so that a day's
   * marker never precedes its snapshots.
   *
   * @param inputs the digest a full rollup derived from, recorded with the number of days; null
   *     for a rollup of some days
   */
  private void publishMarkers(Statement st, Path tmp, long version, String inputs, int days)
      throws SQLException, IOException {
    String recorded = inputs == null ? ""
        : ", '" + INPUTS_KEY + "': '" + inputs + "', '" + DAYS_KEY + "': '" + days + "'";
    publishDays(st, tmp, "rollups", version, recorded,
        "SELECT day AS date, day, CAST(" + version + " AS BIGINT) AS version,"
            + " CAST(workflows AS BIGINT) AS workflows,"
            + " '" + instanceId.replace("'", "''") + "' AS collector_id,"
            + " CAST(now() AS TIMESTAMPTZ) AS rolled_up_at FROM " + COUNTS);
  }

  private static void logRollup(long version, Set<LocalDate> days, long workflows) {
    if (days.isEmpty()) {
      LOG.info("rollup v" + version + ": no day to roll up");
    } else {
      LOG.info("rollup v" + version + ": " + workflows + " workflows on " + days.size()
          + " day(s) (" + days.stream().sorted().map(LocalDate::toString)
              .collect(Collectors.joining(", ")) + ")");
    }
  }

  /**
   * Rebuilds every day that has workflows — unless nothing it would read changed since the last
   * full rollup: when the latest snapshot of every day the last {@code rollupAll} published is
   * still that rollup's, and the lake's inputs have the digest it recorded in its markers ({@link
   * LakeViews#inputsDigest}: every fact file's name and size, lake.sql, the horizon, the DuckDB
   * version), deriving again would give exactly the rows already published, so nothing is
   * derived or written and {@link Result#kept()} is true. Any file added or removed since (a
   * flush, a compaction, a re-pricing, a late outcome), another rollup of one of those days, or a
   * rollup that did not publish every marker, rebuilds every day as before.
   */
  public Result rollupAll() throws SQLException, IOException {
    return rollupAll(true);
  }

  /**
   * Rebuilds every day that has workflows from the facts, whether or not anything changed since
   * the last full rollup (what {@code rollup --rebuild} does).
   */
  public Result rebuildAll() throws SQLException, IOException {
    return rollupAll(false);
  }

  private Result rollupAll(boolean keepUnchanged) throws SQLException, IOException {
    refreshMirror();
    // the digest is taken before the views list the files: a file published in between is then
    // read by this derivation but not in its digest, so the next full rollup derives again
    String inputs = LakeViews.inputsDigest(readRoot, horizonDays, duckdbVersion());
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:")) {
      // the check reads only the markers' rows and metadata: the views are installed after it
      // (installing them binds every view over every fact file: several plain aggregates' CPU)
      Result kept = keepUnchanged ? keptFullRollup(c, inputs) : null;
      if (kept != null) {
        LOG.info("rollup: inputs unchanged since the full rollup v" + kept.version() + " ("
            + kept.days().size() + " day(s)); every snapshot kept");
        return kept;
      }
      LakeViews.install(c, readRoot, horizonDays);
      return rollupEveryDay(c, inputs);
    }
  }

  /**
   * Publishes every day of {@code workflows_derived} (not pinned: every day is written, so the
   * derivation runs once, straight into the {@code workflows} snapshot files), then {@code
   * cost_per_outcome} and the day counts from the rows just written, then the markers.
   *
   * <p>Why not pin the derivation first, as a rollup of some days does: materialising the
   * 36-column derived table took about a fifth of a full rollup's CPU on the generated 10⁷-call
   * lake (docs/benchmarks.md, "Seventh pass"), and a full rollup reads every derived row exactly
   * once to write it. The written files then stand in for {@code workflows_derived}: {@code
   * cost_per_outcome_derived} and the per-day counts read their narrow columns back, the same
   * rows and types (Parquet keeps DECIMAL, TIMESTAMPTZ and MAP), so both snapshots come from one
   * derivation.
   */
  private Result rollupEveryDay(Connection c, String inputs) throws SQLException, IOException {
    long version = nextVersion();
    Set<LocalDate> days = new TreeSet<>();
    long workflows = 0;
    Path tmp = Files.createTempDirectory("flowcost-rollup");
    try (Statement st = c.createStatement()) {
      Path written = publishDays(st, tmp, "workflows", version, "",
          "SELECT day AS date, day, CAST(" + version + " AS BIGINT) AS version,"
              + " * EXCLUDE (day) FROM workflows_derived");
      if (written != null) {
        st.execute("CREATE OR REPLACE VIEW workflows_derived AS SELECT * EXCLUDE (version)"
            + " FROM read_parquet('" + (written.toAbsolutePath() + "/date=*/*.parquet")
                .replace("'", "''") + "', hive_partitioning = false)");
        st.execute("CREATE OR REPLACE TEMP TABLE " + COUNTS + " AS SELECT day,"
            + " count(*) AS workflows FROM workflows_derived GROUP BY day");
        try (ResultSet rs = st.executeQuery("SELECT day, workflows FROM " + COUNTS)) {
          while (rs.next()) {
            days.add(rs.getObject(1, LocalDate.class));
            workflows += rs.getLong(2);
          }
        }
        publishDays(st, tmp, "cost_per_outcome", version, "",
            "SELECT day AS date, day, CAST(" + version + " AS BIGINT) AS version,"
                + " * EXCLUDE (day) FROM cost_per_outcome_derived");
        publishMarkers(st, tmp, version, inputs, days.size());
      }
    } finally {
      deleteTree(tmp);
    }
    logRollup(version, days, workflows);
    return new Result(version, Set.copyOf(days), workflows, false);
  }

  /**
   * The last full rollup, when every day it published still has its snapshot as the latest and
   * it derived from {@code inputs}; null otherwise.
   */
  private Result keptFullRollup(Connection c, String inputs) throws SQLException, IOException {
    Path dir = readRoot.resolve("rollups");
    // the views' listing (by name only: no attribute read a concurrent delete can fail; empty
    // when the table has no directory yet)
    if (LakeViews.partitionFilesOf(dir).isEmpty()) {
      return null;
    }
    String glob = (dir.toAbsolutePath() + "/date=*/*.parquet").replace("'", "''");
    record Marker(LocalDate day, long version, long workflows, String inputs, String days) {}
    List<Marker> markers = new java.util.ArrayList<>();
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
        "WITH kv AS (SELECT file_name, decode(key) AS k, decode(value) AS v"
            + " FROM parquet_kv_metadata('" + glob + "')"
            + " WHERE decode(key) IN ('" + INPUTS_KEY + "', '" + DAYS_KEY + "'))"
            + " SELECT m.day, m.version, m.workflows,"
            + " (SELECT max(v) FROM kv WHERE kv.file_name = m.filename AND k = '" + INPUTS_KEY
            + "') AS inputs,"
            + " (SELECT max(v) FROM kv WHERE kv.file_name = m.filename AND k = '" + DAYS_KEY
            + "') AS days"
            + " FROM read_parquet('" + glob + "', hive_partitioning = true,"
            + " union_by_name = true, filename = true) m")) {
      while (rs.next()) {
        markers.add(new Marker(rs.getObject(1, LocalDate.class), rs.getLong(2), rs.getLong(3),
            rs.getString(4), rs.getString(5)));
      }
    }
    long full = markers.stream().filter(m -> inputs.equals(m.inputs()))
        .mapToLong(Marker::version).max().orElse(-1);
    if (full < 0) {
      return null;
    }
    java.util.Map<LocalDate, Long> latest = new java.util.HashMap<>();
    for (Marker m : markers) {
      latest.merge(m.day(), m.version(), Math::max);
    }
    Set<LocalDate> days = new TreeSet<>();
    long workflows = 0;
    String published = null;
    for (Marker m : markers) {
      if (m.version() != full) {
        continue;
      }
      if (!inputs.equals(m.inputs()) || latest.get(m.day()) != full || !days.add(m.day())) {
        return null; // another writer's marker of the same version, or a newer rollup of the day
      }
      workflows += m.workflows();
      published = m.days();
    }
    // every marker of that rollup published (markers go last; a crash can leave some out)
    if (published == null || !published.equals(Integer.toString(days.size()))) {
      return null;
    }
    return new Result(full, Set.copyOf(days), workflows, true);
  }

  private static volatile String duckdbVersion;

  private static String duckdbVersion() throws SQLException {
    String v = duckdbVersion;
    if (v == null) {
      try (Connection c = DriverManager.getConnection("jdbc:duckdb:")) {
        v = c.getMetaData().getDatabaseProductVersion();
      }
      duckdbVersion = v;
    }
    return v;
  }

  /**
   * Writes {@code query}'s rows with one {@code COPY}, partitioned by its first column {@code
   * date} (which the files do not repeat: the lake's {@code date=} directory holds it), and
   * publishes each day's file as {@code <table>/date=<day>/<version>-<instance>.parquet}.
   *
   * @return the local directory the files were written to (they stay there, published copies
   *     aside, until the caller deletes {@code tmp}); null when the query gave no row
   */
  private Path publishDays(Statement st, Path tmp, String table, long version, String metadata,
      String query) throws SQLException, IOException {
    Path dir = tmp.resolve(table);
    st.execute("COPY (" + query + ") TO '" + dir.toString().replace("'", "''")
        + "' (FORMAT parquet, COMPRESSION zstd, COMPRESSION_LEVEL 1, ROW_GROUP_SIZE 122880,"
        + " PARTITION_BY (date),"
        + " KV_METADATA {'flowcost.table': '" + table + "', 'flowcost.schema_version': '1',"
        + " 'flowcost.version': '" + version + "'" + metadata + "})");
    if (!Files.isDirectory(dir)) {
      return null; // no row
    }
    List<Path> dayDirs;
    try (var list = Files.list(dir)) {
      dayDirs = list.sorted().toList();
    }
    for (Path dayDir : dayDirs) {
      String name = dayDir.getFileName().toString();
      if (!name.startsWith("date=")) {
        throw new IOException("unexpected directory from a partitioned COPY: " + dayDir);
      }
      LocalDate day = LocalDate.parse(name.substring("date=".length()));
      List<Path> files;
      try (var list = Files.list(dayDir)) {
        files = list.filter(f -> f.getFileName().toString().endsWith(".parquet")).sorted().toList();
      }
      for (int i = 0; i < files.size(); i++) {
        // one file per day, unless DuckDB splits a large day: each file gets its own key
        String suffix = i == 0 ? "" : "-" + i;
        store.publish(table + "/date=" + day + "/" + version + "-" + instanceId + suffix
            + ".parquet", files.get(i));
      }
    }
    return dir;
  }

  private static long count(Statement st, String sql) throws SQLException {
    try (ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /** Epoch milliseconds, strictly increasing within this process. */
  private long nextVersion() {
    long now = clock.millis();
    return lastVersion.updateAndGet(prev -> Math.max(prev + 1, now));
  }

  private static void deleteTree(Path dir) throws IOException {
    try (var files = Files.walk(dir)) {
      for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
