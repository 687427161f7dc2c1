package io.flowcost.collector.rollup;

import static org.assertj.core.api.Assertions.assertThat;

import io.flowcost.lake.LakeWriter;
import io.flowcost.lake.schema.LakeTables;
import io.flowcost.lake.store.LocalDirectoryStore;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Property tests of the roll-up SQL ({@code notebooks/lake.sql}) over seeded random lakes
 * ({@link RandomLake}): every figure of {@code workflows_latest} and the {@code cost_per_outcome}
 * levels against DESIGN.md's definitions, computed independently in Java.
 */
class RollupPropertyTest {

  /** The rounding allowance of one HALF_EVEN division to 9 decimals, per success. */
  private static final BigDecimal HALF_NANO = new BigDecimal("0.0000000005");

  @TempDir Path tmp;

  private Rollup rollup(Path lake) throws IOException {
    return new Rollup(lake, new LocalDirectoryStore(lake), "prop", RandomLake.HORIZON_DAYS,
        Clock.systemUTC());
  }

  private RandomLake writeLake(long seed, Path lake) throws IOException {
    RandomLake random = new RandomLake(seed, 80);
    random.write(writer(lake));
    return random;
  }

  private LakeWriter writer(Path lake) throws IOException {
    return LakeWriter.builder(new LocalDirectoryStore(lake), "w").scratchDirectory(tmp).build();
  }

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {1, 7, 42, 1234, 99_991})
  void everyWorkflowMatchesTheDefinitionsAndTheLevelsAddUp(long seed) throws Exception {
    Path lake = tmp.resolve("lake-" + seed);
    RandomLake random = writeLake(seed, lake);
    Rollup rollup = rollup(lake);
    rollup.rollupAll();

    try (Connection c = rollup.open(); Statement st = c.createStatement()) {
      Map<String, RandomLake.Wf> byId = random.byId();
      int seen = 0;
      try (ResultSet rs = st.executeQuery("SELECT workflow_id, day, outcome, cost_usd,"
          + " failure_waste_usd, call_waste_usd, unpriced_calls, cost_complete, calls, attempts"
          + " FROM workflows_latest")) {
        while (rs.next()) {
          seen++;
          RandomLake.Wf wf = byId.get(rs.getString(1));
          String id = "seed " + seed + " workflow " + wf.id;
          BigDecimal cost = rs.getBigDecimal(4);
          BigDecimal waste = rs.getBigDecimal(5);
          assertThat(waste).as(id).isBetween(BigDecimal.ZERO, cost);
          assertThat(rs.getObject(2, LocalDate.class)).as(id).isEqualTo(wf.day());
          assertThat(rs.getString(3)).as(id).isEqualTo(random.outcomeOf(wf));
          assertThat(cost).as(id).isEqualByComparingTo(wf.cost());
          assertThat(waste).as(id).isEqualByComparingTo(random.wasteOf(wf));
          assertThat(rs.getBigDecimal(6)).as(id).isEqualByComparingTo(wf.callWaste());
          assertThat(rs.getLong(7)).as(id).isEqualTo(wf.unpricedCalls());
          assertThat(rs.getBoolean(8)).as(id).isEqualTo(wf.unpricedCalls() == 0);
          assertThat(rs.getLong(9)).as(id)
              .isEqualTo(wf.calls.stream().map(RandomLake.Call::callId).distinct().count());
          assertThat(rs.getLong(10)).as(id).isEqualTo(wf.calls.size()); // replays counted once
        }
      }
      assertThat(seen).isEqualTo(random.workflows.size());

      BigDecimal total = random.totalCost();
      assertThat(decimal(st, "SELECT sum(cost_usd) FROM calls")).isEqualByComparingTo(total);
      assertThat(decimal(st, "SELECT sum(cost_usd) FROM workflows_latest"))
          .isEqualByComparingTo(total);
      assertThat(decimal(st, "SELECT sum(total_cost_usd) FROM cost_per_outcome_latest"))
          .isEqualByComparingTo(total);
      assertThat(decimal(st, "SELECT sum(total_cost_usd) FROM cost_per_outcome_monthly"))
          .isEqualByComparingTo(total);
      BigDecimal waste = random.workflows.stream().map(random::wasteOf)
          .reduce(BigDecimal.ZERO, BigDecimal::add);
      assertThat(decimal(st, "SELECT sum(failure_waste_usd) FROM cost_per_outcome_latest"))
          .isEqualByComparingTo(waste);
      assertThat(scalar(st, "SELECT sum(unpriced_calls) FROM cost_per_outcome_latest"))
          .isEqualTo(random.workflows.stream().mapToLong(RandomLake.Wf::unpricedCalls).sum());
      assertThat(scalar(st, "SELECT sum(successes) FROM cost_per_outcome_latest")).isEqualTo(
          random.workflows.stream().filter(w -> random.outcomeOf(w).equals("success")).count());

      // cost per success × successes = total cost, at every level, to the rounding
      for (String level : List.of("cost_per_outcome_latest", "cost_per_outcome_monthly",
          "cost_per_outcome_by_intent")) {
        assertCostPerSuccessRecomposes(st, level);
      }
      assertThat(scalar(st, "SELECT count(DISTINCT month) FROM cost_per_outcome_monthly"))
          .isEqualTo(2);
    }
  }

  private void assertCostPerSuccessRecomposes(Statement st, String level) throws SQLException {
    int groups = 0;
    try (ResultSet rs = st.executeQuery(
        "SELECT successes, total_cost_usd, cost_per_success_usd FROM " + level)) {
      while (rs.next()) {
        groups++;
        long successes = rs.getLong(1);
        BigDecimal totalCost = rs.getBigDecimal(2);
        BigDecimal perSuccess = rs.getBigDecimal(3);
        if (successes == 0) {
          assertThat(perSuccess).as(level).isNull();
          continue;
        }
        assertThat(perSuccess.scale()).as(level).isLessThanOrEqualTo(9);
        assertThat(perSuccess.multiply(BigDecimal.valueOf(successes)).subtract(totalCost).abs())
            .as(level + ": " + perSuccess + " × " + successes + " vs " + totalCost)
            .isLessThanOrEqualTo(HALF_NANO.multiply(BigDecimal.valueOf(successes)));
      }
    }
    assertThat(groups).as(level).isPositive();
  }

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {3, 2026})
  void aLateOutcomeMakesANewSnapshotOfItsDayThatTheLatestViewsPick(long seed) throws Exception {
    Path lake = tmp.resolve("late-" + seed);
    RandomLake random = writeLake(seed, lake);
    Rollup rollup = rollup(lake);
    long firstVersion = rollup.rollupAll().version();

    // a workflow whose outcome the late report flips
    RandomLake.Wf target = random.workflows.stream().filter(w -> w.hasRoot).findFirst().orElseThrow();
    String before = random.outcomeOf(target);
    String after = before.equals("failure") ? "success" : "failure";
    Instant reported = random.outcomes.stream()
        .filter(o -> target.id.equals(o.workflowId()) || target.externalKey.equals(o.externalKey()))
        .map(RandomLake.Outcome::reportedAt).max(Instant::compareTo).orElse(target.start)
        .plus(Duration.ofMinutes(1));
    RandomLake.Outcome late = new RandomLake.Outcome("o-late", target.id, null, after, reported);
    random.outcomes.add(late);
    RandomLake.writeByDay(writer(lake), LakeTables.OUTCOMES,
        List.of(RandomLake.outcomeRow(late, reported)), "reported_at");
    assertThat(random.outcomeOf(target)).isEqualTo(after);

    Map<String, Long> successesBefore = successesByDay(rollup);
    Set<LocalDate> days = rollup.daysOf(List.of(target.id), List.of());
    assertThat(days).containsExactly(target.day());
    long secondVersion = rollup.rollup(days).version();
    assertThat(secondVersion).isGreaterThan(firstVersion);

    try (Connection c = rollup.open(); Statement st = c.createStatement()) {
      assertThat(string(st, "SELECT outcome FROM workflows_latest WHERE workflow_id = '"
          + target.id + "'")).isEqualTo(after);
      assertThat(scalar(st, "SELECT max(version) FROM workflows_latest WHERE day = DATE '"
          + target.day() + "'")).isEqualTo(secondVersion);
      assertThat(scalar(st, "SELECT count(DISTINCT version) FROM cost_per_outcome_latest"
          + " WHERE day = DATE '" + target.day() + "'")).isEqualTo(1);
      // the old snapshot is still there, only no longer the latest
      assertThat(scalar(st, "SELECT count(*) FROM workflows_snapshots WHERE workflow_id = '"
          + target.id + "'")).isEqualTo(2);
      assertThat(scalar(st, "SELECT count(*) FROM workflows_latest")).isEqualTo(random.workflows.size());
      assertThat(decimal(st, "SELECT failure_waste_usd FROM workflows_latest WHERE workflow_id = '"
          + target.id + "'")).isEqualByComparingTo(random.wasteOf(target));
    }
    Map<String, Long> successesAfter = successesByDay(rollup);
    long delta = (after.equals("success") ? 1 : 0) - (before.equals("success") ? 1 : 0);
    assertThat(successesAfter.get(target.day().toString()))
        .isEqualTo(successesBefore.get(target.day().toString()) + delta);
  }

  private static Map<String, Long> successesByDay(Rollup rollup) throws Exception {
    Map<String, Long> out = new HashMap<>();
    try (Connection c = rollup.open(); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(
            "SELECT CAST(day AS VARCHAR), sum(successes) FROM cost_per_outcome_latest GROUP BY day")) {
      while (rs.next()) {
        out.put(rs.getString(1), rs.getLong(2));
      }
    }
    return out;
  }

  private static BigDecimal decimal(Statement st, String sql) throws SQLException {
    try (ResultSet rs = st.executeQuery(sql)) {
      assertThat(rs.next()).isTrue();
      return rs.getBigDecimal(1);
    }
  }

  private static long scalar(Statement st, String sql) throws SQLException {
    try (ResultSet rs = st.executeQuery(sql)) {
      assertThat(rs.next()).isTrue();
      return rs.getLong(1);
    }
  }

  private static String string(Statement st, String sql) throws SQLException {
    try (ResultSet rs = st.executeQuery(sql)) {
      assertThat(rs.next()).isTrue();
      return rs.getString(1);
    }
  }
}
