package io.flowcost.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Names sent in a request (model, workflow, service, tags) that hold a newline and a forged log
 * line, terminal escape sequences (colour, window title, clear screen), NUL, C1 controls and
 * bidi overrides reach neither the collector's log nor {@code report}'s output raw; the lake
 * keeps them exactly as sent.
 */
class HostileTextTest {

  static final String FORGED = "2026-12-06T00:00:00.000Z SEVERE  Pipeline: forged line";
  static final String MODEL = "evil-model\n" + FORGED + "\u001b[2J\u0000\u009b";
  static final String INTENT = "\u001b]0;pwned\u0007\u001b[31mintent\n" + FORGED + "\u202e";
  static final String SERVICE = "svc\u001b[2J\r\n" + FORGED;

  @TempDir Path tmp;

  @Test
  @Timeout(value = 2, unit = TimeUnit.MINUTES)
  void controlCharactersFromRequestsReachNeitherTheLogNorTheReport() throws Exception {
    Path lake = tmp.resolve("lake");
    int port = CollectorProcess.freePort();
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    List<Integer> statuses = new ArrayList<>();
    try (CollectorProcess collector = CollectorProcess.of(port, lake, tmp.resolve("data"),
        tmp.resolve("log.txt")).start()) {
      URI traces = URI.create("http://127.0.0.1:" + port + "/v1/traces");
      statuses.add(http.send(HttpRequest.newBuilder(traces).timeout(Duration.ofSeconds(10))
              .header("Content-Type", "application/x-protobuf")
              .POST(HttpRequest.BodyPublishers.ofByteArray(request())).build(),
          HttpResponse.BodyHandlers.ofString()).statusCode());
      // an outcome whose unknown field name is hostile: the 400 names the problem, not the name
      HttpResponse<String> outcome = http.send(HttpRequest.newBuilder(
              URI.create("http://127.0.0.1:" + port + "/v1/outcomes"))
          .timeout(Duration.ofSeconds(10)).header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString("{\"external_key\":\"k\",\"status\":\"success\","
              + "\"x\\u001b[2J\\n" + FORGED + "\":1}")).build(),
          HttpResponse.BodyHandlers.ofString());
      statuses.add(outcome.statusCode());
      assertThat(outcome.body()).doesNotContain("forged").doesNotContain("\\u001b");
      collector.stop(); // flushes to the lake

      String log = collector.log();
      System.out.printf("hostile text: statuses %s; collector log %d lines%n", statuses,
          log.lines().count());
      assertThat(statuses).containsExactly(200, 400);
      assertNoRawControlCharacters("collector log", log);
      assertThat(log.lines()).noneMatch(line -> line.startsWith(FORGED.substring(0, 24)));
      assertThat(log).as("the unpriced model is named, escaped")
          .contains("evil-model\\n" + FORGED + "\\u001b[2J\\u0000\\u009b");
    }

    Process report = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java")
        .toString(), "-jar", CollectorProcess.collectorJar().toString(), "report", "--live",
        "--lake", lake.toString()).redirectErrorStream(true).start();
    byte[] out = report.getInputStream().readAllBytes();
    assertThat(report.waitFor(60, TimeUnit.SECONDS)).isTrue();
    String printed = new String(out, StandardCharsets.UTF_8);
    System.out.println("hostile text: report output\n" + printed);
    assertThat(report.exitValue()).isZero();
    assertNoRawControlCharacters("report output", printed);
    assertThat(printed).contains("\\u001b]0;pwned\\u0007\\u001b[31mint…")
        .contains("openai/evil-model\\n" + FORGED + "\\u001b[2J\\u0000\\u009b: 1 calls");

    // the lake keeps what was sent: escaping is for display only
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
        Statement st = c.createStatement()) {
      try (ResultSet rs = st.executeQuery("SELECT request_model, service FROM read_parquet('"
          + lake + "/calls/date=*/*.parquet')")) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getString(1)).isEqualTo(MODEL);
        assertThat(rs.getString(2)).isEqualTo(SERVICE);
      }
      try (ResultSet rs = st.executeQuery("SELECT workflow_name, tags['team'] FROM read_parquet('"
          + lake + "/workflow_spans/date=*/*.parquet')")) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getString(1)).isEqualTo(INTENT);
        assertThat(rs.getString(2)).isEqualTo("t\u0000\n" + FORGED);
      }
    }
  }

  /** Line breaks are the only control characters allowed: the ones the printer itself wrote. */
  private static void assertNoRawControlCharacters(String what, String text) {
    for (String line : text.split("\n", -1)) {
      for (int i = 0; i < line.length(); i++) {
        char c = line.charAt(i);
        boolean control = c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == '\u2028' || c == '\u2029'
            || (c >= '\u202a' && c <= '\u202e') || (c >= '\u2066' && c <= '\u2069');
        assertThat(control).as("%s has a raw U+%04X in the line: %s", what, (int) c,
            line.replaceAll("\\p{Cntrl}", "?")).isFalse();
      }
    }
  }

  /** A workflow root and one unpriced model call under it, every name hostile. */
  private static byte[] request() {
    long now = System.currentTimeMillis() * 1_000_000L;
    ByteString trace = ByteString.copyFrom(
        ByteBuffer.allocate(16).putLong(0x5eedL).putLong(System.nanoTime()).array());
    ByteString root = ByteString.copyFrom(ByteBuffer.allocate(8).putLong(0x1001L).array());
    Span workflow = Span.newBuilder().setTraceId(trace).setSpanId(root).setName("wf")
        .setStartTimeUnixNano(now).setEndTimeUnixNano(now + 2_000_000L)
        .addAttributes(KeyValue.newBuilder().setKey("flowcost.workflow.root")
            .setValue(AnyValue.newBuilder().setBoolValue(true)))
        .addAttributes(OtlpRequests.attr("flowcost.workflow.name", INTENT))
        .addAttributes(OtlpRequests.attr("flowcost.tag.team", "t\u0000\n" + FORGED))
        .build();
    Span call = Span.newBuilder().setTraceId(trace)
        .setSpanId(ByteString.copyFrom(ByteBuffer.allocate(8).putLong(0x1002L).array()))
        .setParentSpanId(root).setName("chat").setKind(Span.SpanKind.SPAN_KIND_CLIENT)
        .setStartTimeUnixNano(now).setEndTimeUnixNano(now + 1_000_000L)
        .addAttributes(OtlpRequests.attr("gen_ai.operation.name", "chat"))
        .addAttributes(OtlpRequests.attr("gen_ai.provider.name", "openai"))
        .addAttributes(OtlpRequests.attr("gen_ai.request.model", MODEL))
        .addAttributes(OtlpRequests.intAttr("gen_ai.usage.input_tokens", 10))
        .addAttributes(OtlpRequests.intAttr("gen_ai.usage.output_tokens", 5))
        .build();
    return ExportTraceServiceRequest.newBuilder().addResourceSpans(ResourceSpans.newBuilder()
        .setResource(Resource.newBuilder().addAttributes(OtlpRequests.attr("service.name", SERVICE)))
        .addScopeSpans(ScopeSpans.newBuilder().addSpans(workflow).addSpans(call)))
        .build().toByteArray();
  }
}
