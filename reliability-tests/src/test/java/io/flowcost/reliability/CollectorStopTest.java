package io.flowcost.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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
 * SIGTERM to the packaged collector: what a stop flushes, what it leaves to the write-ahead log
 * when {@code --shutdown-grace} cuts it short, and that a restart puts every acknowledged span in
 * the lake exactly once either way. The stop's duration is printed, never asserted (a loaded
 * machine decides it); {@code docs/benchmarks.md} reports it.
 *
 * <p>{@code -Dflowcost.stop.jar=<collector jar>} measures another build's stop (the session's
 * start), {@code -Dflowcost.stop.seedLake=<lake dir>} copies a large lake in first (the slow stop
 * was seen on a lake of 28 million spans), {@code -Dflowcost.stop.requests=N} sets the load.
 */
class CollectorStopTest {

  /** Spans per request: 500 workflow roots and one call under each. */
  private static final int WORKFLOWS_PER_REQUEST = 500;

  @TempDir Path tmp;

  /**
   * A load that flushes and rolls up while it runs, then SIGTERM; prints how long the stop took
   * and what it logged. Every acknowledged span is in the lake after a restart.
   */
  @Test
  @Timeout(value = 10, unit = TimeUnit.MINUTES)
  void aStopUnderLoadIsMeasuredAndLosesNothing() throws Exception {
    Path lake = tmp.resolve("lake");
    String seed = System.getProperty("flowcost.stop.seedLake", "");
    if (!seed.isEmpty()) {
      copyTree(Path.of(seed), lake);
    }
    String jarProperty = System.getProperty("flowcost.stop.jar", "");
    Path jar = jarProperty.isEmpty() ? CollectorProcess.collectorJar() : Path.of(jarProperty);
    int requests = Integer.getInteger("flowcost.stop.requests", 240);
    int port = CollectorProcess.freePort();
    Path data = tmp.resolve("data");
    try (CollectorProcess collector = CollectorProcess.of(jar, port, lake, data,
        tmp.resolve("log.txt"), "--flush-interval", "2s", "--instance-id", "stop")
        .withOption("--rollup-delay", "2s").start()) {
      int acked = load(port, requests, 4);
      long ms = collector.stopAndTime(Duration.ofMinutes(5));
      System.out.printf("collector stop: %s, SIGTERM after %d acknowledged requests (%d spans),"
          + " stopped in %d ms%s%n", jar.getFileName(), acked, acked * 2L * WORKFLOWS_PER_REQUEST,
          ms, ms < 0 ? " (not within 5 min: killed)" : "");
      collector.log().lines().filter(l -> l.contains("stop") || l.contains("rollup")
          || l.contains("write-ahead") || l.contains("deferred"))
          .forEach(l -> System.out.println("  collector: " + l.strip()));
    }
    assertEveryAcknowledgedSpanAfterARestart(lake, data, (long) requests * WORKFLOWS_PER_REQUEST);
  }

  /**
   * {@code --shutdown-grace 0s}: the stop flushes nothing and leaves every accepted row to the
   * write-ahead log, saying so; the next start replays them, and every acknowledged span is in
   * the lake exactly once.
   */
  @Test
  @Timeout(value = 5, unit = TimeUnit.MINUTES)
  void aStopCutShortLeavesTheRestToTheLogAndTheRestartPublishesIt() throws Exception {
    Path lake = tmp.resolve("lake");
    Path data = tmp.resolve("data");
    int port = CollectorProcess.freePort();
    // fewer rows than the pipeline's flush trigger (50,000) and no timed flush: everything
    // accepted is still buffered when SIGTERM arrives
    int requests = 40;
    try (CollectorProcess collector = CollectorProcess.of(port, lake, data, tmp.resolve("log.txt"),
        "--flush-interval", "1h", "--shutdown-grace", "0s", "--instance-id", "cut").start()) {
      assertThat(load(port, requests, 4)).isEqualTo(requests);
      long ms = collector.stopAndTime(Duration.ofMinutes(2));
      System.out.printf("collector stop with --shutdown-grace 0s: %d ms%n", ms);
      assertThat(ms).as("the collector exits by itself").isNotNegative();
      assertThat(LakeCounts.of(lake, "calls", "span_id").rows())
          .as("nothing flushed: the stop was cut short before the flush").isZero();
      assertThat(collector.log()).contains("left in the write-ahead log");
    }
    assertEveryAcknowledgedSpanAfterARestart(lake, data, (long) requests * WORKFLOWS_PER_REQUEST);
  }

