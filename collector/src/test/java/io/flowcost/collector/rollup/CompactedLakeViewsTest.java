package io.flowcost.collector.rollup;

import static org.assertj.core.api.Assertions.assertThat;

import io.flowcost.collector.compact.Compactor;
import io.flowcost.lake.LakeWriter;
import io.flowcost.lake.store.LocalDirectoryStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The views read a compacted day's file without their de-duplication window and de-duplicate
 * only the other files ({@link LakeViews#splitCompacted}); every row they give must stay what the
 * fully de-duplicated views gave. On seeded random lakes ({@link RandomLake}: replayed call rows,
 * retried attempts, outcomes by id and by key): every derived and fact view is compared, row for
 * row over every column ({@code EXCEPT ALL} both ways), before compaction (every file
 * de-duplicated) and after it, with a late re-send into a compacted day and a compaction caught
 * between publishing its file and deleting the files it replaces.
 *
 * <p>{@code compact} also writes each closed calls day's per-workflow totals ({@code
 * call_totals_daily}); the views read those days' totals instead of their calls. The lake gets
 * what those totals must survive: a call whose two attempts start on either side of midnight
 * (two pre-aggregated days: its workflow's distinct calls are counted again), another
 * producer's rows (kept out of the totals and decided over the whole lake: one counts, one is a
 * repeated report of a Flowcost row on another day, whose trace is a shadow workflow), and a
 * re-priced day (read from its calls, as re-priced). A day with a late file, or caught between
 * two compactions, is read from its calls until it is compacted again, which replaces its totals.
 */
class CompactedLakeViewsTest {

  /** Views whose rows must not change; together they read every fact table. */
  private static final List<String> VIEWS = List.of("calls", "calls_original", "workflow_spans",
      "outcomes", "workflow_roots", "call_totals", "workflows_derived",
      "cost_per_outcome_derived", "outcomes_unmatched", "coverage_daily");

  /** The workflow whose call starts its first attempt before midnight and its second after. */
  private static final String MIDNIGHT_WF = "d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0";

  /**
   * The workflow whose call starts its first attempt at noon and its second at noon the next
   * day: far from midnight, so compact writes no (call_id, kind) pairs for it and its distinct
   * calls are counted again from the days' calls files.
   */
  private static final String NOON_WF = "f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0";

