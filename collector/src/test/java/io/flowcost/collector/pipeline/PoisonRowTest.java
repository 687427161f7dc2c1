package io.flowcost.collector.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.flowcost.collector.ingest.CallRecord;
import io.flowcost.collector.ingest.IngestBatch;
import io.flowcost.collector.ingest.LakeRecord;
import io.flowcost.collector.ingest.OutcomeRecord;
import io.flowcost.collector.sink.CoverageCounters;
import io.flowcost.collector.sink.LakeFlusher;
import io.flowcost.collector.sink.Quarantine;
import io.flowcost.collector.wal.WriteAheadLog;
import io.flowcost.lake.LakeWriter;
import io.flowcost.collector.ForwardingLakeStore;
import io.flowcost.lake.store.LakeStore;
import io.flowcost.lake.store.LocalDirectoryStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * No poison input: rows the lake cannot store (here, instants whose microseconds overflow 64
 * bits, injected past the decoders that refuse them) are quarantined in the data dir, counted
 * in coverage and logged once, while the good rows land; flushes, shutdown and a restart work.
 */
class PoisonRowTest {

  private static final Instant POISON =
      OffsetDateTime.parse("-999999999-01-01T00:00:00Z").toInstant();

  @TempDir Path tmp;
  private final Clock clock = Clock.systemUTC();

  @Test
  void poisonedRowsAreQuarantinedWhileGoodSpansLandAndRestartsStayHealthy() throws Exception {
    Path data = tmp.resolve("data");
    Path lake = tmp.resolve("lake");
    IngestBatch good = PipelineDurabilityTest.batch(0, 20);
    CallRecord template = good.calls().get(0);
    // same table and day as the 20 good calls: it shares their file
    CallRecord poisonCall = new CallRecord(template.workflowId(), "00000000000000aa",
        "00000000000000aa", null, "model", "chat", "svc", "openai", "gpt-4o-mini", null, 1, "ok",
        null, null, null, false, null, null, null, null, true, false, null, null, null, null,
        template.startTime(), POISON, null, null, template.receivedAt());
    OutcomeRecord poisonOutcome = new OutcomeRecord("poison-1", null, "ticket-9", "success",
        null, null, null, POISON, true, clock.instant());
    OutcomeRecord goodOutcome = new OutcomeRecord("good-1", null, "ticket-9", "success", null,
        null, null, clock.instant(), true, clock.instant());

    Pipeline first = pipeline(data, lake);
    first.start();
    assertThat(first.acceptSpans(good).get(10, TimeUnit.SECONDS)).isEqualTo(20);
    IngestBatch poisoned = new IngestBatch(List.of(poisonCall), List.of(), 1,
        java.util.Map.of("svc", 1), java.util.Map.of(), java.util.Map.of());
    assertThat(first.acceptSpans(poisoned).get(10, TimeUnit.SECONDS)).isEqualTo(1);
    assertThat(first.acceptOutcomes(List.of(poisonOutcome, goodOutcome))
        .get(10, TimeUnit.SECONDS)).isEqualTo(2);
    // killed before any flush: the poison is in the write-ahead log, as after the reported bug

    List<String> warnings = new ArrayList<>();
    Handler capture = new Handler() {
      @Override
      public void publish(LogRecord r) {
        if (r.getMessage() != null && r.getMessage().startsWith("quarantined")) {
          warnings.add(r.getMessage());
        }
      }

      @Override
      public void flush() { }

      @Override
      public void close() { }
    };
    Logger log = Logger.getLogger(Pipeline.class.getName());
    log.addHandler(capture);
    try {
      Pipeline second = pipeline(data, lake);
      assertThat(second.start()).as("replayed rows, poison included").isEqualTo(23);
      second.flush(); // does not throw
      second.flush();
      second.close(); // SIGTERM's path: flushes and closes without an error
      assertThat(warnings).as("one warning per quarantined file, not per flush").hasSize(2);
      assertThat(warnings).allSatisfy(w -> assertThat(w).contains("quarantine"));
    } finally {
      log.removeHandler(capture);
    }

    assertThat(query(lake, "calls", "count(*)")).isEqualTo(20);
    assertThat(query(lake, "calls", "count(DISTINCT span_id)")).isEqualTo(20);
    assertThat(query(lake, "outcomes", "count(*)")).isEqualTo(1);
    assertThat(query(lake, "coverage", "sum(rows_quarantined)")).isEqualTo(2);
    assertThat(query(lake, "coverage",
        "sum(rows_quarantined) FILTER (WHERE service = 'outcome-api')")).isEqualTo(1);
    List<LakeRecord> quarantined = new Quarantine(data.resolve("quarantine")).readAll();
    assertThat(quarantined).containsExactlyInAnyOrder(poisonCall, poisonOutcome);

    // the log was trimmed: a third start replays nothing and is healthy
    Pipeline third = pipeline(data, lake);
    assertThat(third.start()).isZero();
    assertThat(third.acceptSpans(PipelineDurabilityTest.batch(20, 25)).get(10, TimeUnit.SECONDS))
        .isEqualTo(5);
    third.close();
    assertThat(query(lake, "calls", "count(*)")).isEqualTo(25);
    assertThat(new WriteAheadLog(data.resolve("wal")).replay()).isEmpty();
    System.out.println("poison rows: " + quarantined.size() + " quarantined, "
        + query(lake, "calls", "count(*)") + " good call rows and "
        + query(lake, "outcomes", "count(*)") + " good outcome in the lake, restart replayed 0");
  }

