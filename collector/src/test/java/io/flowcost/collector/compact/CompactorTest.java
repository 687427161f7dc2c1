package io.flowcost.collector.compact;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flowcost.collector.rollup.LakeViews;
import io.flowcost.collector.rollup.Rollup;
import io.flowcost.lake.LakeWriter;
import io.flowcost.lake.schema.LakeTables;
import io.flowcost.lake.schema.Row;
import io.flowcost.collector.ForwardingLakeStore;
import io.flowcost.lake.store.LakeStore;
import io.flowcost.lake.store.LocalDirectoryStore;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CompactorTest {

  private static final Instant NOW = Instant.parse("2026-11-25T12:00:00Z");
  private static final LocalDate TODAY = LocalDate.of(2026, 11, 25);
  private static final LocalDate D1 = LocalDate.of(2026, 11, 23);
  private static final LocalDate D2 = LocalDate.of(2026, 11, 24);
  private static final String WORKFLOW = "4bf92f3577b34da6a3ce929d0e0e4736";

  @TempDir Path tmp;
  private Path root;
  private LocalDirectoryStore store;
  private LakeWriter writer;
  private final Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);

  @BeforeEach
  void setUp() throws IOException {
    root = tmp.resolve("lake");
    store = new LocalDirectoryStore(root);
    writer = LakeWriter.builder(store, "c1").scratchDirectory(tmp).clock(clock).build();
  }

  private static Row call(int i, LocalDate day, Instant receivedAt) {
    return Row.builder(LakeTables.CALLS)
        .set("workflow_id", WORKFLOW)
        .set("call_id", String.format("%016x", i))
        .set("span_id", String.format("%016x", i))
        .set("kind", "model")
        .set("attempt", 1)
        .set("status", "ok")
        .set("input_tokens", 100L + i)
        .set("tokens_estimated", false)
        .set("cost_usd", new BigDecimal("0.00" + (i % 10) + "5"))
        .set("unpriced", false)
        .set("wasted", false)
        .set("start_time", day.atStartOfDay(ZoneOffset.UTC).toInstant().plusSeconds(i))
        .set("received_at", receivedAt)
        .build();
  }

  private static Row outcome(String id, LocalDate day, String value) {
    Instant at = day.atTime(9, 0).toInstant(ZoneOffset.UTC);
    return Row.builder(LakeTables.OUTCOMES)
        .set("outcome_id", id)
        .set("workflow_id", WORKFLOW)
        .set("status", "success")
        .set("value", new BigDecimal(value))
        .set("reported_at", at)
        .set("received_at", at)
        .build();
  }

  private static Row coverage(LocalDate day, long received, Instant at) {
    return Row.builder(LakeTables.COVERAGE)
        .set("day", day)
        .set("service", "svc")
        .set("collector_id", "c1")
        .set("spans_received", received)
        .set("recorded_at", at)
        .build();
  }

  /** Writes {@code files} files of {@code perFile} calls on {@code day}, ids from {@code first}. */
  private int writeCalls(LocalDate day, int first, int files, int perFile) throws IOException {
    int i = first;
    for (int f = 0; f < files; f++) {
      List<Row> rows = new ArrayList<>();
      for (int r = 0; r < perFile; r++, i++) {
        rows.add(call(i, day, NOW.minusSeconds(3600 - i)));
      }
      writer.write(LakeTables.CALLS, day, rows);
    }
    return i;
  }

  private Connection views() throws SQLException, IOException {
    Connection c = DriverManager.getConnection("jdbc:duckdb:");
    LakeViews.install(c, root, 7);
    return c;
  }

  private List<Object> query(String sql) throws SQLException, IOException {
    try (Connection c = views(); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(sql)) {
      List<Object> out = new ArrayList<>();
      int n = rs.getMetaData().getColumnCount();
      while (rs.next()) {
        List<Object> row = new ArrayList<>();
        for (int k = 1; k <= n; k++) {
          row.add(rs.getObject(k));
        }
        out.add(row);
      }
      return out;
    }
  }

  private static final String CALL_SUMMARY = "SELECT date, count(*), sum(cost_usd),"
      + " sum(input_tokens), min(span_id), max(span_id), count(DISTINCT span_id),"
      + " min(start_time), max(received_at) FROM calls GROUP BY date ORDER BY date";

  @Test
  void mergesAClosedDaysFilesIntoOneWithTheSameRowsThroughTheViews() throws Exception {
    int next = writeCalls(D1, 0, 6, 5);
    next = writeCalls(D2, next, 4, 3);
    // A write-ahead-log replay wrote one D1 row again, later: the views keep the first copy.
    writer.write(LakeTables.CALLS, D1, List.of(call(2, D1, NOW)));
    writeCalls(TODAY, next, 3, 2); // today is open: never compacted
    List<Object> before = query(CALL_SUMMARY);
    assertThat(store.list("calls/date=" + D1 + "/")).hasSize(7);

    Compactor compactor = new Compactor(store, tmp.resolve("scratch"), "compact-t", clock);
    assertThat(compactor.daysToCompact("calls", TODAY)).containsExactly(D1, D2);
    List<Compactor.Result> results = compactor.compactBefore(List.of("calls"), TODAY);

    assertThat(results).extracting(Compactor.Result::day).containsExactly(D1, D2);
    Compactor.Result r1 = results.get(0);
    assertThat(r1.filesMerged()).isEqualTo(7);
    assertThat(r1.rowsBefore()).isEqualTo(31);
    assertThat(r1.rowsAfter()).isEqualTo(30);
    assertThat(store.list("calls/date=" + D1 + "/")).containsExactly(r1.key());
    assertThat(store.list("calls/date=" + D2 + "/")).containsExactly(results.get(1).key());
    assertThat(store.list("calls/date=" + TODAY + "/")).hasSize(3);
    assertThat(query(CALL_SUMMARY)).isEqualTo(before);

    // The merged file keeps the lake's metadata and types, and dropped the later duplicate.
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
        Statement st = c.createStatement()) {
      String file = "'" + root.resolve(r1.key()) + "'";
      try (ResultSet rs = st.executeQuery("SELECT decode(value) FROM parquet_kv_metadata(" + file
          + ") WHERE decode(key) IN ('flowcost.table', 'flowcost.schema_version')"
          + " ORDER BY decode(key) DESC")) {
        rs.next();
        assertThat(rs.getString(1)).isEqualTo("calls");
        rs.next();
        assertThat(rs.getString(1))
            .isEqualTo(String.valueOf(io.flowcost.lake.schema.LakeTables.CALLS.schemaVersion()));
      }
      try (ResultSet rs = st.executeQuery("SELECT typeof(cost_usd), typeof(start_time),"
          + " typeof(attempt), max(received_at) < TIMESTAMPTZ '" + NOW + "' FROM read_parquet("
          + file + ") GROUP BY ALL")) {
        rs.next();
        assertThat(rs.getString(1)).isEqualTo("DECIMAL(18,9)");
        assertThat(rs.getString(2)).isEqualTo("TIMESTAMP WITH TIME ZONE");
        assertThat(rs.getString(3)).isEqualTo("INTEGER");
        assertThat(rs.getBoolean(4)).isTrue();
      }
      // The day is the directory's: the merged file must not carry a `date` column.
      try (ResultSet rs = st.executeQuery("SELECT count(*) FROM (DESCRIBE SELECT * FROM"
          + " read_parquet(" + file + ", hive_partitioning = false)) WHERE column_name = 'date'")) {
        rs.next();
        assertThat(rs.getLong(1)).isZero();
      }
      // Written with Parquet v2's delta encodings (the compacted lake's bytes per call row),
      // and marked de-duplicated, so the views read it without their window.
      try (ResultSet rs = st.executeQuery("SELECT count(*) FILTER (WHERE encodings LIKE"
          + " '%DELTA_BINARY_PACKED%'), count(*) FILTER (WHERE path_in_schema = 'span_id'"
          + " AND encodings LIKE '%DELTA_LENGTH_BYTE_ARRAY%') FROM parquet_metadata(" + file
          + ")")) {
        rs.next();
        assertThat(rs.getLong(1)).as("delta-encoded columns").isPositive();
        assertThat(rs.getLong(2)).as("span_id delta-length encoded").isPositive();
      }
      try (ResultSet rs = st.executeQuery("SELECT decode(value) FROM parquet_kv_metadata(" + file
          + ") WHERE decode(key) = 'flowcost.compacted_files'")) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getString(1)).isEqualTo("7");
      }
    }

    // A second run has nothing left to do.
    assertThat(compactor.compactBefore(List.of("calls"), TODAY)).isEmpty();
  }

  @Test
  void refusesOpenDaysAndUnknownTables() throws Exception {
    writeCalls(TODAY, 0, 2, 1);
    Compactor compactor = new Compactor(store, tmp, "compact-t", clock);
    assertThatThrownBy(() -> compactor.compact("calls", TODAY))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not closed");
    assertThatThrownBy(() -> compactor.compactBefore(Compactor.tables(), TODAY.plusDays(1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("after today");
    assertThatThrownBy(() -> compactor.compact("workflows", D1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("calls");
    assertThat(compactor.compact("calls", D1)).isEmpty(); // no files at all
    assertThat(store.list("calls/")).hasSize(2);
  }

  @Test
  void outcomesDeduplicateAndCoverageUnions() throws Exception {
    writer.write(LakeTables.OUTCOMES, D1, List.of(outcome("o1", D1, "1"), outcome("o2", D1, "2")));
    writer.write(LakeTables.OUTCOMES, D1, List.of(outcome("o2", D1, "2"), outcome("o3", D1, "3")));
    // Two identical increments are two increments: coverage is never de-duplicated.
    Instant at = D1.atTime(10, 0).toInstant(ZoneOffset.UTC);
    writer.write(LakeTables.COVERAGE, D1, List.of(coverage(D1, 5, at)));
    writer.write(LakeTables.COVERAGE, D1, List.of(coverage(D1, 5, at), coverage(D1, 7, at)));
    Object outcomesBefore = query("SELECT count(*), sum(value) FROM outcomes");
    Object coverageBefore = query("SELECT count(*), sum(spans_received) FROM coverage_counters");

    List<Compactor.Result> results = new Compactor(store, tmp, "compact-t", clock)
        .compactBefore(Compactor.tables(), TODAY);

    assertThat(results).extracting(Compactor.Result::table, Compactor.Result::rowsBefore,
            Compactor.Result::rowsAfter)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("outcomes", 4L, 3L),
            org.assertj.core.groups.Tuple.tuple("coverage", 3L, 3L));
    assertThat(query("SELECT count(*), sum(value) FROM outcomes")).isEqualTo(outcomesBefore);
    assertThat(query("SELECT count(*), sum(spans_received) FROM coverage_counters"))
        .isEqualTo(coverageBefore);
    assertThat(store.list("outcomes/")).hasSize(1);
    assertThat(store.list("coverage/")).hasSize(1);
  }

  @Test
  void aConcurrentReaderOfTheViewsAlwaysSeesTheTruth() throws Exception {
    int truth = 0;
    for (LocalDate day = D1.minusDays(3); day.isBefore(TODAY); day = day.plusDays(1)) {
      truth = writeCalls(day, truth, 6, 4);
    }
    final long expected = truth;
    AtomicBoolean done = new AtomicBoolean();
    AtomicInteger reads = new AtomicInteger();
    AtomicInteger wrong = new AtomicInteger();
    AtomicLong maxRaw = new AtomicLong();
    // Deletes hold the window between publish and the last delete open until the reader has
    // seen it (bounded), so the test does not depend on how fast this machine schedules the
    // reader: on a loaded machine a fixed sleep could close the window before a read.
    LakeStore slowDeletes = new Delegating(store) {
      @Override
      public void delete(String key) throws IOException {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(20);
        while (maxRaw.get() <= expected && System.nanoTime() < deadline) {
          sleep(5);
        }
        sleep(15);
        super.delete(key);
      }
    };
    String raw = "read_parquet('" + root + "/calls/date=*/*.parquet')";
    CompletableFuture<Void> reader = CompletableFuture.runAsync(() -> {
      while (!done.get()) {
        try (Connection c = views(); Statement st = c.createStatement();
            ResultSet rs = st.executeQuery(
                "SELECT (SELECT count(*) FROM calls), (SELECT count(*) FROM " + raw + ")")) {
          rs.next();
          if (rs.getLong(1) != expected) {
            wrong.incrementAndGet();
          }
          maxRaw.accumulateAndGet(rs.getLong(2), Math::max);
          reads.incrementAndGet();
        } catch (SQLException | IOException e) {
          // A file listed by the glob was deleted before it was read: the query fails, and a
          // retry sees the new state. A wrong count is what must never happen.
        }
      }
    });
    try {
      List<Compactor.Result> results = new Compactor(slowDeletes, tmp, "compact-t", clock)
          .compactBefore(List.of("calls"), TODAY);
      assertThat(results).hasSize(5);
    } finally {
      done.set(true);
    }
    reader.join();
    assertThat(reads.get()).isPositive();
    assertThat(wrong.get()).isZero();
    // The raw glob did see the transient duplicates, so the reader really ran inside the window.
    assertThat(maxRaw.get()).isGreaterThan(expected);
    assertThat(query("SELECT count(*) FROM calls")).containsExactly(List.of(expected));
    assertThat(store.list("calls/")).hasSize(5);
  }

  @Test
  void worksOnARemoteStoreAndRollupReadsItThroughAMirror() throws Exception {
    writeCalls(D1, 0, 3, 2);
    Row span = Row.builder(LakeTables.WORKFLOW_SPANS)
        .set("workflow_id", WORKFLOW)
        .set("span_id", "aaaaaaaaaaaaaaaa")
        .set("workflow_name", "triage")
        .set("source", "api")
        .set("start_time", D1.atStartOfDay(ZoneOffset.UTC).toInstant())
        .set("error", false)
        .build();
    writer.write(LakeTables.WORKFLOW_SPANS, D1, List.of(span));
    // Not a LocalDirectoryStore: compaction downloads, rollup mirrors.
    LakeStore remote = new Delegating(store);

    Optional<Compactor.Result> result =
        new Compactor(remote, tmp.resolve("scratch"), "compact-t", clock).compact("calls", D1);
    assertThat(result).get().extracting(Compactor.Result::rowsAfter).isEqualTo(6L);
    assertThat(store.list("calls/")).hasSize(1);

    Path mirror = tmp.resolve("mirror");
    Rollup rollup = new Rollup(mirror, remote, "r1", 7, clock);
    Rollup.Result rolled = rollup.rollupAll();
    assertThat(rolled.workflows()).isEqualTo(1);
    assertThat(mirror.resolve(result.get().key())).exists();
    // The snapshot went to the lake, and the next read mirrors it too.
    assertThat(store.list("workflows/")).hasSize(1);
    try (Connection c = rollup.open(); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT count(*) FROM calls")) {
      rs.next();
      assertThat(rs.getLong(1)).isEqualTo(6);
    }
    try (var files = Files.walk(mirror.resolve("workflows"))) {
      assertThat(files.filter(p -> p.toString().endsWith(".parquet")).count()).isEqualTo(1);
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Forwards to a store without being a {@link LocalDirectoryStore}, as a remote store is not. */
  private static class Delegating extends ForwardingLakeStore {
    Delegating(LakeStore delegate) {
      super("remote:", delegate);
    }
  }
}