  @TempDir Path tmp;

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {5, 4242})
  void compactedDaysReadWithoutTheWindowGiveExactlyTheRowsOfTheDeDuplicatedLake(long seed)
      throws Exception {
    Path lake = tmp.resolve("lake");
    LocalDirectoryStore store = new LocalDirectoryStore(lake);
    LakeWriter writer = LakeWriter.builder(store, "w").scratchDirectory(tmp).build();
    RandomLake random = new RandomLake(seed, 80);
    random.write(writer);
    // a write-ahead-log replay of every root span file, so workflow_spans days get compacted too
    for (Path f : files(lake.resolve("workflow_spans"))) {
      Files.copy(f, f.resolveSibling("9999999999999-replay-000001.parquet"));
    }
    Rollup rollup = new Rollup(lake, store, "t", RandomLake.HORIZON_DAYS, Clock.systemUTC());
    List<Path> days = dayDirs(lake.resolve("calls"));
    assertThat(days).as("calls days").hasSizeGreaterThanOrEqualTo(4);
    Path before = days.get(2);
    Path after = days.get(3);
    // the day that gets a late re-send below: compacted again at the end, but still read from
    // its calls, since it is re-priced
    Path repriced = days.get(0);
    assertThat(LocalDate.parse(dayOf(after))).isEqualTo(LocalDate.parse(dayOf(before)).plusDays(1));
    try (Connection c = rollup.open(); Statement st = c.createStatement()) {
      writeEdgeRows(st, lake, before, after, repriced);
    }
    Path expected = tmp.resolve("expected");
    Files.createDirectories(expected);
    try (Connection c = rollup.open()) {
      assertThat(LakeViews.splitCompacted(c, lake.resolve("calls")).compacted())
          .as("nothing compacted yet").isEmpty();
      for (String view : VIEWS) {
        copy(c, view, expected.resolve(view + ".parquet"));
      }
    }

    Clock later = Clock.fixed(RandomLake.FIRST.plus(Duration.ofDays(RandomLake.DAYS + 10)),
        ZoneOffset.UTC);
    Compactor compactor = new Compactor(store, tmp.resolve("scratch"), "compact-t", later);
    List<Compactor.Result> merged = compactor.compactBefore(
        List.of("calls", "workflow_spans", "outcomes"), compactor.today());
    assertThat(merged).extracting(Compactor.Result::table).contains("calls", "workflow_spans");

    // One calls day gets a late re-send of its rows (received later: the views keep the earlier
    // copy); another is caught mid-compaction (a second merged file published, the first not yet
    // deleted). Both hold two files, so their rows go through the window again.
    List<Path> callDays = dayDirs(lake.resolve("calls"));
    assertThat(callDays).hasSizeGreaterThanOrEqualTo(3);
    Path resent = callDays.get(0);
    Path doubled = callDays.get(1);
    try (Connection c = rollup.open(); Statement st = c.createStatement()) {
      Path only = files(resent).get(0);
      st.execute("COPY (SELECT * REPLACE (received_at + INTERVAL 1 HOUR AS received_at)"
          + " FROM read_parquet('" + only + "', hive_partitioning = false)) TO '"
          + resent.resolve("9999999999999-late-000001.parquet") + "' (FORMAT parquet)");
      Path compacted = files(doubled).get(0);
      Files.copy(compacted, doubled.resolve("9999999999999-compact-again-000001.parquet"));
    }

    try (Connection c = rollup.open(); Statement st = c.createStatement()) {
      LakeViews.Split calls = LakeViews.splitCompacted(c, lake.resolve("calls"));
      assertThat(calls.compacted()).as("compacted days read as they are")
          .isNotEmpty()
          .noneMatch(f -> f.startsWith(resent.toAbsolutePath()))
          .noneMatch(f -> f.startsWith(doubled.toAbsolutePath()));
      List<Path> twoFiles = Stream.concat(files(resent).stream(), files(doubled).stream())
          .map(Path::toAbsolutePath).toList();
      assertThat(twoFiles).hasSize(4);
      assertThat(calls.rest()).containsAll(twoFiles);
      assertThat(Stream.concat(calls.compacted().stream(), calls.rest().stream()).sorted())
          .containsExactlyElementsOf(files(lake.resolve("calls")).stream()
              .map(Path::toAbsolutePath).sorted().toList());
      assertThat(LakeViews.splitCompacted(c, lake.resolve("workflow_spans")).compacted())
          .isNotEmpty();
      LakeViews.Aggregated aggregated = LakeViews.splitAggregated(c, lake, calls.compacted());
      assertThat(aggregated.calls()).as("pre-aggregated days")
          .anyMatch(f -> f.startsWith(before.toAbsolutePath()))
          .anyMatch(f -> f.startsWith(after.toAbsolutePath()));
      assertThat(aggregated.calls()).hasSize(aggregated.totals().size())
          .hasSize(calls.compacted().size());
      assertThat(aggregated.compacted()).isEmpty();
      assertSameRows(st, expected, VIEWS);
      assertThat(count(st, "SELECT * FROM calls")).isEqualTo(
          random.workflows.stream().mapToLong(w -> w.calls.size()).sum() + EDGE_ROWS_COUNTED);
      assertMidnightWorkflow(st);
    }

    // Compacting again closes the two days read from their calls: their totals are replaced by
    // those of the new merged file (one file per day, naming it), and nothing changes.
    compactor.compactBefore(List.of("calls"), compactor.today());
    try (Connection c = rollup.open(); Statement st = c.createStatement()) {
      LakeViews.Split calls = LakeViews.splitCompacted(c, lake.resolve("calls"));
      assertThat(calls.rest()).isEmpty();
      LakeViews.Aggregated aggregated = LakeViews.splitAggregated(c, lake, calls.compacted());
      assertThat(aggregated.compacted()).as("the re-priced day, read from its calls")
          .singleElement().matches(f -> f.startsWith(repriced.toAbsolutePath()));
      assertThat(aggregated.calls()).hasSize(days.size() - 1);
      for (Path day : dayDirs(lake.resolve(LakeViews.TOTALS_TABLE))) {
        assertThat(files(day)).as(day + ": one totals file").hasSize(1);
      }
      assertThat(dayDirs(lake.resolve(LakeViews.TOTALS_TABLE))).hasSameSizeAs(days);
      // (the views the totals feed; the others read no totals and were compared above)
      assertSameRows(st, expected, List.of("calls", "call_totals", "workflows_derived",
          "cost_per_outcome_derived"));
      assertMidnightWorkflow(st);
    }
  }

  /** Call rows {@link #writeEdgeRows} adds that the calls view counts. */
  private static final int EDGE_ROWS_COUNTED = 8;

  /**
   * Adds, as extra files (compacted with the rest): the midnight call (attempt 1 failed on
   * {@code before} at 23:59:59.5, attempt 2 on {@code after} at 00:00:00.5) and a second call of
   * its workflow; the noon call (attempt 1 failed on {@code before} at 12:00, attempt 2 on
   * {@code after} at 12:00) and a second call of its workflow; another producer's row of its own response, which counts; another producer's
   * report of a response a Flowcost row of another day also reported (a repeated report, its
   * trace a shadow workflow); and a re-pricing of one call of {@code repriced}.
   */
  private static void writeEdgeRows(Statement st, Path lake, Path before, Path after,
      Path repriced) throws Exception {
    String day0 = dayOf(before);
    String day1 = dayOf(after);
    String template = "read_parquet('" + files(before).get(0) + "', hive_partitioning = false)";
    String row = "SELECT * REPLACE (%s) FROM (SELECT * FROM " + template + " LIMIT 1)";
    String midnight = "'" + MIDNIGHT_WF + "' AS workflow_id, 'model' AS kind, "
        + "CAST(NULL AS VARCHAR) AS response_id, false AS foreign_span, ";
    String noon = "'" + NOON_WF + "' AS workflow_id, 'model' AS kind, "
        + "CAST(NULL AS VARCHAR) AS response_id, false AS foreign_span, ";
    st.execute("COPY (" + String.format(row, midnight + "'c0c0c0c0c0c0c0c0' AS call_id,"
        + " 'a000000000000001' AS span_id, 1 AS attempt, 'error' AS status,"
        + " CAST(0 AS DECIMAL(18,9)) AS cost_usd, false AS unpriced,"
        + " TIMESTAMPTZ '" + day0 + " 23:59:59.5+00' AS start_time,"
        + " TIMESTAMPTZ '" + day0 + " 23:59:59.9+00' AS end_time")
        + " UNION ALL " + String.format(row, "'e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0' AS workflow_id,"
        + " 'model' AS kind, 'b000000000000001' AS span_id, 'b000000000000001' AS call_id,"
        + " 'resp-own' AS response_id, true AS foreign_span")
        + " UNION ALL " + String.format(row, "'e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1' AS workflow_id,"
        + " 'model' AS kind, 'b000000000000003' AS span_id, 'b000000000000003' AS call_id,"
        + " 'resp-twice' AS response_id, true AS foreign_span,"
        + " TIMESTAMPTZ '" + day0 + " 12:00:00+00' AS start_time,"
        + " TIMESTAMPTZ '" + day0 + " 23:00:00+00' AS received_at")
        + " UNION ALL " + String.format(row, noon + "'c2c2c2c2c2c2c2c2' AS call_id,"
        + " 'a000000000000004' AS span_id, 1 AS attempt, 'error' AS status,"
        + " TIMESTAMPTZ '" + day0 + " 12:00:00+00' AS start_time,"
        + " TIMESTAMPTZ '" + day0 + " 12:00:01+00' AS end_time")
        + ") TO '" + before.resolve("9999999999998-edge-000001.parquet") + "' (FORMAT parquet)");
    st.execute("COPY (" + String.format(row, midnight + "'c0c0c0c0c0c0c0c0' AS call_id,"
        + " 'a000000000000002' AS span_id, 2 AS attempt, 'ok' AS status, false AS unpriced,"
        + " TIMESTAMPTZ '" + day1 + " 00:00:00.5+00' AS start_time,"
        + " TIMESTAMPTZ '" + day1 + " 00:00:01+00' AS end_time")
        + " UNION ALL " + String.format(row, midnight + "'c1c1c1c1c1c1c1c1' AS call_id,"
        + " 'a000000000000003' AS span_id, 1 AS attempt, 'ok' AS status,"
        + " TIMESTAMPTZ '" + day1 + " 00:00:02+00' AS start_time,"
        + " TIMESTAMPTZ '" + day1 + " 00:00:03+00' AS end_time")
        + " UNION ALL " + String.format(row, "'" + MIDNIGHT_WF + "' AS workflow_id, 'model' AS kind,"
        + " 'b000000000000002' AS span_id, 'b000000000000002' AS call_id,"
        + " 'resp-twice' AS response_id, false AS foreign_span,"
        + " TIMESTAMPTZ '" + day1 + " 00:00:04+00' AS start_time,"
        + " TIMESTAMPTZ '" + day1 + " 01:00:00+00' AS received_at")
        + " UNION ALL " + String.format(row, noon + "'c2c2c2c2c2c2c2c2' AS call_id,"
        + " 'a000000000000005' AS span_id, 2 AS attempt, 'ok' AS status,"
        + " TIMESTAMPTZ '" + day1 + " 12:00:00+00' AS start_time,"
        + " TIMESTAMPTZ '" + day1 + " 12:00:01+00' AS end_time")
        + " UNION ALL " + String.format(row, noon + "'c3c3c3c3c3c3c3c3' AS call_id,"
        + " 'a000000000000006' AS span_id, 1 AS attempt, 'ok' AS status,"
        + " TIMESTAMPTZ '" + day1 + " 12:00:02+00' AS start_time,"
        + " TIMESTAMPTZ '" + day1 + " 12:00:03+00' AS end_time")
        + ") TO '" + after.resolve("9999999999998-edge-000001.parquet") + "' (FORMAT parquet)");
    Path prices = lake.resolve("call_prices").resolve(repriced.getFileName());
    Files.createDirectories(prices);
    st.execute("COPY (SELECT span_id, workflow_id, CAST(1000 AS BIGINT) AS price_version,"
        + " CAST(coalesce(cost_usd, 0) + 0.000000007 AS DECIMAL(18,9)) AS cost_usd,"
        + " cache_savings_gross_usd, cache_savings_net_usd, false AS unpriced,"
        + " 'test+reprice' AS catalog_version, price_key, start_time,"
        + " TIMESTAMPTZ '2026-12-01 00:00:00+00' AS repriced_at"
        + " FROM read_parquet('" + files(repriced).get(0) + "', hive_partitioning = false)"
        + " WHERE status = 'ok' LIMIT 1) TO '"
        + prices.resolve("0000000001000-reprice-000001.parquet") + "' (FORMAT parquet)");
  }

  /**
   * The midnight call counts once; its workflow has two calls and three attempts. So does the
   * noon call in its workflow (two calls, three attempts).
   */
  private static void assertMidnightWorkflow(Statement st) throws SQLException {
    try (ResultSet rs = st.executeQuery("SELECT calls, model_calls, attempts, failed_attempts"
        + " FROM workflows_derived WHERE workflow_id = '" + NOON_WF + "'")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getLong(1)).isEqualTo(2); // c2 (two attempts, a day apart), c3
      assertThat(rs.getLong(2)).isEqualTo(2);
      assertThat(rs.getLong(3)).isEqualTo(3);
      assertThat(rs.getLong(4)).isEqualTo(1);
    }
    try (ResultSet rs = st.executeQuery("SELECT calls, model_calls, attempts, failed_attempts"
        + " FROM workflows_derived WHERE workflow_id = '" + MIDNIGHT_WF + "'")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getLong(1)).isEqualTo(3); // c0 (two attempts), c1, the resp-twice call
      assertThat(rs.getLong(2)).isEqualTo(3);
      assertThat(rs.getLong(3)).isEqualTo(4);
      assertThat(rs.getLong(4)).isEqualTo(1);
    }
    assertThat(count(st, "SELECT * FROM workflows_derived WHERE workflow_id IN"
        + " ('e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0', 'e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1')"))
        .as("another producer's workflow counts; the shadow of a Flowcost one does not")
        .isEqualTo(1);
  }

  private static void assertSameRows(Statement st, Path expected, List<String> views)
      throws SQLException {
    for (String view : views) {
      Path file = expected.resolve(view + ".parquet");
      // the view is derived once (a materialised CTE) for its three comparisons, not three times
      try (ResultSet rs = st.executeQuery("WITH now AS MATERIALIZED (SELECT * FROM " + view + "),"
          + " was AS MATERIALIZED (SELECT * FROM read_parquet('" + file + "'))"
          + " SELECT (SELECT count(*) FROM now), (SELECT count(*) FROM was),"
          + " (SELECT count(*) FROM (FROM now EXCEPT ALL FROM was)),"
          + " (SELECT count(*) FROM (FROM was EXCEPT ALL FROM now))")) {
        rs.next();
        assertThat(rs.getLong(1)).as(view).isEqualTo(rs.getLong(2));
        assertThat(rs.getLong(3))
            .as(view + ": rows the compacted lake gives that the de-duplicated one did not")
            .isZero();
        assertThat(rs.getLong(4))
            .as(view + ": rows the de-duplicated lake gave that the compacted one does not")
            .isZero();
      }
    }
  }

  private static String dayOf(Path dayDir) {
    return dayDir.getFileName().toString().substring("date=".length());
  }

  private static void copy(Connection c, String view, Path to) throws SQLException {
    try (Statement st = c.createStatement()) {
      st.execute("COPY (SELECT * FROM " + view + ") TO '" + to + "' (FORMAT parquet)");
    }
  }

  private static long count(Statement st, String query) throws SQLException {
    try (ResultSet rs = st.executeQuery("SELECT count(*) FROM (" + query + ")")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static List<Path> dayDirs(Path table) throws Exception {
    try (Stream<Path> s = Files.list(table)) {
      return s.filter(p -> p.getFileName().toString().startsWith("date=")).sorted().toList();
    }
  }

  private static List<Path> files(Path dir) throws Exception {
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(p -> p.toString().endsWith(".parquet")).sorted().toList();
    }
  }
}
