package io.flowcost.collector.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.flowcost.collector.ingest.IngestBatch;
import io.flowcost.collector.ingest.LakeRecord;
import io.flowcost.collector.sink.CoverageCounters;
import io.flowcost.collector.sink.LakeFlusher;
import io.flowcost.collector.wal.RecordLog;
import io.flowcost.collector.wal.WriteAheadLog;
import io.flowcost.lake.LakeWriter;
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
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A 503 leaves no trace: a request whose write-ahead-log append failed is stored when the sender
 * retries it, exactly once, whether the failure is injected or a real full device.
 */
class WalFailureTest {

  @TempDir Path tmp;
  private final Clock clock = Clock.systemUTC();

  /** Fails the next appends: before writing anything, or after the frame reached the file. */
  private static final class FailingLog implements RecordLog {
    private final WriteAheadLog real;
    final AtomicInteger failuresLeft = new AtomicInteger();
    final AtomicInteger failed = new AtomicInteger();

    FailingLog(WriteAheadLog real) {
      this.real = real;
    }

    @Override
    public List<LakeRecord> replay() throws IOException {
      return real.replay();
    }

    @Override
    public void append(List<? extends LakeRecord> records, java.nio.ByteBuffer[] payload)
        throws IOException {
      if (failuresLeft.getAndDecrement() > 0) {
        int n = failed.incrementAndGet();
        if (n % 2 == 0) {
          real.append(records, payload); // on disk, but the caller hears of a failure
        }
        throw new IOException("injected write failure #" + n);
      }
      real.append(records, payload);
    }

    @Override
    public long rotate() throws IOException {
      return real.rotate();
    }

    @Override
    public void deleteUpTo(long segmentId) throws IOException {
      real.deleteUpTo(segmentId);
    }

    @Override
    public void close() throws IOException {
      real.close();
    }
  }

  @Test
  void everyAcknowledgedSpanIsStoredOnceWhenAppendsFailAndSendersRetry() throws Exception {
    Path data = tmp.resolve("data");
    Path lake = tmp.resolve("lake");
    FailingLog log = new FailingLog(new WriteAheadLog(data.resolve("wal")));
    Pipeline first = pipeline(data, lake, log);
    first.start();
    log.failuresLeft.set(30);

    // 100 senders of 10 spans each, all in flight at once (so failed groups mix several
    // requests), each retrying until acknowledged; sender 7 also sends its batch twice at once
    List<CompletableFuture<Integer>> senders = new ArrayList<>();
    for (int s = 0; s < 100; s++) {
      IngestBatch batch = PipelineDurabilityTest.batch(s * 10, s * 10 + 10);
      senders.add(CompletableFuture.supplyAsync(() -> sendWithRetries(first, batch)));
      if (s == 7) {
        senders.add(CompletableFuture.supplyAsync(() -> sendWithRetries(first, batch)));
      }
    }
    int storedByAcks = 0;
    for (CompletableFuture<Integer> f : senders) {
      storedByAcks += f.get(60, TimeUnit.SECONDS);
    }
    assertThat(log.failed.get()).as("appends that failed").isEqualTo(30);
    assertThat(storedByAcks).as("new spans acknowledged (duplicates answered 0)").isEqualTo(1000);

    // The process dies before any flush: a restart replays the log, which also holds the
    // frames whose append "failed" after writing, and must still store each span once.
    Pipeline second = pipeline(data, lake, new WriteAheadLog(data.resolve("wal")));
    second.start();
    second.close();
    assertThat(lakeCount(lake, "count(*)")).isEqualTo(1000);
    assertThat(lakeCount(lake, "count(DISTINCT span_id)")).isEqualTo(1000);
    System.out.println("injected wal failures: " + log.failed.get() + " failed appends (half"
        + " after writing), 1000 spans acknowledged after retries, killed before a flush,"
        + " restarted: " + lakeCount(lake, "count(*)") + " rows, "
        + lakeCount(lake, "count(DISTINCT span_id)") + " distinct");
  }

