package io.flowcost.collector.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.flowcost.collector.Collector;
import io.flowcost.collector.TestCollectors;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every way a request can end (accepted, refused by its size, its encoding, its content, or the
 * connection cut) gives back the bytes it held against the in-flight bound: a leak would end in
 * every request getting 503.
 */
class RequestBodiesTest {

  @TempDir Path tmp;

  @Test
  @Timeout(value = 2, unit = TimeUnit.MINUTES)
  void everyRequestReleasesWhatItHeldAgainstTheInFlightBound() throws Exception {
    Path lake = tmp.resolve("lake");
    try (Collector collector = Collector.start(TestCollectors.config(lake, tmp.resolve("data"), "t")
        .maxBodyBytes(64 * 1024)
        .maxInFlightBodyBytes(4 * 64 * 1024)
        .build())) {
      HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      String good = "{\"resourceSpans\":[]}";
      List<CompletableFuture<HttpResponse<String>>> sent = new ArrayList<>();
      for (int round = 0; round < 10; round++) {
        sent.add(post(http, collector, good.getBytes(StandardCharsets.UTF_8), null));
        sent.add(post(http, collector, "{bad".getBytes(StandardCharsets.UTF_8), null));
        sent.add(post(http, collector, new byte[70 * 1024], null)); // 413 by Content-Length
        sent.add(post(http, collector, "not gzip".getBytes(StandardCharsets.UTF_8), "gzip"));
        sent.add(post(http, collector, gzip(new byte[200 * 1024]), "gzip")); // 413 inflated
        sent.add(post(http, collector, gzip(good.getBytes(StandardCharsets.UTF_8)), "gzip"));
        sent.add(post(http, collector, new byte[60 * 1024], null)); // read whole, then 400
      }
      List<Integer> statuses = new ArrayList<>();
      for (CompletableFuture<HttpResponse<String>> f : sent) {
        try {
          statuses.add(f.get(60, TimeUnit.SECONDS).statusCode());
        } catch (java.util.concurrent.ExecutionException e) {
          statuses.add(-1); // a connection closed under a body still being sent
        }
      }
      assertThat(statuses).contains(200, 400, 413).doesNotContain(500);
      // the bound held: concurrent 60 KB bodies beyond 256 KB were refused rather than read
      System.out.println("request bodies: statuses " + statuses.stream().collect(
          java.util.stream.Collectors.groupingBy(s -> s, java.util.TreeMap::new,
              java.util.stream.Collectors.counting())));
      long inFlight = -1;
      for (int i = 0; i < 100 && inFlight != 0; i++) {
        String health = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
            + collector.port() + "/health")).build(), HttpResponse.BodyHandlers.ofString()).body();
        inFlight = Long.parseLong(health.replaceAll(".*\"request_bytes_in_flight\":(\\d+).*",
            "$1"));
        Thread.sleep(50);
      }
      assertThat(inFlight).isZero();
      assertThat(post(http, collector, good.getBytes(StandardCharsets.UTF_8), null)
          .get(30, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    }
  }

  private static CompletableFuture<HttpResponse<String>> post(HttpClient http,
      Collector collector, byte[] body, String encoding) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
            + collector.port() + "/v1/traces")).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    if (encoding != null) {
      b.header("Content-Encoding", encoding);
    }
    return http.sendAsync(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static byte[] gzip(byte[] data) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream z = new GZIPOutputStream(out)) {
      z.write(data);
    }
    return out.toByteArray();
  }
}
