package io.flowcost.collector.rollup;

import static io.flowcost.collector.rollup.RowAssertions.scalar;
import static org.assertj.core.api.Assertions.assertThat;

import io.flowcost.collector.compact.Compactor;
import io.flowcost.lake.LakeWriter;
import io.flowcost.lake.schema.LakeTables;
import io.flowcost.lake.schema.Row;
import io.flowcost.lake.store.LocalDirectoryStore;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A derivation scoped to some days ({@link RollupScope}) gives exactly the rows the whole
 * derivation gives those days' workflows, every column, over seeded random lakes ({@link
 * RandomLake}) with what makes a workflow's row depend on other rows added: several roots (one on
 * another day, moving the workflow to an earlier day), keys reused by several workflows with
 * outcomes reported by key, repeated reports of one response by another producer (a shadow
 * trace, and a foreign report of a Flowcost response), re-pricings, late outcomes; half the seeds
 * compacted (some days read as compacted files with their per-day totals, the rest raw).
 */
class RollupScopeTest {

  @TempDir Path tmp;

  @AfterEach
  void clearSwitch() {
    System.clearProperty(Rollup.SCOPED_PROPERTY);
  }

  private LakeWriter writer(Path lake) throws IOException {
    return LakeWriter.builder(new LocalDirectoryStore(lake), "w").scratchDirectory(tmp).build();
  }

