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
 */
class CompactedLakeViewsTest {

  /** Views whose rows must not change; together they read every fact table. */
  private static final List<String> VIEWS = List.of("calls", "calls_original", "workflow_spans",
      "outcomes", "workflow_roots", "workflows_derived", "cost_per_outcome_derived",
      "outcomes_unmatched", "coverage_daily");

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
      for (String view : VIEWS) {
        Path file = expected.resolve(view + ".parquet");
        String before = "SELECT * FROM read_parquet('" + file + "')";
        long rows = count(st, before);
        assertThat(count(st, "SELECT * FROM " + view)).as(view).isEqualTo(rows);
        assertThat(count(st, "(SELECT * FROM " + view + ") EXCEPT ALL (" + before + ")"))
            .as(view + ": rows the compacted lake gives that the de-duplicated one did not")
            .isZero();
        assertThat(count(st, "(" + before + ") EXCEPT ALL (SELECT * FROM " + view + ")"))
            .as(view + ": rows the de-duplicated lake gave that the compacted one does not")
            .isZero();
      }
      assertThat(count(st, "SELECT * FROM calls")).isEqualTo(
          random.workflows.stream().mapToLong(w -> w.calls.size()).sum());
    }
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
