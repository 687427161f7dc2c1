package io.flowcost.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two packaged collectors on one {@code --data-dir}: the second refuses to start, naming the
 * first; after the first is killed with {@code -9} the second starts on the same data dir (the OS
 * released the lock) and everything the first acknowledged reaches the lake exactly once.
 */
class DataDirLockTest {

  private static final int REQUESTS = 5;
  private static final int SPANS_PER_REQUEST = 6;

  @TempDir Path tmp;

  @Test
  @Timeout(value = 4, unit = TimeUnit.MINUTES)
  void aSecondCollectorOnALockedDataDirRefusesAndTakesOverAfterKillNine() throws Exception {
    Path lake = tmp.resolve("lake");
    Path data = tmp.resolve("data");
    int firstPort = CollectorProcess.freePort();
    int secondPort = CollectorProcess.freePort();
    try (CollectorProcess first = CollectorProcess.of(firstPort, lake, data,
            tmp.resolve("first.txt"), "--flush-interval", "1h", "--instance-id", "first").start();
        CollectorProcess second = CollectorProcess.of(secondPort, lake, data,
            tmp.resolve("second.txt"), "--flush-interval", "1h", "--instance-id", "second")) {
      RetryingSender sender = new RetryingSender(firstPort, 30);
      for (int n = 0; n < REQUESTS; n++) {
        sender.send(OtlpRequests.chatSpans(n, SPANS_PER_REQUEST, "lock")); // acknowledged
      }

      assertThatThrownBy(second::start)
          .as("a second collector on the same data dir does not come up")
          .hasMessageContaining("collector exited with 2")
          .hasMessageContaining("is in use by another collector (pid " + first.pid() + " on ")
          .hasMessageContaining("port " + firstPort)
          .hasMessageContaining("another --data-dir");
      String refusal = second.log().lines().filter(l -> l.contains("in use by")).findFirst()
          .orElseThrow();
      System.out.println("second collector refused: " + refusal.strip());

      first.kill(); // what the first acknowledged is only in the write-ahead log now
      second.start();
      second.stop();
    }
    LakeCounts.Counts calls = LakeCounts.of(lake, "calls", "span_id");
    System.out.printf("after kill -9 of the first and a start of the second: %d call rows, %d"
        + " distinct%n", calls.rows(), calls.distinct());
    assertThat(calls.distinct()).as("everything the first acknowledged")
        .isEqualTo(REQUESTS * SPANS_PER_REQUEST);
    assertThat(calls.rows()).as("exactly once").isEqualTo(calls.distinct());
  }
}
