package io.flowcost.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.flowcost.collector.Collector;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every kind of bad input the issue lists, each sent with a good span in the same request where
 * that is possible: each gets a clear 4xx or a counted rejection, and the good spans all reach
 * the lake. Prints the table that docs/reliability.md shows.
 */
class BadInputTableTest {

  private static final String TRACE = "5b8efff798038103d269b633813fc60c";

  @TempDir Path tmp;

  /**
   * @param encoding the Content-Encoding header, or null
   * @param mentions what the reply must say (e.g. the field it names), or null
   */
  private record Case(String input, String path, String type, byte[] body, String expect,
      String encoding, String mentions) {
    Case(String input, String path, String type, byte[] body, String expect) {
      this(input, path, type, body, expect, null, null);
    }

    Case(String input, String path, String type, String body, String expect) {
      this(input, path, type, utf8(body), expect);
    }
  }

  private static byte[] utf8(String s) {
    return s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
  }

  private static byte[] gzip(byte[] data) throws java.io.IOException {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    try (java.util.zip.GZIPOutputStream z = new java.util.zip.GZIPOutputStream(out)) {
      z.write(data);
    }
    return out.toByteArray();
  }

  @Test
  void eachBadInputGetsA4xxOrACountedRejectionAndNeverCostsTheGoodSpans() throws Exception {
    Path lake = tmp.resolve("lake");
    Collector collector = Collector.start(Collector.Config.builder()
        .port(0)
        .localLake(lake)
        .dataDir(tmp.resolve("data"))
        .flushInterval(Duration.ofHours(1))
        .rollupDelay(Duration.ofHours(1))
        .maxBodyBytes(64 * 1024)
        .maxBufferedRows(1_000_000)
        .instanceId("bad")
        .build());
    long now = System.currentTimeMillis() * 1_000_000L;
    List<Case> cases = new ArrayList<>();
    int[] good = {0};
    java.util.function.Function<String, String> withGood = bad -> {
      good[0]++;
      return request(bad + "," + span(String.format("%016x", 0xA000L + good[0]), now, ""));
    };
    cases.add(new Case("malformed protobuf", "/v1/traces", "application/x-protobuf",
        "\u0008\u00ff\u00ff garbage", "400"));
    cases.add(new Case("malformed JSON", "/v1/traces", "application/json", "{\"resourceSpans\":[",
        "400"));
    cases.add(new Case("wrong type: traceId a number", "/v1/traces", "application/json",
        withGood.apply("{\"traceId\":12,\"spanId\":\"1111111111111111\",\"startTimeUnixNano\":\"1\"}"),
        "200, span rejected and counted"));
    cases.add(new Case("unsupported Content-Type", "/v1/traces", "text/plain", "hello", "400"));
    cases.add(new Case("body over --max-body", "/v1/traces", "application/json",
        "x".repeat(70 * 1024), "413"));
    cases.add(new Case("huge attribute value (100 KB model name)", "/v1/traces",
        "application/json", withGood.apply(span("00000000000000b1", now,
            ",{\"key\":\"gen_ai.request.model\",\"value\":{\"stringValue\":\"" + "m".repeat(100_000)
                + "\"}}")), "413 (whole request over the 64 KiB limit of this test)"));
    cases.add(new Case("huge attribute value (40 KB, under the limit)", "/v1/traces",
        "application/json", withGood.apply(span("00000000000000b2", now,
            ",{\"key\":\"gen_ai.response.model\",\"value\":{\"stringValue\":\"" + "m".repeat(30_000)
                + "\"}}")), "200, stored cut to 256 chars"));
    cases.add(new Case("absurd token count (10^15)", "/v1/traces", "application/json",
        withGood.apply(span("00000000000000b3", now,
            ",{\"key\":\"gen_ai.usage.input_tokens\",\"value\":{\"intValue\":\"1000000000000000\"}}")),
        "200, span rejected and counted"));
    cases.add(new Case("negative token count", "/v1/traces", "application/json",
        withGood.apply(span("00000000000000b4", now,
            ",{\"key\":\"gen_ai.usage.output_tokens\",\"value\":{\"intValue\":\"-5\"}}")),
        "200, span rejected and counted"));
    cases.add(new Case("tokens of the wrong type (string)", "/v1/traces", "application/json",
        withGood.apply(span("00000000000000b5", now,
            ",{\"key\":\"gen_ai.usage.output_tokens\",\"value\":{\"stringValue\":\"many\"}}")),
        "200, span rejected and counted"));
    cases.add(new Case("unknown enum values (kind 42, status 9)", "/v1/traces", "application/json",
        withGood.apply(span("00000000000000b6", now, "").replace("\"kind\":3", "\"kind\":42")
            .replace("\"attributes\"", "\"status\":{\"code\":9},\"attributes\"")),
        "200, read as unspecified"));
    cases.add(new Case("duplicate span ids in one request", "/v1/traces", "application/json",
        withGood.apply(span("00000000000000b7", now, "") + "," + span("00000000000000b7", now,
            "")), "200, stored once"));
    cases.add(new Case("clock skew: start 3 days ahead", "/v1/traces", "application/json",
        withGood.apply(span("00000000000000b8", now + 3 * 86_400_000_000_000L, "")),
        "200, span rejected and counted"));
    cases.add(new Case("clock skew: start in 1970", "/v1/traces", "application/json",
        withGood.apply(span("00000000000000b9", 5_000_000_000L, "")),
        "200, span rejected and counted"));
    cases.add(new Case("bad span id (3 bytes), OTLP/JSON", "/v1/traces", "application/json",
        withGood.apply(span("abcdef", now, "")), "200, span rejected and counted"));
    cases.add(new Case("base64 ids in OTLP/JSON (every span)", "/v1/traces", "application/json",
        request(span("AAAAAAAAAAE=", now, "")), "400 (the whole request uses the wrong id encoding)"));
    good[0]++;
    cases.add(new Case("bad span id (3 bytes), protobuf", "/v1/traces",
        "application/x-protobuf", protobufWithBadSpanId(0xA000L + good[0], now),
        "200, span rejected and counted"));
    cases.add(new Case("a link that is not an object, OTLP/JSON", "/v1/traces",
        "application/json", utf8(withGood.apply(span("00000000000000c1", now, "")
            .replace("\"attributes\"", "\"links\":[7],\"attributes\""))),
        "200, span rejected and counted", null, "links[0] must be an object"));
    cases.add(new Case("a token count beyond int64, OTLP/JSON", "/v1/traces", "application/json",
        utf8(withGood.apply(span("00000000000000c2", now, ",{\"key\":\"gen_ai.usage.input_tokens\","
            + "\"value\":{\"intValue\":\"99999999999999999999\"}}"))),
        "200, span rejected and counted", null, "attributes[3].value.intValue"));
    cases.add(new Case("a malformed link id (its own ids fine), OTLP/JSON", "/v1/traces",
        "application/json", utf8(withGood.apply(span("00000000000000c3", now, "")
            .replace("\"attributes\"", "\"links\":[{\"traceId\":\"" + TRACE
                + "\",\"spanId\":\"xyz\"}],\"attributes\""))),
        "200, span rejected and counted", null, "links[0].spanId must be 16 hex"));
    cases.add(new Case("Content-Encoding: gzip, body not gzip", "/v1/traces", "application/json",
        utf8("{\"resourceSpans\":[]}"), "400", "gzip", "not valid gzip"));
    cases.add(new Case("gzip bomb (1 MiB of zeros in 1 KB)", "/v1/traces", "application/json",
        gzip(new byte[1024 * 1024]), "413 (decompressed over the 64 KiB limit)", "gzip",
        "decompressed larger than"));
    cases.add(new Case("gzip OTLP/JSON", "/v1/traces", "application/json",
        gzip(utf8(withGood.apply(span("00000000000000c4", now, "")))), "200, both stored",
        "gzip", null));
    cases.add(new Case("Content-Encoding: br (unsupported)", "/v1/traces", "application/json",
        utf8("{}"), "415", "br", "unsupported Content-Encoding"));
    cases.add(new Case("outcome: unknown status", "/v1/outcomes", "application/json",
        "{\"external_key\":\"T-1\",\"status\":\"maybe\"}", "400"));
    cases.add(new Case("outcome: no workflow_id nor external_key", "/v1/outcomes",
        "application/json", "{\"status\":\"success\"}", "400"));
    cases.add(new Case("outcome: malformed JSON", "/v1/outcomes", "application/json", "{\"a\":",
        "400"));
    cases.add(new Case("outcome: value of the wrong type", "/v1/outcomes", "application/json",
        "{\"external_key\":\"T-2\",\"status\":\"success\",\"value\":\"lots\"}", "400"));
    cases.add(new Case("outcome: number out of range (found by fuzzing)", "/v1/outcomes",
        "application/json", "{\"external_key\":\"T-2\",\"status\":\"success\",\"value\":"
            + "1e2188888888888888888888888888}", "400"));
    cases.add(new Case("outcome: duplicate outcome_id", "/v1/outcomes", "application/json",
        "{\"external_key\":\"T-3\",\"status\":\"success\",\"outcome_id\":\"o-9\"}",
        "202, second copy counted as duplicate"));
    cases.add(new Case("outcome: duplicate outcome_id (again)", "/v1/outcomes",
        "application/json",
        "{\"external_key\":\"T-3\",\"status\":\"success\",\"outcome_id\":\"o-9\"}", "202"));
    cases.add(new Case("outcome: same outcome_id, other content", "/v1/outcomes",
        "application/json",
        "{\"external_key\":\"T-3\",\"status\":\"failure\",\"outcome_id\":\"o-9\"}",
        "409, naming the id"));
    cases.add(new Case("outcome: reported_at -999999999-01-01", "/v1/outcomes",
        "application/json", "{\"external_key\":\"T-4\",\"status\":\"success\","
            + "\"reported_at\":\"-999999999-01-01T00:00:00Z\"}", "400, naming the field"));
    cases.add(new Case("span: end time in 2223", "/v1/traces", "application/json",
        withGood.apply(span("00000000000000ba", now, "").replace(
            "\"endTimeUnixNano\":\"" + (now + 1_000_000) + "\"",
            "\"endTimeUnixNano\":\"8000000000000000000\"")),
        "200, span rejected and counted"));

    HttpClient http = HttpClient.newHttpClient();
    System.out.println("| input | expected | status | response |");
    System.out.println("|---|---|---|---|");
    try {
      for (Case c : cases) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + collector.port() + c.path())).header("Content-Type", c.type())
            .POST(HttpRequest.BodyPublishers.ofByteArray(c.body()));
        if (c.encoding() != null) {
          request.header("Content-Encoding", c.encoding());
        }
        HttpResponse<byte[]> r = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        String body = r.headers().firstValue("Content-Type").orElse("").contains("protobuf")
            ? "protobuf: " + io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse
                .parseFrom(r.body()).toString().replaceAll("\\s+", " ").trim()
            : new String(r.body(), java.nio.charset.StandardCharsets.UTF_8);
        String shown = body.length() > 140 ? body.substring(0, 140) + "…" : body;
        System.out.printf("| %s | %s | %d | `%s` |%n", c.input(), c.expect(), r.statusCode(),
            shown.replace("|", "\\|"));
        assertThat(String.valueOf(r.statusCode())).as(c.input()).isEqualTo(c.expect()
            .substring(0, 3));
        if (c.expect().contains("naming the id")) {
          assertThat(body).as(c.input()).contains("'o-9'");
        }
        if (c.expect().contains("naming the field")) {
          assertThat(body).as(c.input()).contains("reported_at").doesNotContain("999999999");
        }
        if (c.expect().contains("rejected and counted")) {
          assertThat(body).as(c.input()).containsPattern("\"?rejected_?[sS]pans\"?: ?1\\b");
        }
        if (c.mentions() != null) {
          assertThat(body).as(c.input()).contains(c.mentions());
        }
      }
    } finally {
      collector.close();
    }
    // every good span sent beside a bad one is in the lake, exactly once; no bad span is
    LakeCounts.Counts calls = LakeCounts.of(lake, "calls", "span_id");
    long goodRows = LakeCounts.count(lake, "calls", "span_id LIKE '000000000000a%'");
    long badRows = LakeCounts.count(lake, "calls", "span_id LIKE '00000000000000b%'");
    System.out.printf("good spans sent beside bad ones: %d (1 in an over-limit request, refused"
            + " whole); in the lake: %d; accepted odd-but-valid spans: %d; rows %d, distinct %d%n",
        good[0], goodRows, badRows, calls.rows(), calls.distinct());
    assertThat(goodRows).isEqualTo(good[0] - 1);
    assertThat(badRows).as("the 40 KB value, the unknown enums, the duplicate once").isEqualTo(3);
    assertThat(LakeCounts.count(lake, "calls", "span_id LIKE '00000000000000c%'"))
        .as("the spans rejected for a link or an int64 are not stored, the gzip one is")
        .isEqualTo(1);
    assertThat(calls.rows()).isEqualTo(calls.distinct());
    assertThat(LakeCounts.count(lake, "calls", "length(response_model) > 256")).isZero();
  }

  private static byte[] protobufWithBadSpanId(long goodId, long start) {
    io.opentelemetry.proto.trace.v1.ScopeSpans.Builder scope =
        io.opentelemetry.proto.trace.v1.ScopeSpans.newBuilder();
    for (byte[] id : new byte[][] {{1, 2, 3},
        java.nio.ByteBuffer.allocate(8).putLong(goodId).array()}) {
      scope.addSpans(io.opentelemetry.proto.trace.v1.Span.newBuilder()
          .setTraceId(com.google.protobuf.ByteString.fromHex(TRACE))
          .setSpanId(com.google.protobuf.ByteString.copyFrom(id))
          .setParentSpanId(com.google.protobuf.ByteString.fromHex("2222222222222222"))
          .setName("chat").setStartTimeUnixNano(start).setEndTimeUnixNano(start + 1_000_000)
          .addAttributes(OtlpRequests.attr("gen_ai.operation.name", "chat"))
          .addAttributes(OtlpRequests.attr("gen_ai.provider.name", "openai"))
          .addAttributes(OtlpRequests.attr("gen_ai.request.model", "gpt-4o-mini")));
    }
    return io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest.newBuilder()
        .addResourceSpans(io.opentelemetry.proto.trace.v1.ResourceSpans.newBuilder()
            .addScopeSpans(scope)).build().toByteArray();
  }

  private static String request(String spans) {
    return "{\"resourceSpans\":[{\"resource\":{\"attributes\":[{\"key\":\"service.name\","
        + "\"value\":{\"stringValue\":\"bad-input\"}}]},\"scopeSpans\":[{\"spans\":[" + spans
        + "]}]}]}";
  }

  private static String span(String spanId, long start, String extraAttributes) {
    return "{\"traceId\":\"" + TRACE + "\",\"spanId\":\"" + spanId + "\",\"parentSpanId\":"
        + "\"2222222222222222\",\"name\":\"chat\",\"kind\":3,\"startTimeUnixNano\":\"" + start
        + "\",\"endTimeUnixNano\":\"" + (start + 1_000_000) + "\",\"attributes\":["
        + "{\"key\":\"gen_ai.operation.name\",\"value\":{\"stringValue\":\"chat\"}},"
        + "{\"key\":\"gen_ai.provider.name\",\"value\":{\"stringValue\":\"openai\"}},"
        + "{\"key\":\"gen_ai.request.model\",\"value\":{\"stringValue\":\"gpt-4o-mini\"}}"
        + extraAttributes + "]}";
  }
}