  @Test
  void aFullDeviceAnswersWithAFailureAndTheRetryIsStored() throws Exception {
    Path data = tmp.resolve("data");
    Path lake = tmp.resolve("lake");
    Path walDir = data.resolve("wal");
    Pipeline p = pipeline(data, lake, new WriteAheadLog(walDir));
    p.start();
    assertThat(p.acceptSpans(PipelineDurabilityTest.batch(0, 10)).get(10, TimeUnit.SECONDS))
        .isEqualTo(10);
    // The segment the next rotation opens is the kernel's always-full device: writes fail with
    // ENOSPC, for root too, exactly like a full disk.
    Path next = walDir.resolve(String.format("%020d.wal", 2));
    Files.createSymbolicLink(next, Path.of("/dev/full"));
    p.flush();

    IngestBatch batch = PipelineDurabilityTest.batch(10, 30);
    Throwable failure = null;
    try {
      p.acceptSpans(batch).get(10, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      failure = e.getCause();
    }
    assertThat(failure).as("the append to a full device fails").isInstanceOf(IOException.class)
        .hasMessageContaining("No space left");
    // the sender retries: the log moved past the failed segment, and nothing marks the spans
    assertThat(p.acceptSpans(batch).get(10, TimeUnit.SECONDS)).isEqualTo(20);
    assertThat(p.acceptSpans(batch).get(10, TimeUnit.SECONDS)).as("a second retry").isZero();
    p.close();
    assertThat(Files.exists(next, java.nio.file.LinkOption.NOFOLLOW_LINKS))
        .as("the failed segment is trimmed like any flushed one").isFalse();

    assertThat(lakeCount(lake, "count(*)")).isEqualTo(30);
    assertThat(lakeCount(lake, "count(DISTINCT span_id)")).isEqualTo(30);
    System.out.println("full device: first append failed (" + failure.getMessage()
        + "), retry stored 20, " + lakeCount(lake, "count(*)") + " rows, "
        + lakeCount(lake, "count(DISTINCT span_id)") + " distinct");
  }

  @Test
  void aLogDirectoryThatIsGoneRefusesRequestsUntilItIsBackAndLosesNothing() throws Exception {
    Path data = tmp.resolve("data");
    Path lake = tmp.resolve("lake");
    Path walDir = data.resolve("wal");
    Pipeline p = pipeline(data, lake, new WriteAheadLog(walDir));
    p.start();
    assertThat(p.acceptSpans(PipelineDurabilityTest.batch(0, 10)).get(10, TimeUnit.SECONDS))
        .isEqualTo(10);
    // An operator's mistake: the log directory is moved away and a file takes its path. No new
    // segment can be created there (for root too).
    Path moved = data.resolve("wal.moved");
    Files.move(walDir, moved);
    Files.writeString(walDir, "not a directory");
    Throwable flushFailure = null;
    try {
      p.flush(); // cannot start a new segment: the flush fails and keeps its rows
    } catch (IOException e) {
      flushFailure = e;
    }
    assertThat(flushFailure).as("a flush cannot rotate the log").isNotNull();
    IngestBatch batch = PipelineDurabilityTest.batch(10, 30);
    Throwable failure = null;
    try {
      p.acceptSpans(batch).get(10, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      failure = e.getCause();
    }
    assertThat(failure).as("no segment can be opened: 503").isInstanceOf(IOException.class);

    Files.delete(walDir);
    Files.move(moved, walDir);
    assertThat(p.acceptSpans(batch).get(10, TimeUnit.SECONDS)).as("the retry").isEqualTo(20);
    p.close();
    assertThat(lakeCount(lake, "count(*)")).isEqualTo(30);
    assertThat(lakeCount(lake, "count(DISTINCT span_id)")).isEqualTo(30);
    assertThat(new WriteAheadLog(walDir).replay()).as("the log is trimmed").isEmpty();
    System.out.println("log dir replaced by a file: flush failed (" + flushFailure.getClass()
        .getSimpleName() + "), request refused (" + failure.getClass().getSimpleName()
        + "), after repair the retry stored 20: " + lakeCount(lake, "count(*)") + " rows, "
        + lakeCount(lake, "count(DISTINCT span_id)") + " distinct");
  }

  /** Sends until acknowledged, as an agent does on 503; returns the count of new spans. */
  private static int sendWithRetries(Pipeline p, IngestBatch batch) {
    for (int attempt = 0; attempt < 100; attempt++) {
      try {
        return p.acceptSpans(batch).get(10, TimeUnit.SECONDS);
      } catch (ExecutionException e) {
        // 503: retry
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }
    throw new IllegalStateException("never acknowledged");
  }

  private Pipeline pipeline(Path data, Path lake, RecordLog wal) throws IOException {
    Files.createDirectories(lake);
    LocalDirectoryStore store = new LocalDirectoryStore(lake);
    return new Pipeline(new Pipeline.Settings(Duration.ofHours(1), 1_000_000, 1_000_000, 100_000),
        wal, new LakeFlusher(new LakeWriter(store, "t"), "t", clock), c -> c,
        (ids, keys, days) -> { }, new CoverageCounters(), clock,
        new Pipeline.Durability(data, store));
  }

  private static long lakeCount(Path lake, String what) throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT " + what + " FROM read_parquet('" + lake
            + "/calls/date=*/*.parquet')")) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
