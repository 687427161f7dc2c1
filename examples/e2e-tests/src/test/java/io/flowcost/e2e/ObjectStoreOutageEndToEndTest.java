package io.flowcost.e2e;

import static io.flowcost.e2e.MinioLake.get;
import static io.flowcost.e2e.MinioLake.post;
import static io.flowcost.e2e.MinioLake.scalar;
import static io.flowcost.e2e.MinioLake.spans;
import static org.assertj.core.api.Assertions.assertThat;

import io.flowcost.collector.Collector;
import io.flowcost.lake.store.MinioServer;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The lake on a real MinIO server that goes away and comes back while a collector is fed: what
 * the collector acknowledged waits in its write-ahead log and buffer, is flushed when MinIO is
 * back, and lands in the lake exactly once; a full buffer answers 503 with Retry-After.
 */
class ObjectStoreOutageEndToEndTest {

  @RegisterExtension static final MinioServer MINIO = new MinioServer();

  private static final int SPANS_PER_REQUEST = 50;

  @TempDir Path tmp;

  @AfterEach
  void minioRunsForTheNextTest() throws Exception {
    ensureMinioRuns();
  }

  private static void ensureMinioRuns() throws Exception {
    try {
      MINIO.restart();
    } catch (IllegalStateException running) {
      // it was not stopped
    }
  }

  @Test
  @Timeout(value = 3, unit = TimeUnit.MINUTES)
  void spansSentWhileMinioIsDownLandOnceWhenItIsBack() throws Exception {
    try (MinioLake lake = new MinioLake(MINIO, "s3://lake/outage", tmp)) {
      Collector collector = lake.startCollector(Duration.ofMillis(300), 1_000_000);
      try {
        outageUnderLoad(lake, collector);
      } finally {
        ensureMinioRuns();
        collector.close();
      }
    }
  }

  private void outageUnderLoad(MinioLake lake, Collector collector) throws Exception {
    int requests = 0;
    long span = 1;
    Instant start = Instant.now();
    for (; requests < 10; requests++, span += SPANS_PER_REQUEST) {
      assertThat(post(collector.port(), "/v1/traces",
          spans(requests, "before", true, span, SPANS_PER_REQUEST, start)).statusCode())
          .isEqualTo(200);
    }
    collector.flush();

    MINIO.stop();
    for (; requests < 30; requests++, span += SPANS_PER_REQUEST) {
      // MinIO is down, yet every request is acknowledged: the rows are in the log
      assertThat(post(collector.port(), "/v1/traces",
          spans(requests, "during", true, span, SPANS_PER_REQUEST, start)).statusCode())
          .isEqualTo(200);
    }
    // everything sent since the outage began waits: 20 requests of 50 calls and a root span
    long waiting = 20L * (SPANS_PER_REQUEST + 1);
    assertThat(bufferedRows(collector)).isEqualTo(waiting);
    Thread.sleep(1_000); // flushes fail meanwhile (connection refused) and keep the rows
    assertThat(bufferedRows(collector)).isEqualTo(waiting);

    MINIO.restart();
    for (; requests < 40; requests++, span += SPANS_PER_REQUEST) {
      assertThat(post(collector.port(), "/v1/traces",
          spans(requests, "after", true, span, SPANS_PER_REQUEST, start)).statusCode())
          .isEqualTo(200);
    }
    collector.close();

    long sent = span - 1;
    Path mirror = lake.mirror();
    try (Connection c = MinioLake.views(mirror)) {
      assertThat(scalar(c, "SELECT count(*) FROM calls")).isEqualTo(sent);
      // not even the raw files hold a row twice
      assertThat(scalar(c, "SELECT count(*) FROM " + MinioLake.raw(mirror, "calls")))
          .isEqualTo(sent);
      assertThat(scalar(c, "SELECT count(*) FROM workflows_latest")).isEqualTo(requests);
      assertThat(scalar(c, "SELECT sum(calls) FROM workflows_latest")).isEqualTo(sent);
    }
  }

  @Test
  @Timeout(value = 3, unit = TimeUnit.MINUTES)
  void aFullBufferAnswers503UntilMinioIsBackAndLosesNothing() throws Exception {
    try (MinioLake lake = new MinioLake(MINIO, "s3://lake/full", tmp)) {
      // 200 rows fit: the fifth request of 50 spans finds the buffer full
      Collector collector = lake.startCollector(Duration.ofMillis(300), 200);
      try {
        fillWhileDown(lake, collector);
      } finally {
        ensureMinioRuns();
        collector.close();
      }
    }
  }

  private void fillWhileDown(MinioLake lake, Collector collector) throws Exception {
    Instant start = Instant.now();
    MINIO.stop();
    long span = 1;
    int acknowledged = 0;
    HttpResponse<String> refused = null;
    String refusedBody = null;
    for (int i = 0; i < 20 && refused == null; i++, span += SPANS_PER_REQUEST) {
      String body = spans(i, "full", true, span, SPANS_PER_REQUEST, start);
      HttpResponse<String> r = post(collector.port(), "/v1/traces", body);
      if (r.statusCode() == 503) {
        refused = r;
        refusedBody = body;
      } else {
        assertThat(r.statusCode()).isEqualTo(200);
        acknowledged++;
      }
    }
    assertThat(refused).as("a full buffer refuses").isNotNull();
    assertThat(acknowledged).isBetween(4, 5); // 200 rows (+ the root spans) fit, not more
    assertThat(refused.headers().firstValue("Retry-After")).hasValueSatisfying(
        v -> assertThat(Integer.parseInt(v)).isPositive());
    HttpResponse<String> health = get(collector.port(), "/health");
    assertThat(health.statusCode()).isEqualTo(503);
    assertThat(health.body()).contains("\"status\":\"overloaded\"");
    Thread.sleep(1_000); // failed flushes do not drop what was acknowledged
    assertThat(bufferedRows(collector)).isEqualTo((long) acknowledged * (SPANS_PER_REQUEST + 1));

    MINIO.restart();
    // the sender retries the refused request, as Retry-After asks, until it is taken
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    int status;
    do {
      Thread.sleep(200);
      status = post(collector.port(), "/v1/traces", refusedBody).statusCode();
    } while (status == 503 && System.nanoTime() < deadline);
    assertThat(status).isEqualTo(200);
    acknowledged++;
    do {
      health = get(collector.port(), "/health");
    } while (health.statusCode() != 200 && System.nanoTime() < deadline);
    assertThat(health.body()).contains("\"status\":\"ok\"");
    collector.close();

    Path mirror = lake.mirror();
    try (Connection c = MinioLake.views(mirror)) {
      long sent = (long) acknowledged * SPANS_PER_REQUEST;
      assertThat(scalar(c, "SELECT count(*) FROM calls")).isEqualTo(sent);
      assertThat(scalar(c, "SELECT count(*) FROM " + MinioLake.raw(mirror, "calls")))
          .isEqualTo(sent);
      assertThat(scalar(c, "SELECT count(*) FROM workflows_latest")).isEqualTo(acknowledged);
    }
  }

  private static long bufferedRows(Collector collector) throws Exception {
    String body = get(collector.port(), "/health").body();
    return Long.parseLong(body.replaceAll(".*\"buffered_rows\":(\\d+).*", "$1"));
  }
}
