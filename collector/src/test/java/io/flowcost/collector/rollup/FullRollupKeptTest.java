package io.flowcost.collector.rollup;

import static io.flowcost.collector.rollup.RowAssertions.assertSameRows;
import static io.flowcost.collector.rollup.RowAssertions.scalar;
import static org.assertj.core.api.Assertions.assertThat;

import io.flowcost.lake.LakeWriter;
import io.flowcost.lake.schema.LakeTables;
import io.flowcost.lake.store.LocalDirectoryStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link Rollup#rollupAll()} keeps the snapshots of the last full rollup, writing nothing, only
 * when deriving again could not give other rows: the lake's inputs have the digest that rollup
 * recorded, and each of its days still has its snapshot as the latest. Whatever state it leaves,
 * kept or rebuilt, every day's latest snapshot equals what {@code lake.sql} derives from the
 * facts on a fresh connection (every column, money exactly). Anything else — a late outcome, a
 * file that changes no row, a rollup of one day, a lost marker, another horizon, {@code
 * rebuildAll} — derives and writes every day again.
 */
class FullRollupKeptTest {

  @TempDir Path tmp;

  private Rollup rollup(Path lake, int horizonDays) throws IOException {
    return new Rollup(lake, new LocalDirectoryStore(lake), "full", horizonDays, Clock.systemUTC());
  }

  private LakeWriter writer(Path lake) throws IOException {
    return LakeWriter.builder(new LocalDirectoryStore(lake), "w").scratchDirectory(tmp).build();
  }

  private RandomLake writeLake(long seed, Path lake) throws IOException {
    RandomLake random = new RandomLake(seed, 80);
    random.write(writer(lake));
    return random;
  }

  @Test
  void unchangedInputsKeepEverySnapshotAndWriteNothing() throws Exception {
    Path lake = tmp.resolve("unchanged");
    writeLake(21, lake);
    Rollup rollup = rollup(lake, RandomLake.HORIZON_DAYS);
    Rollup.Result first = rollup.rollupAll();
    assertThat(first.kept()).isFalse();
    assertThat(first.days()).isNotEmpty();
    Map<String, Long> files = files(lake);

    Rollup.Result again = rollup.rollupAll();
    assertThat(again.kept()).isTrue();
    assertThat(again.version()).isEqualTo(first.version());
    assertThat(again.days()).isEqualTo(first.days());
    assertThat(again.workflows()).isEqualTo(first.workflows());
    assertThat(files(lake)).as("nothing written or removed").isEqualTo(files);
    assertLatestIsDerived(rollup, first.workflows());

    // a new Rollup (another process) sees the same: the record is in the lake, not in memory
    assertThat(rollup(lake, RandomLake.HORIZON_DAYS).rollupAll().kept()).isTrue();

    Rollup.Result rebuilt = rollup.rebuildAll();
    assertThat(rebuilt.kept()).isFalse();
    assertThat(rebuilt.version()).isGreaterThan(first.version());
    assertThat(rebuilt.days()).isEqualTo(first.days());
    assertLatestIsDerived(rollup, first.workflows());
    Rollup.Result afterRebuild = rollup.rollupAll();
    assertThat(afterRebuild.kept()).isTrue();
    assertThat(afterRebuild.version()).isEqualTo(rebuilt.version());
  }