  private static Rollup rollup(Path lake) throws IOException {
    return new Rollup(lake, new LocalDirectoryStore(lake), "scope", RandomLake.HORIZON_DAYS,
        Clock.systemUTC());
  }

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {1, 7, 42, 1234, 99_991, 2026})
  void aScopedDerivationGivesTheWholeDerivationsRowsOfItsDays(long seed) throws Exception {
    Path lake = tmp.resolve("lake-" + seed);
    RandomLake random = new RandomLake(seed, 80);
    random.write(writer(lake));
    List<String> extraIds = addDependencies(random, lake, new Random(seed));
    if (seed % 2 == 1) {
      compactSome(lake, seed);
    }
    List<LocalDate> lakeDays = new ArrayList<>();
    for (int d = -1; d <= RandomLake.DAYS + 1; d++) { // a day before and after: none, or a few
      lakeDays.add(LocalDate.ofInstant(RandomLake.FIRST, ZoneOffset.UTC).plusDays(d));
    }

    Path whole = tmp.resolve("whole-" + seed + ".parquet");
    try (Connection c = rollup(lake).open(); Statement st = c.createStatement()) {
      LakeViews.pinDerived(c);
      assertThat(scalar(st, "SELECT count(*) FROM workflows_derived")).isPositive();
      st.execute("COPY (SELECT * FROM workflows_derived) TO '" + whole + "' (FORMAT parquet)");
    }
    Random pick = new Random(seed * 31);
    List<String> allIds = new ArrayList<>(random.byId().keySet());
    allIds.addAll(extraIds);
    LocalDate first = LocalDate.ofInstant(RandomLake.FIRST, ZoneOffset.UTC);
    assertScopedIsWhole(lake, whole, Set.of(first), List.of(), List.of(), "seed " + seed);
    for (int round = 0; round < 6; round++) {
      Set<LocalDate> days = new TreeSet<>();
      for (LocalDate d : lakeDays) {
        if (pick.nextInt(3) == 0) {
          days.add(d);
        }
      }
      List<String> ids = round % 2 == 0 ? List.of()
          : Stream.generate(() -> allIds.get(pick.nextInt(allIds.size()))).limit(3).toList();
      List<String> keys = round % 3 == 0 ? List.of("KEY-" + pick.nextInt(80), "SHARED-1")
          : List.of();
      assertScopedIsWhole(lake, whole, days, ids, keys, "seed " + seed + " round " + round);
    }
  }

  /**
   * The scoped rows of {@code days}, and of the given ids and keys, against the same rows of the
   * whole derivation (written to {@code whole}).
   */
  private void assertScopedIsWhole(Path lake, Path whole, Set<LocalDate> days, List<String> ids,
      List<String> keys, String as) throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
        Statement st = c.createStatement()) {
      LakeViews.installSnapshots(c, lake, RandomLake.HORIZON_DAYS);
      RollupScope.fill(c, lake, days, ids, keys);
      LakeViews.installScoped(c, lake, RandomLake.HORIZON_DAYS, RollupScope.files(c));
      RollupScope.pin(c);
      String dayList = days.isEmpty() ? "NULL"
          : days.stream().map(d -> "DATE '" + d + "'").collect(Collectors.joining(", "));
      String idList = Stream.concat(Stream.of("'-'"), ids.stream().map(i -> "'" + i + "'"))
          .collect(Collectors.joining(", "));
      String keyList = Stream.concat(Stream.of("'-'"), keys.stream().map(k -> "'" + k + "'"))
          .collect(Collectors.joining(", "));
      String of = " WHERE day IN (" + dayList + ") OR workflow_id IN (" + idList + ")"
          + " OR external_key IN (" + keyList + ")";
      String expected = "SELECT * FROM read_parquet('" + whole + "')" + of;
      String actual = "SELECT * FROM " + LakeViews.PINNED + of;
      assertThat(scalar(st, "SELECT count(*) FROM (" + actual + " EXCEPT ALL " + expected + ")"))
          .as(as + ": scoped rows not in the whole derivation").isZero();
      assertThat(scalar(st, "SELECT count(*) FROM (" + expected + " EXCEPT ALL " + actual + ")"))
          .as(as + ": whole derivation's rows not in the scoped one").isZero();
      // the column types too, not only values that compare equal
      assertThat(columns(st, actual)).as(as).isEqualTo(columns(st, expected));
    }
  }

  private static List<String> columns(Statement st, String query) throws Exception {
    List<String> out = new ArrayList<>();
    try (var rs = st.executeQuery("DESCRIBE " + query)) {
      while (rs.next()) {
        out.add(rs.getString(1) + " " + rs.getString(2));
      }
    }
    return out;
  }

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {3, 8})
  void rollupAffectedPublishesWhatTheWholeDerivationPublished(long seed) throws Exception {
    Path scoped = tmp.resolve("scoped-" + seed);
    Path whole = tmp.resolve("whole-" + seed);
    RandomLake random = new RandomLake(seed, 80);
    // one lake, copied: writing it twice would draw other span ids and replays
    random.write(writer(whole));
    addDependencies(random, whole, new Random(seed));
    if (seed % 2 == 1) {
      compactSome(whole, seed);
    }
    copyTree(whole, scoped);
    for (Path lake : List.of(scoped, whole)) {
      rollup(lake).rollupAll();
    }
    // a late root moves a workflow two days earlier; a late outcome for another
    RandomLake.Wf moved = random.workflows.stream()
        .filter(w -> w.hasRoot && w.day().isAfter(LocalDate.ofInstant(RandomLake.FIRST,
            ZoneOffset.UTC).plusDays(1)))
        .findFirst().orElseThrow();
    RandomLake.Wf late = random.workflows.get(random.workflows.size() - 1);
    for (Path lake : List.of(scoped, whole)) {
      RandomLake.writeByDay(writer(lake), LakeTables.WORKFLOW_SPANS,
          List.of(root(moved.id, "late-root-" + moved.id, moved.start.minus(Duration.ofDays(2)),
              moved.externalKey)), "start_time");
      RandomLake.writeByDay(writer(lake), LakeTables.OUTCOMES,
          List.of(RandomLake.outcomeRow(new RandomLake.Outcome("o-late-" + late.id, late.id, null,
              "failure", late.start.plus(Duration.ofHours(3))), late.start.plus(Duration.ofHours(3)))),
          "reported_at");
    }
    Set<LocalDate> flushed = Set.of(late.day());
    System.setProperty(Rollup.SCOPED_PROPERTY, "false");
    Rollup.Result before = rollup(whole).rollupAffected(List.of(moved.id, late.id), List.of(),
        flushed);
    System.setProperty(Rollup.SCOPED_PROPERTY, "true");
    Rollup.Result after = rollup(scoped).rollupAffected(List.of(moved.id, late.id), List.of(),
        flushed);

    assertThat(after.days()).isEqualTo(before.days())
        .contains(moved.day(), moved.day().minusDays(2), late.day());
    assertThat(after.workflows()).isEqualTo(before.workflows());
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
        Statement st = c.createStatement()) {
      st.execute("SET TimeZone = 'UTC'");
      for (String table : List.of("workflows", "cost_per_outcome", "rollups")) {
        String cols = table.equals("rollups") ? "day, workflows" : "* EXCLUDE (version)";
        RowAssertions.assertSameRows(st,
            "SELECT " + cols + " FROM " + snapshot(scoped, table) + " WHERE version = "
                + after.version(),
            "SELECT " + cols + " FROM " + snapshot(whole, table) + " WHERE version = "
                + before.version());
      }
      assertThat(scalar(st, "SELECT count(*) FROM " + snapshot(scoped, "workflows")
          + " WHERE version = " + after.version())).isEqualTo(after.workflows()).isPositive();
    }
  }

  private static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> paths = Files.walk(from)) {
      for (Path p : paths.toList()) {
        Files.copy(p, to.resolve(from.relativize(p).toString()));
      }
    }
  }

  private static String snapshot(Path lake, String table) {
    return "read_parquet('" + lake.resolve(table).toAbsolutePath()
        + "/date=*/*.parquet', hive_partitioning = true, union_by_name = true)";
  }

  /**
   * Adds what makes one workflow's row depend on other rows; returns the ids of workflows it
   * adds.
   */
  private List<String> addDependencies(RandomLake random, Path lake, Random r) throws IOException {
    Instant received = Instant.parse("2026-11-21T00:00:00Z");
    List<RandomLake.Wf> rooted = random.workflows.stream().filter(w -> w.hasRoot).toList();
    List<Row> roots = new ArrayList<>();
    List<Row> calls = new ArrayList<>();
    List<Row> outcomes = new ArrayList<>();
    List<Row> prices = new ArrayList<>();
    List<String> added = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      RandomLake.Wf w = rooted.get(r.nextInt(rooted.size()));
      // a second root, earlier (maybe a day before: the workflow's day moves) or later; never
      // at the same instant (the earliest root names the workflow: a tie has no one answer)
      Duration shift = Duration.ofHours(r.nextInt(40) - 20).plusMinutes(1 + r.nextInt(50));
      roots.add(root(w.id, "extra-root-" + i, w.start.plus(shift),
          r.nextBoolean() ? w.externalKey : "SHARED-" + (i % 3)));
    }
    for (int i = 0; i < 6; i++) {
      // a key reused by another workflow, with outcomes reported by that key
      RandomLake.Wf a = rooted.get(r.nextInt(rooted.size()));
      RandomLake.Wf b = rooted.get(r.nextInt(rooted.size()));
      roots.add(root(b.id, "reused-key-" + i, b.start.plus(Duration.ofMinutes(1)),
          a.externalKey));
      Instant at = a.start.plus(Duration.ofMinutes(30 + r.nextInt(3000)));
      outcomes.add(RandomLake.outcomeRow(new RandomLake.Outcome("o-key-" + i, null,
          r.nextBoolean() ? a.externalKey : "SHARED-" + (i % 3), r.nextBoolean() ? "success" : "failure",
          at), received));
      // a late outcome by id, past or within the horizon
      outcomes.add(RandomLake.outcomeRow(new RandomLake.Outcome("o-late-" + i, a.id, null,
          "failure", a.start.plus(Duration.ofDays(r.nextInt(9)))), received));
    }
    for (int i = 0; i < 6; i++) {
      RandomLake.Wf w = random.workflows.get(r.nextInt(random.workflows.size()));
      Instant t = w.calls.get(0).start().plusSeconds(1);
      String response = "resp-" + i;
      // a Flowcost row reporting a response, and another producer's report of it: in a trace
      // of its own with no Flowcost row (a shadow workflow) or in a Flowcost workflow
      calls.add(call(w.id, "rc-" + i, "rs-" + i, t, response, false, received));
      String other = i % 2 == 0 ? "shadow-" + i
          : random.workflows.get(r.nextInt(random.workflows.size())).id;
      if (i % 2 == 0) {
        added.add(other);
        roots.add(root(other, "shadow-root-" + i, t.minusSeconds(1), "SHADOW-" + i));
        calls.add(call(other, "tool-" + i, "ts-" + i, t.plusSeconds(2), null, true, received));
      }
      // the other producer's report, maybe on the next day
      calls.add(call(other, "fc-" + i, "fs-" + i, t.plus(Duration.ofHours(r.nextInt(30))),
          response, true, received.plusSeconds(5)));
      // a response only another producer reported: it counts
      calls.add(call("foreign-only-" + i, "fo-" + i, "fos-" + i, t, "own-" + i, true, received));
      added.add("foreign-only-" + i);
      // a re-pricing of one of the workflow's calls
      RandomLake.Call priced = w.calls.get(w.calls.size() - 1);
      prices.add(Row.builder(LakeTables.CALL_PRICES)
          .set("span_id", priced.spanId()).set("workflow_id", w.id).set("price_version", 1L)
          .set("cost_usd", new BigDecimal("0.123456789")).set("unpriced", false)
          .set("start_time", priced.start()).set("repriced_at", received).build());
    }
    // a workflow of the first day with another producer's report (of its own response) on a
    // day whose Flowcost rows are another workflow's, of a later day still: a scope of the first
    // day reads that day's calls for the foreign row alone
    Instant far = RandomLake.FIRST.plus(Duration.ofDays(RandomLake.DAYS + 1)).plusSeconds(3600);
    roots.add(root("far-z", "far-z-root", RandomLake.FIRST.plusSeconds(43_200), "FAR-Z"));
    calls.add(call("far-z", "far-z-call", "far-z-span", far, "far-own", true, received));
    roots.add(root("far-y", "far-y-root", far.plus(Duration.ofDays(1)), "FAR-Y"));
    calls.add(call("far-y", "far-y-call", "far-y-span", far, "far-y-resp", false, received));
    added.addAll(List.of("far-z", "far-y"));
    LakeWriter writer = writer(lake);
    RandomLake.writeByDay(writer, LakeTables.WORKFLOW_SPANS, roots, "start_time");
    RandomLake.writeByDay(writer, LakeTables.CALLS, calls, "start_time");
    RandomLake.writeByDay(writer, LakeTables.OUTCOMES, outcomes, "reported_at");
    RandomLake.writeByDay(writer, LakeTables.CALL_PRICES, prices, "start_time");
    return added;
  }

  private static Row root(String workflowId, String spanId, Instant start, String key) {
    return Row.builder(LakeTables.WORKFLOW_SPANS)
        .set("workflow_id", workflowId).set("span_id", spanId).set("workflow_name", "extra")
        .set("service", "svc2").set("source", "api").set("start_time", start)
        .set("end_time", start.plusSeconds(1)).set("error", false)
        .set("tags", Map.of("team", "t-" + spanId.length())).set("external_key", key)
        .set("received_at", Instant.parse("2026-11-21T00:00:00Z")).build();
  }

  private static Row call(String workflowId, String callId, String spanId, Instant start,
      String responseId, boolean foreign, Instant received) {
    return Row.builder(LakeTables.CALLS)
        .set("workflow_id", workflowId).set("call_id", callId).set("span_id", spanId)
        .set("kind", responseId == null ? "tool" : "model").set("service", "svc")
        .set("attempt", 1).set("status", "ok").set("input_tokens", 7L).set("output_tokens", 3L)
        .set("tokens_estimated", false).set("cost_usd", new BigDecimal("0.000001234"))
        .set("unpriced", false).set("wasted", false).set("start_time", start)
        .set("end_time", start.plusMillis(2)).set("received_at", received)
        .set("response_id", responseId).set("foreign_span", foreign).build();
  }

  /**
   * Compacts the days before the lake's third day (seed 3 mod 4: those are read compacted, the
   * others raw) or every day of the calls (seed 1 mod 4).
   */
  private void compactSome(Path lake, long seed) throws Exception {
    Instant now = RandomLake.FIRST.plus(Duration.ofDays(seed % 4 == 1 ? RandomLake.DAYS + 2 : 2));
    Compactor compactor = new Compactor(new LocalDirectoryStore(lake),
        Files.createDirectories(tmp.resolve("scratch-" + seed)), "compact-t",
        Clock.fixed(now.plus(Duration.ofDays(1)), ZoneOffset.UTC));
    compactor.compactBefore(Compactor.tables(), LocalDate.ofInstant(now, ZoneOffset.UTC));
  }
}
