package io.flowcost.collector.rollup;

import static io.flowcost.collector.rollup.RowAssertions.assertSameRows;
import static io.flowcost.collector.rollup.RowAssertions.scalar;
import static org.assertj.core.api.Assertions.assertThat;

import io.flowcost.lake.LakeWriter;
import io.flowcost.lake.store.LocalDirectoryStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.LocalDate;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What {@link Rollup} publishes, with one partitioned write per table for every day, is exactly
 * what {@code lake.sql} derives: every snapshot row equals the row {@code workflows_derived} /
 * {@code cost_per_outcome_derived} give from the facts on a fresh connection (every column, money
 * exactly), each rolled-up day has one file per table under its own {@code date=} directory, and
 * its marker counts its workflows. The lakes ({@link RandomLake}) hold rows written twice (a
 * replay), retried attempts, outcomes by id and by external key, changed and late outcomes.
 */
class RollupSnapshotsTest {

  @TempDir Path tmp;

  private Rollup rollup(Path lake) throws IOException {
    return new Rollup(lake, new LocalDirectoryStore(lake), "snap", RandomLake.HORIZON_DAYS,
        Clock.systemUTC());
  }

  private void writeLake(long seed, Path lake) throws Exception {
    LakeWriter writer = LakeWriter.builder(new LocalDirectoryStore(lake), "w")
        .scratchDirectory(tmp).build();
    new RandomLake(seed, 80).write(writer);
  }

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {5, 77, 31_337})
  void everySnapshotRowIsTheRowTheViewsDeriveAndEachDayIsOneFilePerTable(long seed)
      throws Exception {
    Path lake = tmp.resolve("lake-" + seed);
    writeLake(seed, lake);
    Rollup rollup = rollup(lake);
    Rollup.Result result = rollup.rollupAll();

    try (Connection c = rollup.open(); Statement st = c.createStatement()) {
      long derived = scalar(st, "SELECT count(*) FROM workflows_derived");
      assertThat(derived).isPositive();
      assertThat(result.workflows()).isEqualTo(derived);
      assertThat(scalar(st, "SELECT count(*) FROM workflows_latest")).isEqualTo(derived);
      assertSameRows(st, "SELECT * EXCLUDE (version) FROM workflows_latest",
          "SELECT * FROM workflows_derived");
      assertThat(scalar(st, "SELECT count(*) FROM cost_per_outcome_latest"))
          .isEqualTo(scalar(st, "SELECT count(*) FROM cost_per_outcome_derived"));
      assertSameRows(st, "SELECT * EXCLUDE (version) FROM cost_per_outcome_latest",
          "SELECT * FROM cost_per_outcome_derived");

      // one version everywhere, and each day's marker counts that day's workflows
      assertThat(scalar(st, "SELECT count(DISTINCT version) FROM workflows_latest")).isEqualTo(1);
      assertThat(scalar(st, "SELECT max(version) FROM rollups")).isEqualTo(result.version());
      assertSameRows(st, "SELECT day, version, workflows, collector_id FROM rollups",
          "SELECT day, CAST(" + result.version() + " AS BIGINT), count(*), 'snap'"
              + " FROM workflows_derived GROUP BY day");
      // the file's date= directory is the day its rows hold
      assertThat(scalar(st, "SELECT count(*) FROM workflows_snapshots WHERE date <> day"))
          .isZero();
      assertThat(scalar(st, "SELECT count(*) FROM cost_per_outcome_snapshots WHERE date <> day"))
          .isZero();
    }
    for (String table : List.of("workflows", "cost_per_outcome", "rollups")) {
      for (LocalDate day : result.days()) {
        try (Stream<Path> files = Files.list(lake.resolve(table).resolve("date=" + day))) {
          assertThat(files.map(p -> p.getFileName().toString()).toList()).as(table + " " + day)
              .containsExactly(result.version() + "-snap.parquet");
        }
      }
    }
  }

  @Test
  void aDayWithoutWorkflowsGetsOnlyItsMarker() throws Exception {
    Path lake = tmp.resolve("lake-empty-day");
    writeLake(11, lake);
    Rollup rollup = rollup(lake);
    LocalDate empty = RandomLake.FIRST.atZone(java.time.ZoneOffset.UTC).toLocalDate()
        .minusDays(30);
    LocalDate full;
    try (Connection c = rollup.open(); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT min(day) FROM workflows_derived")) {
      rs.next();
      full = rs.getObject(1, LocalDate.class);
    }
    Rollup.Result result = rollup.rollup(new TreeSet<>(Set.of(empty, full)));

    assertThat(Files.exists(lake.resolve("workflows/date=" + empty))).isFalse();
    assertThat(Files.exists(lake.resolve("cost_per_outcome/date=" + empty))).isFalse();
    assertThat(Files.exists(lake.resolve("workflows/date=" + full
        + "/" + result.version() + "-snap.parquet"))).isTrue();
    try (Connection c = rollup.open(); Statement st = c.createStatement()) {
      assertThat(scalar(st, "SELECT workflows FROM rollups WHERE day = DATE '" + empty + "'"))
          .isZero();
      long onFullDay = scalar(st, "SELECT count(*) FROM workflows_derived WHERE day = DATE '"
          + full + "'");
      assertThat(onFullDay).isPositive();
      assertThat(scalar(st, "SELECT workflows FROM rollups WHERE day = DATE '" + full + "'"))
          .isEqualTo(onFullDay);
      assertThat(result.workflows()).isEqualTo(onFullDay);
    }
  }
}
