package io.flowcost.reliability.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.flowcost.reliability.CollectorProcessAccess;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Collector ingest throughput and acknowledgement latency: concurrent senders post OTLP protobuf
 * requests of model-call spans to the packaged collector for a fixed time; every request is
 * acknowledged only once its rows are forced to the write-ahead log. Not part of the normal
 * build (the name does not match surefire's includes); run it with
 * {@code mvn -B -o -pl reliability-tests test -Dtest=IngestBenchmark}. Results go to
 * docs/benchmarks.md, never into assertions.
 */
class IngestBenchmark {

  private static final long SECONDS = Long.getLong("bench.seconds", 10);

  @TempDir Path tmp;

  @Test
  void ingestThroughputAndAckLatency() throws Exception {
    int[][] configs = {{1, 100}, {4, 100}, {4, 1000}, {16, 100}};
    System.out.println("| senders | spans/request | requests | spans/s | MB/s (protobuf) |"
        + " p50 ack ms | p99 ack ms | max ack ms |");
    System.out.println("|---|---|---|---|---|---|---|---|");
    for (int[] c : configs) {
      run(c[0], c[1]);
    }
  }

  private void run(int senders, int spansPerRequest) throws Exception {
    Path dir = tmp.resolve(senders + "x" + spansPerRequest);
    int port = CollectorProcessAccess.freePort();
    try (AutoCloseable collector = CollectorProcessAccess.start(port, dir.resolve("lake"),
        dir.resolve("data"), dir.resolve("log.txt"))) {
      URI uri = URI.create("http://127.0.0.1:" + port + "/v1/traces");
      // warm-up: JIT of the decode/price/log path
      byte[] warm = io.flowcost.reliability.CollectorProcessAccess.chatSpans(1_000_000,
          spansPerRequest);
      for (int i = 0; i < 200; i++) {
        post(uri, io.flowcost.reliability.CollectorProcessAccess.chatSpans(1_000_000 + i,
            spansPerRequest));
      }
      AtomicInteger next = new AtomicInteger();
      long[][] latencies = new long[senders][];
      long[] bytes = new long[senders];
      ExecutorService pool = Executors.newFixedThreadPool(senders);
      List<Future<Integer>> futures = new ArrayList<>();
      long t0 = System.nanoTime();
      long end = t0 + TimeUnit.SECONDS.toNanos(SECONDS);
      for (int s = 0; s < senders; s++) {
        int me = s;
        futures.add(pool.submit(() -> {
          long[] lat = new long[1 << 16];
          int n = 0;
          while (System.nanoTime() < end && n < lat.length) {
            byte[] body = io.flowcost.reliability.CollectorProcessAccess.chatSpans(
                next.getAndIncrement(), spansPerRequest);
            long a = System.nanoTime();
            int status = post(uri, body);
            lat[n++] = System.nanoTime() - a;
            bytes[me] += body.length;
            if (status != 200) {
              throw new IllegalStateException("status " + status);
            }
          }
          latencies[me] = Arrays.copyOf(lat, n);
          return n;
        }));
      }
      int requests = 0;
      for (Future<Integer> f : futures) {
        requests += f.get(SECONDS + 60, TimeUnit.SECONDS);
      }
      double secs = (System.nanoTime() - t0) / 1e9;
      pool.shutdown();
      long[] all = Arrays.stream(latencies).flatMapToLong(Arrays::stream).sorted().toArray();
      long totalBytes = Arrays.stream(bytes).sum();
      System.out.printf("| %d | %d | %d | %,.0f | %.1f | %.1f | %.1f | %.1f |%n", senders,
          spansPerRequest, requests, requests * (double) spansPerRequest / secs,
          totalBytes / secs / 1e6, pct(all, 0.50), pct(all, 0.99), all[all.length - 1] / 1e6);
      assertThat(requests).isPositive();
      assertThat(warm).isNotEmpty();
    }
  }

  private static double pct(long[] sorted, double p) {
    return sorted[(int) Math.min(sorted.length - 1, Math.floor(p * sorted.length))] / 1e6;
  }

  private static int post(URI uri, byte[] body) throws Exception {
    HttpURLConnection c = (HttpURLConnection) uri.toURL().openConnection();
    c.setRequestMethod("POST");
    c.setDoOutput(true);
    c.setRequestProperty("Content-Type", "application/x-protobuf");
    c.setFixedLengthStreamingMode(body.length);
    try (OutputStream out = c.getOutputStream()) {
      out.write(body);
    }
    int code = c.getResponseCode();
    try (InputStream in = code >= 400 ? c.getErrorStream() : c.getInputStream()) {
      if (in != null) {
        in.readAllBytes();
      }
    }
    return code;
  }
}
