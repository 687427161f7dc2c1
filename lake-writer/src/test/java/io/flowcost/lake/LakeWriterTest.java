package io.flowcost.lake;

import static io.flowcost.lake.testing.DuckDb.literal;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flowcost.lake.schema.LakeTables;
import io.flowcost.lake.schema.Row;
import io.flowcost.lake.schema.TableSchema;
import io.flowcost.lake.store.LakeStore;
import io.flowcost.lake.store.LocalDirectoryStore;
import io.flowcost.lake.store.StoredFile;
import io.flowcost.lake.testing.DuckDb;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LakeWriterTest {

  @TempDir Path tmp;
  private Path root;
  private LocalDirectoryStore store;
  private Path scratch;

  @BeforeEach
  void setUp() throws Exception {
    root = tmp.resolve("lake");
    store = new LocalDirectoryStore(root);
    scratch = Files.createDirectories(tmp.resolve("scratch"));
  }

  private static Row outcome(String id, Instant reportedAt, String value) {
    return Row.builder(LakeTables.OUTCOMES)
        .set("outcome_id", id)
        .set("status", "success")
        .set("value", value == null ? null : new BigDecimal(value))
        .set("reported_at", reportedAt)
        .build();
  }

  private static Row call(String spanId, Instant start, String cost) {
    return Row.builder(LakeTables.CALLS)
        .set("workflow_id", "4bf92f3577b34da6a3ce929d0e0e4736")
        .set("call_id", "00f067aa0ba902b7")
        .set("span_id", spanId)
        .set("kind", "model")
        .set("attempt", 1)
        .set("status", "ok")
        .set("input_tokens", 1200L)
        .set("tokens_estimated", false)
        .set("cost_usd", new BigDecimal(cost))
        .set("unpriced", false)
        .set("wasted", false)
        .set("start_time", start)
        .build();
  }

  private long scratchFiles() throws IOException {
    try (Stream<Path> s = Files.list(scratch)) {
      return s.count();
    }
  }

  @Test
  void writesOneFilePerBatchUnderTheHivePartition() throws Exception {
    LakeWriter writer = LakeWriter.builder(store, "collector-1").scratchDirectory(scratch).build();
    Instant t = Instant.parse("2026-11-24T10:15:30.000001Z");

    String key = writer.write(LakeTables.CALLS, LocalDate.of(2026, 11, 24),
        List.of(call("a1", t, "0.000000001"), call("a2", t.plusSeconds(1), "123456789.123456789")));

    assertThat(key).matches("calls/date=2026-11-24/\\d{13}-collector-1-000001\\.parquet");
    assertThat(store.list("calls/")).containsExactly(key);
    assertThat(scratchFiles()).isZero();
    try (DuckDb duck = new DuckDb()) {
      List<Map<String, Object>> rows = duck.query(
          "SELECT span_id, cost_usd, epoch_us(start_time) AS us, date, typeof(date) AS date_type"
              + " FROM read_parquet(" + literal(root.resolve("calls/*/*.parquet"))
              + ", hive_partitioning = true) ORDER BY span_id");
      assertThat(rows).extracting(r -> r.get("span_id")).containsExactly("a1", "a2");
      assertThat(rows).extracting(r -> r.get("cost_usd"))
          .containsExactly(new BigDecimal("0.000000001"), new BigDecimal("123456789.123456789"));
      assertThat(rows.get(0).get("us")).isEqualTo(t.getEpochSecond() * 1_000_000L + 1);
      assertThat(rows.get(0).get("date").toString()).isEqualTo("2026-11-24");
      assertThat(rows.get(0).get("date_type")).isEqualTo("DATE");
    }
  }

  @Test
  void writePartitionedGroupsRowsByUtcDay() throws Exception {
    LakeWriter writer = LakeWriter.builder(store, "c1").scratchDirectory(scratch).build();
    List<Row> rows = List.of(
        outcome("o1", Instant.parse("2026-11-24T23:59:59.999999Z"), "1"),
        outcome("o2", Instant.parse("2026-11-25T00:00:00Z"), null),
        outcome("o3", Instant.parse("2026-11-23T12:00:00Z"), "3.5"),
        outcome("o4", Instant.parse("2026-11-25T08:00:00Z"), "4"));

    List<String> keys = writer.writePartitioned(LakeTables.OUTCOMES, rows);

    assertThat(keys).hasSize(3);
    assertThat(keys.get(0)).startsWith("outcomes/date=2026-11-23/");
    assertThat(keys.get(1)).startsWith("outcomes/date=2026-11-24/");
    assertThat(keys.get(2)).startsWith("outcomes/date=2026-11-25/");
    try (DuckDb duck = new DuckDb()) {
      List<Map<String, Object>> back = duck.query(
          "SELECT outcome_id, date::VARCHAR AS d, value FROM read_parquet("
              + literal(root.resolve("outcomes/*/*.parquet"))
              + ", hive_partitioning = true) ORDER BY outcome_id");
      assertThat(back).extracting(r -> r.get("outcome_id") + "@" + r.get("d"))
          .containsExactly("o1@2026-11-24", "o2@2026-11-25", "o3@2026-11-23", "o4@2026-11-25");
      assertThat(back.get(1).get("value")).isNull();
      // Partition pruning works on the directory column.
      assertThat(duck.scalar("SELECT count(*) FROM read_parquet("
              + literal(root.resolve("outcomes/*/*.parquet"))
              + ", hive_partitioning = true) WHERE date = DATE '2026-11-25'"))
          .isEqualTo(2L);
    }

    // An explicit day function overrides the schema's partition column.
    List<String> byHand = writer.writePartitioned(
        LakeTables.OUTCOMES, rows, r -> LocalDate.of(2000, 1, 1));
    assertThat(byHand).singleElement().asString().startsWith("outcomes/date=2000-01-01/");
    assertThat(writer.writePartitioned(LakeTables.OUTCOMES, List.of())).isEmpty();
  }

  @Test
  void coverageRowsRoundTrip() throws Exception {
    LakeWriter writer = LakeWriter.builder(store, "c1").scratchDirectory(scratch).build();
    Row row = Row.builder(LakeTables.COVERAGE)
        .set("day", LocalDate.of(2026, 11, 24))
        .set("service", "checkout")
        .set("collector_id", "c1")
        .set("spans_received", 10L)
        .set("agent_dropped_spans", 2L)
        .set("recorded_at", Instant.parse("2026-11-24T21:00:00Z"))
        .build();

    List<String> keys = writer.writePartitioned(LakeTables.COVERAGE, List.of(row));

    assertThat(keys).singleElement().asString().startsWith("coverage/date=2026-11-24/");
    try (DuckDb duck = new DuckDb()) {
      Map<String, Object> back = duck.query("SELECT day::VARCHAR AS day, spans_received,"
          + " spans_rejected, agent_dropped_spans FROM read_parquet("
          + literal(root.resolve(keys.get(0))) + ")").get(0);
      assertThat(back).containsEntry("day", "2026-11-24").containsEntry("spans_received", 10L)
          .containsEntry("agent_dropped_spans", 2L);
      assertThat(back.get("spans_rejected")).isNull();
    }
  }

  @Test
  void namesAreUniqueAndIncreasingEvenWhenTheClockStepsBack() throws Exception {
    AtomicLong now = new AtomicLong(1_764_000_000_500L);
    Clock clock = new Clock() {
      @Override public ZoneOffset getZone() {
        return ZoneOffset.UTC;
      }

      @Override public Clock withZone(java.time.ZoneId zone) {
        throw new UnsupportedOperationException();
      }

      @Override public Instant instant() {
        return Instant.ofEpochMilli(now.get());
      }
    };
    LakeWriter writer =
        LakeWriter.builder(store, "c1").scratchDirectory(scratch).clock(clock).build();
    List<Row> batch = List.of(outcome("o", Instant.parse("2026-11-24T00:00:00Z"), "1"));
    LocalDate day = LocalDate.of(2026, 11, 24);

    String first = writer.write(LakeTables.OUTCOMES, day, batch);
    now.addAndGet(-400); // NTP step backwards
    String second = writer.write(LakeTables.OUTCOMES, day, batch);
    now.addAndGet(1000);
    String third = writer.write(LakeTables.OUTCOMES, day, batch);

    assertThat(first).endsWith("/1764000000500-c1-000001.parquet");
    assertThat(second).endsWith("/1764000000500-c1-000002.parquet");
    assertThat(third).endsWith("/1764000001100-c1-000003.parquet");
    assertThat(List.of(first, second, third)).isSorted();
  }

  @Test
  void concurrentWritersWithDifferentInstanceIdsNeverCollide() throws Exception {
    // Same millisecond for everyone: only the instance id and sequence can tell names apart.
    Clock frozen = Clock.fixed(Instant.parse("2026-11-24T12:00:00Z"), ZoneOffset.UTC);
    LakeWriter a = LakeWriter.builder(store, "a").scratchDirectory(scratch).clock(frozen).build();
    LakeWriter b = LakeWriter.builder(store, "b").scratchDirectory(scratch).clock(frozen).build();
    LocalDate day = LocalDate.of(2026, 11, 24);
    ExecutorService pool = Executors.newFixedThreadPool(4);
    List<Future<String>> futures = new ArrayList<>();
    try {
      for (int i = 0; i < 40; i++) {
        LakeWriter w = i % 2 == 0 ? a : b;
        String id = "o" + i;
        Callable<String> task = () -> w.write(
            LakeTables.OUTCOMES, day, List.of(outcome(id, Instant.parse("2026-11-24T01:00:00Z"), "1")));
        futures.add(pool.submit(task));
      }
      Set<String> keys = new HashSet<>();
      for (Future<String> f : futures) {
        keys.add(f.get());
      }
      assertThat(keys).hasSize(40);
    } finally {
      pool.shutdownNow();
    }

    assertThat(store.list("outcomes/")).hasSize(40);
    assertThat(scratchFiles()).isZero();
    try (DuckDb duck = new DuckDb()) {
      assertThat(duck.scalar("SELECT count(DISTINCT outcome_id) FROM read_parquet("
              + literal(root.resolve("outcomes/*/*.parquet")) + ")"))
          .isEqualTo(40L);
    }
  }

  @Test
  void aFailedWriteLeavesNoVisibleFile() throws Exception {
    LakeWriter writer = LakeWriter.builder(store, "c1").scratchDirectory(scratch).build();
    LocalDate day = LocalDate.of(2026, 11, 24);
    Row good = outcome("o1", Instant.parse("2026-11-24T00:00:00Z"), "1");
    Row wrongTable = call("s1", Instant.parse("2026-11-24T00:00:00Z"), "1");

    assertThatThrownBy(() -> writer.write(LakeTables.OUTCOMES, day, List.of(good, wrongTable)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("calls");
    assertThatThrownBy(() -> writer.write(LakeTables.OUTCOMES, day, List.of()))
        .isInstanceOf(IllegalArgumentException.class);

    // The store fails after the file was encoded: nothing published, scratch cleaned.
    LakeStore failing = new LakeStore() {
      @Override public void publish(String key, Path localFile) throws IOException {
        assertThat(localFile).exists().isNotEmptyFile();
        throw new IOException("disk full");
      }

      @Override public List<StoredFile> listFiles(String prefix) throws IOException {
        return store.listFiles(prefix);
      }

      @Override public void delete(String key) throws IOException {
        store.delete(key);
      }

      @Override public InputStream open(String key) throws IOException {
        return store.open(key);
      }

      @Override public void download(String key, Path target) throws IOException {
        store.download(key, target);
      }

      @Override public String describe() {
        return "failing";
      }
    };
    LakeWriter failingWriter =
        LakeWriter.builder(failing, "c2").scratchDirectory(scratch).build();
    assertThatThrownBy(() -> failingWriter.write(LakeTables.OUTCOMES, day, List.of(good)))
        .isInstanceOf(IOException.class)
        .hasMessage("disk full");

    assertThat(store.list("")).isEmpty();
    assertThat(scratchFiles()).isZero();
    try (Stream<Path> staged = Files.list(root.resolve(LocalDirectoryStore.STAGING_DIR))) {
      assertThat(staged).isEmpty();
    }
  }

  @Test
  void rejectsInstanceIdsThatWouldBreakTheNameScheme() {
    for (String bad : new String[] {"", "a/b", "has space", "-lead", "x".repeat(65)}) {
      assertThatThrownBy(() -> new LakeWriter(store, bad)).as(bad)
          .isInstanceOf(IllegalArgumentException.class);
    }
    assertThat(new LakeWriter(store, "host-1_pod.2").instanceId()).isEqualTo("host-1_pod.2");
  }

  @Test
  void tablesWithoutPartitionColumnNeedADayFunction() {
    TableSchema plain = TableSchema.builder("plain", 1)
        .required("id", io.flowcost.lake.schema.ColumnType.STRING).build();
    LakeWriter writer = new LakeWriter(store, "c1");
    assertThatThrownBy(() -> writer.writePartitioned(plain, List.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("plain");
  }
}
