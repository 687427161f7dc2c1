package io.flowcost.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Large concurrent uploads against a collector with a small heap ({@code -Xmx256m}): requests
 * without a key are refused from their headers (401) without their bodies being read, and
 * authorised ones beyond the in-flight bound get 503 with Retry-After. The collector never runs
 * out of memory and serves normally afterwards.
 */
class UploadFloodTest {

  private static final int BODY = 16 * 1024 * 1024; // the default --max-body
  private static final int CONCURRENT = 20;

  @TempDir Path tmp;

  @Test
  @Timeout(value = 4, unit = TimeUnit.MINUTES)
  void largeUploadsCannotExhaustTheHeap() throws Exception {
    Path keys = tmp.resolve("keys.txt");
    Files.writeString(keys, "k-flood-1 = team=a\n", StandardCharsets.UTF_8);
    Path lake = tmp.resolve("lake");
    int port = CollectorProcess.freePort();
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(5)).build();
    ExecutorService pool = Executors.newFixedThreadPool(2 * CONCURRENT);
    try (CollectorProcess collector = CollectorProcess.of(port, lake, tmp.resolve("data"),
        tmp.resolve("log.txt"), "--api-keys", keys.toString()).withMaxHeap("256m").start()) {
      // 1. 20 × 16 MB at once without a key (320 MB > the whole heap), sent without waiting
      long t0 = System.nanoTime();
      List<Future<String>> unauthorised = new ArrayList<>();
      for (int i = 0; i < CONCURRENT; i++) {
        unauthorised.add(pool.submit(() -> rawUpload(port, pool)));
      }
      Map<String, Integer> statuses = tally(unauthorised);
      System.out.printf("upload flood: %d concurrent unauthenticated %d MB bodies at -Xmx256m ->"
          + " %s in %d ms%n", CONCURRENT, BODY >> 20, statuses,
          (System.nanoTime() - t0) / 1_000_000);
      assertThat(statuses).containsOnlyKeys("401");
      assertHealthyAndStoring(http, port, 1);

      // 2. 20 × 16 MB at once with the key: beyond the in-flight bound (default: an eighth of
      //    the heap, at least 2 × --max-body = 32 MB) they get 503 + Retry-After
      //    (sent as careful clients do, with Expect: 100-continue)
      List<Future<String>> authorised = new ArrayList<>();
      for (int i = 0; i < CONCURRENT; i++) {
        authorised.add(pool.submit(() -> upload(port, pool, "k-flood-1")));
      }
      statuses = tally(authorised);
      System.out.printf("upload flood: %d concurrent authenticated %d MB bodies -> %s%n",
          CONCURRENT, BODY >> 20, statuses);
      assertThat(statuses.keySet()).allMatch(s -> s.equals("400") || s.equals("503 Retry-After=5"));
      assertThat(statuses).containsKey("503 Retry-After=5");
      assertThat(statuses.getOrDefault("400", 0)).as("admitted ones are read (and are not OTLP)")
          .isPositive();
      assertHealthyAndStoring(http, port, 2);

      collector.stop();
      assertThat(collector.log()).doesNotContain("OutOfMemoryError");
    } finally {
      pool.shutdownNow();
    }
    assertThat(LakeCounts.count(lake, "workflow_spans", "tags['team'] = 'a'")).isEqualTo(4);
  }

  /**
   * Sends headers and a 16 MB body on a raw socket without waiting for an answer (as a careless
   * or hostile client does) and returns the status code.
   */
  private static String rawUpload(int port, ExecutorService pool) throws Exception {
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.setSoTimeout(30_000);
      OutputStream out = s.getOutputStream();
      out.write(headers("").getBytes(StandardCharsets.US_ASCII));
      out.flush();
      Future<?> sending = pool.submit(() -> sendBody(out));
      String status = new BufferedReader(new InputStreamReader(s.getInputStream(),
          StandardCharsets.US_ASCII)).readLine();
      sending.cancel(true);
      return status == null ? "no reply" : status.split(" ")[1];
    }
  }

  /**
   * Sends a 16 MB body with the key and {@code Expect: 100-continue}: the body only after
   * {@code 100 Continue}. Returns the final status, with the Retry-After of a 503.
   */
  private static String upload(int port, ExecutorService pool, String key) throws Exception {
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.setSoTimeout(60_000);
      OutputStream out = s.getOutputStream();
      out.write(headers("X-Flowcost-Api-Key: " + key + "\r\nExpect: 100-continue\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(),
          StandardCharsets.US_ASCII));
      String status = in.readLine();
      if (status != null && status.split(" ")[1].equals("100")) {
        in.readLine(); // the blank line ending the interim response
        Future<?> sending = pool.submit(() -> sendBody(out));
        status = in.readLine();
        sending.cancel(true);
      }
      if (status == null) {
        return "no reply";
      }
      String code = status.split(" ")[1];
      String retryAfter = "none";
      for (String h = in.readLine(); h != null && !h.isEmpty(); h = in.readLine()) {
        if (h.toLowerCase(java.util.Locale.ROOT).startsWith("retry-after:")) {
          retryAfter = h.substring(12).trim();
        }
      }
      return code.equals("503") ? code + " Retry-After=" + retryAfter : code;
    }
  }

  private static String headers(String extra) {
    return "POST /v1/traces HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-protobuf"
        + "\r\nContent-Length: " + BODY + "\r\n" + extra + "\r\n";
  }

  private static Void sendBody(OutputStream out) {
    byte[] chunk = new byte[64 * 1024];
    try {
      for (int sent = 0; sent < BODY; sent += chunk.length) {
        out.write(chunk);
      }
      out.flush();
    } catch (IOException expected) {
      // the collector closed the connection after its reply: the body was not wanted
    }
    return null;
  }

  private static Map<String, Integer> tally(List<Future<String>> results) throws Exception {
    Map<String, Integer> out = new TreeMap<>();
    for (Future<String> f : results) {
      String status;
      try {
        status = f.get(2, TimeUnit.MINUTES);
      } catch (java.util.concurrent.ExecutionException e) {
        status = e.getCause().getClass().getSimpleName();
      }
      out.merge(status, 1, Integer::sum);
    }
    return out;
  }

  /** {@code /health} is 200 and a normal authorised request is acknowledged. */
  private static void assertHealthyAndStoring(HttpClient http, int port, int n) throws Exception {
    HttpResponse<String> health = http.send(HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + port + "/health")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(health.statusCode()).isEqualTo(200);
    HttpResponse<String> ok = http.send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + port + "/v1/traces"))
        .header("Content-Type", "application/json").header("X-Flowcost-Api-Key", "k-flood-1")
        .POST(HttpRequest.BodyPublishers.ofString(workflow(n))).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(ok.statusCode()).isEqualTo(200);
    assertThat(ok.body()).doesNotContain("rejected");
  }

  /** Two workflow roots (so 2 rows per call), ids derived from {@code n}. */
  private static String workflow(int n) {
    long now = System.currentTimeMillis() * 1_000_000L;
    StringBuilder spans = new StringBuilder();
    for (int i = 1; i <= 2; i++) {
      spans.append(i > 1 ? "," : "").append(String.format("{\"traceId\":\"%032x\",\"spanId\":"
          + "\"%016x\",\"name\":\"flood-check\",\"startTimeUnixNano\":\"%d\",\"endTimeUnixNano\":"
          + "\"%d\",\"attributes\":[{\"key\":\"flowcost.workflow.root\",\"value\":{\"boolValue\":"
          + "true}},{\"key\":\"flowcost.tag.team\",\"value\":{\"stringValue\":\"b\"}}]}",
          0xf100dL * 16 + n * 4 + i, 0xf100dL * 16 + n * 4 + i, now, now + 1_000_000));
    }
    return "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[" + spans + "]}]}]}";
  }
}
