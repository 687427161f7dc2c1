package io.flowcost.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kill -9} the collector twice in the middle of a sustained load while the senders retry
 * every unacknowledged request, restart it on the same data dir, and check that every span sent
 * is in the raw lake exactly once.
 */
class CollectorCrashTest {

  private static final int REQUESTS = 200;
  private static final int SPANS_PER_REQUEST = 100;
  private static final int SENDERS = 4;
  /** Pace: the whole load would take about 10 s without the crashes. */
  private static final long REQUEST_INTERVAL_MILLIS = 10_000L * SENDERS / REQUESTS;

  @TempDir Path tmp;

  @Test
  @Timeout(value = 5, unit = TimeUnit.MINUTES)
  void everySpanSentIsInTheLakeExactlyOnceAfterKillNineUnderLoad() throws Exception {
    Path lake = tmp.resolve("lake");
    Path data = tmp.resolve("data");
    int port = CollectorProcess.freePort();
    // a short flush interval, so the kills also land in the middle of lake flushes
    try (CollectorProcess collector = CollectorProcess.of(port, lake, data, tmp.resolve("log.txt"),
        "--flush-interval", "1s", "--instance-id", "crash").start()) {
      RetryingSender sender = new RetryingSender(port, 120);
      AtomicInteger next = new AtomicInteger();
      AtomicInteger acked = new AtomicInteger();
      ExecutorService pool = Executors.newFixedThreadPool(SENDERS);
      List<Future<?>> senders = new ArrayList<>();
      long t0 = System.nanoTime();
      for (int s = 0; s < SENDERS; s++) {
        senders.add(pool.submit(() -> {
          int n;
          while ((n = next.getAndIncrement()) < REQUESTS) {
            long started = System.nanoTime();
            sender.send(OtlpRequests.chatSpans(n, SPANS_PER_REQUEST, "load"));
            acked.incrementAndGet();
            long left = REQUEST_INTERVAL_MILLIS - (System.nanoTime() - started) / 1_000_000;
            if (left > 0) {
              Thread.sleep(left);
            }
          }
          return null;
        }));
      }
      // kill once the load runs, and again 3 s after the restarted collector answers
      int kills = 0;
      for (int k = 0; k < 2; k++) {
        Thread.sleep(3_000);
        int before = acked.get();
        collector.kill();
        kills++;
        System.out.printf("kill -9 #%d at %d ms, after %d acknowledged requests%n", kills,
            (System.nanoTime() - t0) / 1_000_000, before);
        Thread.sleep(300);
        long restart = System.nanoTime();
        collector.start();
        System.out.printf("restarted in %d ms (JVM start, log replay, lake reconciliation)%n",
            (System.nanoTime() - restart) / 1_000_000);
      }
      for (Future<?> f : senders) {
        f.get(3, TimeUnit.MINUTES);
      }
      pool.shutdown();
      long loadMillis = (System.nanoTime() - t0) / 1_000_000;
      collector.stop();

      LakeCounts.Counts calls = LakeCounts.of(lake, "calls", "span_id");
      long sent = (long) REQUESTS * SPANS_PER_REQUEST;
      System.out.printf("collector crash test: spans sent %d in %d requests over %d ms,"
              + " kills %d, requests retried %d (spans re-sent %d), failed attempts %d;"
              + " lake rows %d, distinct span ids %d, Parquet files %d%n",
          sent, REQUESTS, loadMillis, kills, sender.retriedRequests.get(),
          sender.retriedRequests.get() * SPANS_PER_REQUEST, sender.failedAttempts.get(),
          calls.rows(), calls.distinct(), calls.files());
      collector.log().lines()
          .filter(l -> l.contains("replayed") || l.contains("interrupted")
              || l.contains("remembering") || l.contains("---- start"))
          .forEach(l -> System.out.println("  collector: " + l.strip()));

      assertThat(kills).isEqualTo(2);
      assertThat(sender.retriedRequests.get()).as("the kills cut off some requests").isPositive();
      assertThat(calls.distinct()).as("no span lost").isEqualTo(sent);
      assertThat(calls.rows()).as("no span stored twice in the raw lake").isEqualTo(sent);
    }
  }
}
