package io.flowcost.agent.export;

import static io.flowcost.agent.export.SpoolTest.body;
import static io.flowcost.agent.export.SpoolTest.marker;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpanShipperTest {

  private static final String SERVICE = "svc";

  @TempDir Path root;
  private final FakeCollector collector;
  private final Set<String> senderThreads = ConcurrentHashMap.newKeySet();
  private final List<SpanShipper> shippers = new ArrayList<>();

  SpanShipperTest() throws IOException {
    collector = new FakeCollector();
  }

  @AfterEach
  void stop() {
    shippers.forEach(s -> s.shutdown(100));
    collector.close();
  }

  @Test
  void whileTheCollectorIsDownBatchesAreSpooledOffThreadAndAllArriveInOrderAfterwards()
      throws Exception {
    SpanShipper shipper = shipper(8 * 1024, 1 << 20);
    String appThread = Thread.currentThread().getName();
    for (int i = 0; i < 200; i++) {
      shipper.enqueue(body(String.format("b-%04d", i), 1_000), 4);
    }
    await(() -> shipper.spool().size() == 200, "everything spooled while the collector is down");
    assertThat(shipper.maxMemoryBytes.get()).as("memory stayed within its bound")
        .isLessThanOrEqualTo(8 * 1024 + 1_000);
    assertThat(shipper.failedAttempts.get()).isPositive();

    collector.start();
    await(() -> collector.received.size() == 200, "every batch delivered after recovery");
    List<String> markers = collector.received.stream().map(r -> marker(r.body())).toList();
    assertThat(markers).isSorted().doesNotHaveDuplicates().hasSize(200);
    assertThat(shipper.sentSpans.get()).isEqualTo(800);
    assertThat(senderThreads).containsExactly("flowcost-export").doesNotContain(appThread);
    assertThat(shipper.spool().isEmpty()).isTrue();
  }

  @Test
  void aRetryAfterFromTheCollectorIsHonoured() throws Exception {
    collector.thenAnswer(503, 1).start();
    SpanShipper shipper = shipper(1 << 20, 1 << 20);
    shipper.enqueue(body("only", 100), 1);
    await(() -> collector.received.size() == 1, "delivered after the pause");
    assertThat(collector.requests.get()).isEqualTo(2);
    long firstAttempt = collector.received.get(0).nanoTime();
    // the 503 came first; the retry must not come before the second it asked for
    assertThat(shipper.failedAttempts.get()).isEqualTo(1);
    assertThat(Duration.ofNanos(firstAttempt - started).toMillis()).isGreaterThanOrEqualTo(950);
  }

  @Test
  void aBatchTheCollectorRefusesForGoodIsDroppedAndCountedAndTheNextOneStillGoes()
      throws Exception {
    collector.thenAnswer(400, -1).start();
    SpanShipper shipper = shipper(1 << 20, 1 << 20);
    shipper.enqueue(body("bad", 100), 3);
    shipper.enqueue(body("good", 100), 2);
    await(() -> collector.received.size() == 1, "the good batch delivered");
    assertThat(marker(collector.received.get(0).body())).isEqualTo("good");
    assertThat(shipper.rejectedSpans.get()).isEqualTo(3);
    // a batch counts as sent once its acknowledgement is back, which can be after the collector
    // above recorded it: wait for the count rather than read it once (failed once at load 28)
    await(() -> shipper.sentSpans.get() == 2, "the good batch counted as sent");
    assertThat(shipper.sentSpans.get()).isEqualTo(2);
  }

  @Test
  void spansDroppedToKeepTheSpoolBoundAreReportedToTheCollectorOnceItIsBack() throws Exception {
    SpanShipper shipper = shipper(1_000, 3_500);
    for (int i = 0; i < 20; i++) {
      shipper.enqueue(body(String.format("b-%02d", i), 1_000), 5);
    }
    await(() -> shipper.spool().droppedSpans() == 17 * 5 && shipper.spool().size() == 3,
        "oldest dropped to keep 3 of 20 batches");
    collector.start();
    await(() -> collector.received.size() == 4, "3 batches and the drop report");
    byte[] report = DroppedSpansReport.encode(SERVICE, 85);
    List<byte[]> bodies = collector.received.stream().map(FakeCollector.Received::body).toList();
    // the report goes out right after the first acknowledged batch
    assertThat(bodies).filteredOn(b -> java.util.Arrays.equals(b, report)).hasSize(1);
    assertThat(bodies.stream().filter(b -> !java.util.Arrays.equals(b, report))
        .map(SpoolTest::marker)).containsExactly("b-17", "b-18", "b-19");
    await(() -> shipper.spool().droppedSpans() == 0, "the report acknowledged");
    // the shipper counts a batch as sent once its acknowledgement is back, which can be after
    // the collector above recorded it: wait for the count rather than read it once
    await(() -> shipper.sentSpans.get() == 3 * 5, "the 3 kept batches counted as sent");
    assertThat(shipper.sentSpans.get() + 85).isEqualTo(20 * 5);
  }

  @Test
  void spansTheQueueDroppedAreReportedToTheCollectorWithTheSpoolsOwnDrops() throws Exception {
    SpanShipper shipper = shipper(1 << 20, 1 << 20);
    shipper.spansDropped(7); // as SpanBatcher does for a full queue
    assertThat(shipper.spool().droppedSpans()).as("kept on disk until reported").isEqualTo(7);
    collector.start();
    shipper.enqueue(body("after", 100), 2);
    await(() -> collector.received.size() == 2, "the batch and the drop report");
    byte[] report = DroppedSpansReport.encode(SERVICE, 7);
    assertThat(collector.received.get(1).body()).isEqualTo(report);
    await(() -> shipper.spool().droppedSpans() == 0, "the report acknowledged");
  }

  @Test
  void atShutdownWithTheCollectorDownPendingBatchesAreSpooledForTheNextProcess()
      throws Exception {
    SpanShipper first = shipper(1 << 20, 1 << 20);
    for (int i = 0; i < 5; i++) {
      first.enqueue(body("p-" + i, 500), 1);
    }
    long t0 = System.nanoTime();
    assertThat(first.shutdown(2_000)).isFalse();
    assertThat(Duration.ofNanos(System.nanoTime() - t0).toMillis())
        .as("does not wait past its deadline").isLessThan(4_000);

    collector.start();
    SpanShipper second = shipper(1 << 20, 1 << 20);
    assertThat(second.spool().adoptedFolders()).isEqualTo(1);
    await(() -> collector.received.size() == 5, "the next process sent the left spool");
    assertThat(collector.received.stream().map(r -> marker(r.body())))
        .containsExactly("p-0", "p-1", "p-2", "p-3", "p-4");
  }

  @Test
  void atShutdownWithTheCollectorUpPendingBatchesAreSent() throws Exception {
    collector.start();
    SpanShipper shipper = shipper(1 << 20, 1 << 20);
    for (int i = 0; i < 50; i++) {
      shipper.enqueue(body("s-" + i, 500), 1);
    }
    assertThat(shipper.shutdown(5_000)).isTrue();
    assertThat(collector.received).hasSize(50);
  }

  @Test
  void pooledBuffersArriveIntactAndAreReusedOnceSentOrSpooled() throws Exception {
    SpanShipper shipper = shipper(1 << 20, 1 << 20);
    RequestBuffer.Pool pool = new RequestBuffer.Pool();
    // the collector down: the first batch is spooled after its failed attempt; from then on each
    // batch is spooled as it is queued, and its buffer is free again at once
    shipper.enqueue(pooled(pool, "d-000", 700), 1);
    await(() -> shipper.spool().size() == 1, "the first batch spooled after its failed attempt");
    for (int i = 1; i < 40; i++) {
      shipper.enqueue(pooled(pool, String.format("d-%03d", i), 700 + i), 1);
    }
    assertThat(shipper.spool().size()).isEqualTo(40);
    assertThat(pool.created()).as("the batches spooled at once took turns in one buffer")
        .isLessThanOrEqualTo(2);

    collector.start();
    await(() -> collector.received.size() == 40, "the spooled batches delivered");
    // one at a time from memory: each buffer is given back once its batch was sent
    long created = pool.created();
    for (int i = 40; i < 60; i++) {
      shipper.enqueue(pooled(pool, String.format("u-%03d", i), 700 + i), 1);
      int sent = i + 1;
      await(() -> collector.received.size() == sent
          && pool.idle() == Math.min(pool.created(), RequestBuffer.Pool.MAX_IDLE),
          "batch " + i + " sent and its buffer given back");
    }
    assertThat(pool.created()).as("sent batches' buffers reused").isLessThanOrEqualTo(created + 1);
    // a burst: batches wait in memory, each in a buffer of its own until sent
    for (int i = 60; i < 120; i++) {
      shipper.enqueue(pooled(pool, String.format("u-%03d", i), 700 + i), 1);
    }
    await(() -> collector.received.size() == 120, "every batch delivered");
    await(() -> pool.idle() == Math.min(pool.created(), RequestBuffer.Pool.MAX_IDLE),
        "every buffer given back");

    // every request arrived with its own bytes: no buffer was written while still queued
    for (int i = 0; i < 120; i++) {
      FakeCollector.Received r = collector.received.get(i);
      String expected = String.format(i < 40 ? "d-%03d" : "u-%03d", i);
      assertThat(marker(r.body())).isEqualTo(expected);
      assertThat(r.body()).hasSize(700 + i).isEqualTo(body(expected, 700 + i));
    }
  }

  /** {@code body(marker, size)} encoded into a buffer of {@code pool}. */
  static RequestBuffer pooled(RequestBuffer.Pool pool, String marker, int size)
      throws IOException {
    RequestBuffer buffer = pool.take();
    buffer.start(size).write(body(marker, size));
    return buffer;
  }

  private long started;

  private SpanShipper shipper(long memoryBytes, long spoolBytes) throws IOException {
    Transport http = new HttpTransport(collector.endpoint(), null);
    Transport recording = (body, offset, length) -> {
      senderThreads.add(Thread.currentThread().getName());
      return http.post(body, offset, length);
    };
    started = System.nanoTime();
    SpanShipper s = new SpanShipper(recording, Spool.open(root, spoolBytes), memoryBytes, SERVICE)
        .start();
    shippers.add(s);
    return s;
  }

  static void await(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting until " + what);
      }
      Thread.sleep(20);
    }
  }
}