  @Test
  void aRestartAfterAPartlyFailedFlushDoesNotQuarantineTheSameRowTwice() throws Exception {
    Path data = tmp.resolve("data");
    Path lake = tmp.resolve("lake");
    Files.createDirectories(lake);
    LocalDirectoryStore real = new LocalDirectoryStore(lake);
    LakeStore callsDown = new ForwardingLakeStore("calls-down ", real) {
      @Override
      public void publish(String key, Path localFile) throws IOException {
        if (key.startsWith("calls/")) {
          throw new IOException("calls bucket unavailable");
        }
        real.publish(key, localFile);
      }
    };
    Pipeline first = new Pipeline(
        new Pipeline.Settings(Duration.ofHours(1), 1_000_000, 1_000_000, 100_000),
        new WriteAheadLog(data.resolve("wal")),
        new LakeFlusher(new LakeWriter(callsDown, "t"), "t", clock), c -> c,
        (ids, keys, days) -> { }, new CoverageCounters(), clock,
        new Pipeline.Durability(data, callsDown));
    first.start();
    first.acceptSpans(PipelineDurabilityTest.batch(0, 20)).get(10, TimeUnit.SECONDS);
    OutcomeRecord poison = new OutcomeRecord("poison-2", null, "ticket-9", "success", null,
        null, null, POISON, true, clock.instant());
    first.acceptOutcomes(List.of(poison)).get(10, TimeUnit.SECONDS);
    try {
      first.flush(); // the poison is quarantined, the calls file fails: the log is kept
    } catch (IOException expected) {
      // calls retried later
    }
    // killed here; restarted with the lake healthy
    Pipeline second = pipeline(data, lake);
    assertThat(second.start()).as("the 20 calls replayed, not the quarantined row").isEqualTo(20);
    second.close();
    assertThat(query(lake, "calls", "count(*)")).isEqualTo(20);
    assertThat(new Quarantine(data.resolve("quarantine")).readAll()).containsExactly(poison);
  }

