package io.flowcost.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Prompt text, tool arguments and results, exception messages and headers sent to the collector
 * (in content attributes, and in malformed requests it rejects) never reach its write-ahead log,
 * its log output, or the lake.
 */
class PrivacyTest {

  /** The demo's private phrases (DemoEndToEndTest.PRIVATE_PHRASES) and a secret header value. */
  static final List<String> PRIVATE = List.of(
      "Northwind Mutual", "hovercraft damaged at the marina", "\"item\":\"hovercraft\"",
      "glass deductible 100 EUR", "no repair tariff", "The request was handled",
      "sk-live-SECRET-51f2");

  @TempDir Path tmp;

  @Test
  @Timeout(value = 2, unit = TimeUnit.MINUTES)
  void noContentReachesTheLogTheWriteAheadLogOrTheLake() throws Exception {
    Path lake = tmp.resolve("lake");
    Path data = tmp.resolve("data");
    Path log = tmp.resolve("log.txt");
    int port = CollectorProcess.freePort();
    HttpClient http = HttpClient.newHttpClient();
    List<Integer> statuses = new ArrayList<>();
    try (CollectorProcess collector = CollectorProcess.of(port, lake, data, log,
        "--flush-interval", "1h").start()) {
      String traces = "http://127.0.0.1:" + port + "/v1/traces";
      String outcomes = "http://127.0.0.1:" + port + "/v1/outcomes";
      long now = System.currentTimeMillis() * 1_000_000L;
      String span = """
          {"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"claims"}}]},
           "scopeSpans":[{"spans":[{"traceId":"5b8efff798038103d269b633813fc60c","spanId":"1111111111111111",
            "parentSpanId":"2222222222222222","name":"chat gpt-4o-mini","kind":3,
            "startTimeUnixNano":"%1$d","endTimeUnixNano":"%2$d","status":{"code":2,"message":"%3$s"},
            "attributes":[
             {"key":"gen_ai.operation.name","value":{"stringValue":"chat"}},
             {"key":"gen_ai.provider.name","value":{"stringValue":"openai"}},
             {"key":"gen_ai.request.model","value":{"stringValue":"gpt-4o-mini"}},
             {"key":"gen_ai.system_instructions","value":{"stringValue":"%4$s"}},
             {"key":"gen_ai.input.messages","value":{"stringValue":"%5$s"}},
             {"key":"gen_ai.tool.call.arguments","value":{"stringValue":"%6$s"}},
             {"key":"gen_ai.tool.call.result","value":{"stringValue":"%7$s"}},
             {"key":"gen_ai.output.messages","value":{"stringValue":"%8$s"}},
             {"key":"http.request.header.authorization","value":{"stringValue":"Bearer %9$s"}}],
            "events":[{"name":"exception","timeUnixNano":"%1$d","attributes":[
             {"key":"exception.message","value":{"stringValue":"%3$s"}}]}]}]}]}]}
          """.formatted(now, now + 1_000_000, PRIVATE.get(4), PRIVATE.get(0), PRIVATE.get(1),
          PRIVATE.get(2).replace("\"", "\\\""), PRIVATE.get(3), PRIVATE.get(5), PRIVATE.get(6));
      statuses.add(post(http, traces, "application/json", span));
      // malformed requests whose bad parts are private text: rejected without echoing it
      statuses.add(post(http, traces, "application/json",
          "{\"resourceSpans\": Northwind Mutual hovercraft damaged at the marina}"));
      statuses.add(post(http, traces, "application/json",
          "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"traceId\":\"no repair tariff\"}]}]}]}"));
      // an unknown protobuf field holding text: valid OTLP with no spans, its bytes ignored
      statuses.add(post(http, traces, "application/x-protobuf", "\u0012\u0010Northwind Mutual"));
      statuses.add(post(http, outcomes, "application/json",
          "{\"external_key\":\"T-1\",\"status\":\"glass deductible 100 EUR\"}"));
      statuses.add(post(http, outcomes, "application/json",
          "{\"external_key\": The request was handled}"));
      collector.kill(); // the write-ahead log keeps everything accepted
      assertThat(walBytes(data)).as("accepted data waits in the write-ahead log").isPositive();
      assertNoPrivateText(List.of(data, log));
      collector.start();
      collector.stop(); // replays the log into the lake
    }
    System.out.println("privacy: statuses " + statuses + "; scanned write-ahead log, collector"
        + " log and lake for " + PRIVATE.size() + " private phrases: none found");
    assertThat(statuses).containsExactly(200, 400, 400, 200, 400, 400);
    assertNoPrivateText(List.of(data, log, lake));
    assertThat(Files.readString(log, StandardCharsets.UTF_8)).contains("rejected");
  }

  private static int post(HttpClient http, String uri, String type, String body)
      throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(uri)).header("Content-Type", type)
            .header("Authorization", "Bearer " + PRIVATE.get(6))
            .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.discarding()).statusCode();
  }

  private static long walBytes(Path data) throws Exception {
    try (Stream<Path> s = Files.walk(data.resolve("wal"))) {
      return s.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
    }
  }

  /** Scans every file under {@code roots} as bytes (WAL frames, Parquet, logs). */
  static void assertNoPrivateText(List<Path> roots) throws Exception {
    for (Path root : roots) {
      List<Path> files;
      try (Stream<Path> s = Files.walk(root)) {
        files = s.filter(Files::isRegularFile).toList();
      }
      for (Path f : files) {
        String text = new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
        for (String phrase : PRIVATE) {
          assertThat(text).as(f + " must not contain '" + phrase + "'").doesNotContain(phrase);
        }
      }
    }
  }
}