  /** With grace enough, a stop flushes every accepted row and rolls them up before it exits. */
  @Test
  @Timeout(value = 5, unit = TimeUnit.MINUTES)
  void aNormalStopFlushesEverythingAndRollsUp() throws Exception {
    Path lake = tmp.resolve("lake");
    Path data = tmp.resolve("data");
    int port = CollectorProcess.freePort();
    int requests = 40;
    try (CollectorProcess collector = CollectorProcess.of(port, lake, data, tmp.resolve("log.txt"),
        "--flush-interval", "1h", "--shutdown-grace", "5m", "--instance-id", "normal").start()) {
      assertThat(load(port, requests, 4)).isEqualTo(requests);
      long ms = collector.stopAndTime(Duration.ofMinutes(4));
      System.out.printf("collector stop with --shutdown-grace 5m: %d ms%n", ms);
      assertThat(ms).as("the collector exits by itself").isNotNegative();
      assertThat(collector.log()).contains("everything accepted is in the lake")
          .doesNotContain("left in the write-ahead log");
    }
    long sent = (long) requests * WORKFLOWS_PER_REQUEST;
    LakeCounts.Counts calls = LakeCounts.of(lake, "calls", "span_id");
    assertThat(calls.distinct()).as("every call flushed at the stop").isEqualTo(sent);
    assertThat(calls.rows()).isEqualTo(sent);
    assertThat(LakeCounts.count(lake, "workflows", "true"))
        .as("every workflow rolled up at the stop").isEqualTo(sent);
  }

  /** Starts the collector again on the same data dir, stops it with time enough, counts. */
  private void assertEveryAcknowledgedSpanAfterARestart(Path lake, Path data, long calls)
      throws Exception {
    int port = CollectorProcess.freePort();
    long before = LakeCounts.of(lake, "calls", "span_id").rows();
    try (CollectorProcess again = CollectorProcess.of(port, lake, data, tmp.resolve("log2.txt"),
        "--shutdown-grace", "5m", "--instance-id", "again").start()) {
      assertThat(again.stopAndTime(Duration.ofMinutes(4))).isNotNegative();
    }
    LakeCounts.Counts counted = countOurs(lake);
    System.out.printf("after the restart: our call rows %d (distinct %d), %d expected; raw call"
        + " rows before the restart %d%n", counted.rows(), counted.distinct(), calls, before);
    assertThat(counted.distinct()).as("no acknowledged span lost").isEqualTo(calls);
    assertThat(counted.rows()).as("none stored twice in the raw lake").isEqualTo(calls);
  }

  /** Call rows of this test's service (a seeded lake has others). */
  private static LakeCounts.Counts countOurs(Path lake) throws Exception {
    long rows = LakeCounts.count(lake, "calls", "service = 'stop-test'");
    try (var c = java.sql.DriverManager.getConnection("jdbc:duckdb:");
        var st = c.createStatement();
        var rs = st.executeQuery("SELECT count(DISTINCT span_id) FROM read_parquet('"
            + lake.resolve("calls") + "/date=*/*.parquet', union_by_name = true)"
            + " WHERE service = 'stop-test'")) {
      rs.next();
      return new LakeCounts.Counts(rows, rs.getLong(1), 0);
    }
  }

  /**
   * {@code requests} requests of {@link #WORKFLOWS_PER_REQUEST} whole workflows each from
   * {@code senders} threads, each retried until acknowledged; returns how many were.
   */
  private static int load(int port, int requests, int senders) throws Exception {
    RetryingSender sender = new RetryingSender(port, 120);
    AtomicInteger next = new AtomicInteger();
    AtomicInteger acked = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(senders);
    try {
      List<Future<?>> running = new ArrayList<>();
      for (int s = 0; s < senders; s++) {
        running.add(pool.submit(() -> {
          int n;
          while ((n = next.getAndIncrement()) < requests) {
            sender.send(OtlpRequests.workflowSpans((long) n * WORKFLOWS_PER_REQUEST,
                WORKFLOWS_PER_REQUEST, 1, n, "stop-test"));
            acked.incrementAndGet();
          }
          return null;
        }));
      }
      for (Future<?> f : running) {
        f.get(5, TimeUnit.MINUTES);
      }
    } finally {
      pool.shutdownNow();
    }
    return acked.get();
  }

  private static void copyTree(Path from, Path to) throws Exception {
    try (var files = Files.walk(from)) {
      for (Path p : files.toList()) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target);
        }
      }
    }
  }
}