  @Test
  void aStoreFailingWithAnUncheckedExceptionQuarantinesNothingAndTheRowsLandLater()
      throws Exception {
    Path data = tmp.resolve("data");
    Path lake = tmp.resolve("lake");
    Files.createDirectories(lake);
    LocalDirectoryStore real = new LocalDirectoryStore(lake);
    java.util.concurrent.atomic.AtomicInteger failuresLeft =
        new java.util.concurrent.atomic.AtomicInteger(2);
    // an SDK that throws unchecked exceptions on an outage: not the rows' fault
    LakeStore flaky = new ForwardingLakeStore("flaky ", real) {
      @Override
      public void publish(String key, Path localFile) throws IOException {
        if (failuresLeft.getAndDecrement() > 0) {
          throw new IllegalStateException("connection reset");
        }
        real.publish(key, localFile);
      }
    };
    Pipeline p = new Pipeline(
        new Pipeline.Settings(Duration.ofHours(1), 1_000_000, 1_000_000, 100_000),
        new WriteAheadLog(data.resolve("wal")),
        new LakeFlusher(new LakeWriter(flaky, "t"), "t", clock), c -> c,
        (ids, keys, days) -> { }, new CoverageCounters(), clock,
        new Pipeline.Durability(data, flaky));
    p.start();
    assertThat(p.acceptSpans(PipelineDurabilityTest.batch(0, 20)).get(10, TimeUnit.SECONDS))
        .isEqualTo(20);
    for (int i = 0; i < 2; i++) {
      try {
        p.flush();
      } catch (IllegalStateException expected) {
        // the outage, reported; the rows stay for the next flush
      }
    }
    p.close();
    assertThat(query(lake, "calls", "count(*)")).isEqualTo(20);
    assertThat(new Quarantine(data.resolve("quarantine")).readAll()).isEmpty();
    assertThat(Files.exists(data.resolve("quarantine"))).isFalse();
  }

  /**
   * A day no {@link java.time.LocalDate} can hold (before -999999999-01-01: {@link Instant#MIN}
   * is a year earlier) takes the flush's grouping path for such days: its rows are one group
   * per table, quarantined by the publish attempt like any other row the lake cannot store,
   * and nothing else is held back.
   */
  @Test
  void rowsOfADayNoDateCanHoldAreQuarantinedAndTheRestLands() throws Exception {
    Path data = tmp.resolve("data");
    Path lake = tmp.resolve("lake");
    OutcomeRecord beforeAnyDate = new OutcomeRecord("poison-3", null, "ticket-9", "success",
        null, null, null, Instant.MIN, true, clock.instant());
    OutcomeRecord alsoBefore = new OutcomeRecord("poison-4", null, "ticket-9", "failure",
        null, null, null, Instant.MIN.plusSeconds(86_400L * 100), true, clock.instant());
    OutcomeRecord good = new OutcomeRecord("good-3", null, "ticket-9", "success", null,
        null, null, clock.instant(), true, clock.instant());
    assertThat(java.time.temporal.ChronoField.EPOCH_DAY.range()
        .isValidValue(beforeAnyDate.partitionEpochDay())).as("the case under test").isFalse();

    Pipeline p = pipeline(data, lake);
    p.start();
    assertThat(p.acceptSpans(PipelineDurabilityTest.batch(0, 20)).get(10, TimeUnit.SECONDS))
        .isEqualTo(20);
    assertThat(p.acceptOutcomes(List.of(beforeAnyDate, good, alsoBefore))
        .get(10, TimeUnit.SECONDS)).isEqualTo(3);
    p.flush(); // does not throw
    p.close();

    assertThat(query(lake, "calls", "count(*)")).isEqualTo(20);
    assertThat(query(lake, "outcomes", "count(*)")).isEqualTo(1);
    assertThat(new Quarantine(data.resolve("quarantine")).readAll())
        .containsExactlyInAnyOrder(beforeAnyDate, alsoBefore);
    assertThat(new WriteAheadLog(data.resolve("wal")).replay()).as("nothing left to replay")
        .isEmpty();
  }

  private Pipeline pipeline(Path data, Path lake) throws IOException {
    Files.createDirectories(lake);
    LocalDirectoryStore store = new LocalDirectoryStore(lake);
    return new Pipeline(new Pipeline.Settings(Duration.ofHours(1), 1_000_000, 1_000_000, 100_000),
        new WriteAheadLog(data.resolve("wal")),
        new LakeFlusher(new LakeWriter(store, "t"), "t", clock), c -> c,
        (ids, keys, days) -> { }, new CoverageCounters(), clock,
        new Pipeline.Durability(data, store));
  }

  private static long query(Path lake, String table, String what) throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT " + what + " FROM read_parquet('" + lake + "/"
            + table + "/date=*/*.parquet', union_by_name = true)")) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