  @Test
  void aLateOutcomeRebuildsAndTheLatestSnapshotsFollowIt() throws Exception {
    Path lake = tmp.resolve("late");
    RandomLake random = writeLake(2026, lake);
    Rollup rollup = rollup(lake, RandomLake.HORIZON_DAYS);
    Rollup.Result first = rollup.rollupAll();

    RandomLake.Wf target = random.workflows.stream().filter(w -> w.hasRoot).findFirst()
        .orElseThrow();
    String after = random.outcomeOf(target).equals("failure") ? "success" : "failure";
    Instant reported = random.outcomes.stream()
        .filter(o -> target.id.equals(o.workflowId()) || target.externalKey.equals(o.externalKey()))
        .map(RandomLake.Outcome::reportedAt).max(Instant::compareTo).orElse(target.start)
        .plus(Duration.ofMinutes(1));
    RandomLake.Outcome late = new RandomLake.Outcome("o-late", target.id, null, after, reported);
    RandomLake.writeByDay(writer(lake), LakeTables.OUTCOMES,
        List.of(RandomLake.outcomeRow(late, reported)), "reported_at");

    Rollup.Result second = rollup.rollupAll();
    assertThat(second.kept()).isFalse();
    assertThat(second.version()).isGreaterThan(first.version());
    assertThat(second.days()).isEqualTo(first.days());
    try (Connection c = rollup.open(); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT outcome FROM workflows_latest WHERE workflow_id = '"
            + target.id + "'")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getString(1)).isEqualTo(after);
    }
    assertLatestIsDerived(rollup, first.workflows());
    assertThat(rollup.rollupAll().kept()).isTrue();
  }

  @Test
  void anAddedFileAOneDayRollupALostMarkerOrAnotherHorizonRebuild() throws Exception {
    Path lake = tmp.resolve("rebuilds");
    writeLake(77, lake);
    Rollup rollup = rollup(lake, RandomLake.HORIZON_DAYS);
    Rollup.Result first = rollup.rollupAll();

    // a file that changes no row (a replayed copy of a calls file): still a new input
    Path callsFile;
    try (Stream<Path> walk = Files.walk(lake.resolve("calls"))) {
      callsFile = walk.filter(p -> p.toString().endsWith(".parquet")).sorted().findFirst()
          .orElseThrow();
    }
    Files.copy(callsFile, callsFile.resolveSibling("replayed-copy.parquet"));
    Rollup.Result afterCopy = rollup.rollupAll();
    assertThat(afterCopy.kept()).isFalse();
    assertThat(afterCopy.version()).isGreaterThan(first.version());
    assertLatestIsDerived(rollup, first.workflows());

    // another rollup of one day since, even over the same inputs
    LocalDate day = afterCopy.days().iterator().next();
    rollup.rollup(new java.util.TreeSet<>(Set.of(day)));
    Rollup.Result afterDay = rollup.rollupAll();
    assertThat(afterDay.kept()).isFalse();
    assertLatestIsDerived(rollup, first.workflows());
    assertThat(rollup.rollupAll().kept()).isTrue();

    // a marker of the full rollup lost (as if it stopped before publishing them all)
    Path marker = lake.resolve("rollups/date=" + day + "/" + afterDay.version() + "-full.parquet");
    assertThat(marker).exists();
    Files.delete(marker);
    Rollup.Result afterLoss = rollup.rollupAll();
    assertThat(afterLoss.kept()).isFalse();
    assertThat(afterLoss.days()).contains(day);
    assertLatestIsDerived(rollup, first.workflows());

    // another outcome horizon derives other rows
    Rollup wider = rollup(lake, RandomLake.HORIZON_DAYS + 1);
    assertThat(wider.rollupAll().kept()).isFalse();
    assertThat(wider.rollupAll().kept()).isTrue();
    assertThat(rollup.rollupAll().kept()).isFalse();
  }

  /** Every day's latest snapshots are exactly what the views derive from the facts now. */
  private static void assertLatestIsDerived(Rollup rollup, long workflows) throws Exception {
    try (Connection c = rollup.open(); Statement st = c.createStatement()) {
      assertThat(scalar(st, "SELECT count(*) FROM workflows_latest")).isEqualTo(workflows);
      assertSameRows(st, "SELECT * EXCLUDE (version) FROM workflows_latest",
          "SELECT * FROM workflows_derived");
      assertSameRows(st, "SELECT * EXCLUDE (version) FROM cost_per_outcome_latest",
          "SELECT * FROM cost_per_outcome_derived");
    }
  }

  private static Map<String, Long> files(Path lake) throws IOException {
    Map<String, Long> out = new TreeMap<>();
    try (Stream<Path> walk = Files.walk(lake)) {
      for (Path p : walk.filter(Files::isRegularFile).toList()) {
        out.put(lake.relativize(p).toString(), Files.size(p));
      }
    }
    return out;
  }
}
