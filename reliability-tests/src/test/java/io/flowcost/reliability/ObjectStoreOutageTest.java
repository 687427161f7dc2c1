package io.flowcost.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.flowcost.lake.store.LakeLocation;
import io.flowcost.lake.store.S3Store;
import io.flowcost.lake.store.StoredFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The lake on MinIO, MinIO down for a while under load, then back: the collector keeps what it
 * acknowledged in its log and buffer, pushes back with 503 once its buffer is full, and after
 * the outage every span sent is in the lake exactly once.
 */
class ObjectStoreOutageTest {

  private static final int SPANS_PER_REQUEST = 100;

  @TempDir Path tmp;

  @Test
  @Timeout(value = 4, unit = TimeUnit.MINUTES)
  void nothingIsLostWhileTheObjectStoreIsDown() throws Exception {
    String lake = "s3://lake/flowcost";
    int port = CollectorProcess.freePort();
    try (MinioProcess minio = new MinioProcess(tmp.resolve("minio")).start();
        CollectorProcess collector = CollectorProcess.of(port, Path.of("unused"),
            tmp.resolve("data"), tmp.resolve("log.txt"), "--flush-interval", "1s",
            "--max-buffered-rows", "3000")
            .withEnvironment(MinioProcess.CREDENTIALS)) {
      collector.withS3(lake, minio.endpoint()).start();
      RetryingSender sender = new RetryingSender(port, 120);
      AtomicInteger next = new AtomicInteger();
      send(sender, next, 30);
      Thread.sleep(1_500); // one flush lands in MinIO

      minio.stop();
      long downAt = System.nanoTime();
      long failedBefore = sender.failedAttempts.get();
      Thread outage = new Thread(() -> {
        try {
          Thread.sleep(6_000);
          minio.start();
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      });
      outage.start();
      // more than the buffer holds: the collector answers 503 until MinIO is back
      send(sender, next, 60);
      long pushedBack = sender.failedAttempts.get() - failedBefore;
      outage.join();
      send(sender, next, 10);
      collector.stop();
      long downMillis = (System.nanoTime() - downAt) / 1_000_000;

      Counts c = count(lake, minio.endpoint());
      long sent = (long) next.get() * SPANS_PER_REQUEST;
      System.out.printf("object store outage: MinIO down 6 s under load; spans sent %d,"
              + " attempts refused with 503/unreachable while down %d, last batch acknowledged"
              + " %d ms after the outage began; lake on MinIO: %d rows, %d distinct span ids%n",
          sent, pushedBack, downMillis, c.rows(), c.distinct());
      assertThat(collector.log()).contains("lake flush failed");
      assertThat(pushedBack).as("the full buffer pushed back").isPositive();
      assertThat(c.distinct()).isEqualTo(sent);
      assertThat(c.rows()).isEqualTo(sent);
    }
  }

  private static void send(RetryingSender sender, AtomicInteger next, int requests)
      throws InterruptedException {
    for (int i = 0; i < requests; i++) {
      sender.send(OtlpRequests.chatSpans(next.getAndIncrement(), SPANS_PER_REQUEST, "outage"));
    }
  }

  private record Counts(long rows, long distinct) {}

  /** Downloads the calls files from MinIO and counts them with DuckDB. */
  private Counts count(String lake, String endpoint) throws Exception {
    Path local = Files.createDirectories(tmp.resolve("downloaded/calls/date=x"));
    try (S3Store store = S3Store.builder(endpoint, LakeLocation.parse(lake))
        .fromEnvironment(MinioProcess.CREDENTIALS).build()) {
      int i = 0;
      for (StoredFile f : store.listFiles("calls/")) {
        store.download(f.key(), local.resolve((i++) + ".parquet"));
      }
    }
    LakeCounts.Counts c = LakeCounts.of(tmp.resolve("downloaded"), "calls", "span_id");
    return new Counts(c.rows(), c.distinct());
  }
}
