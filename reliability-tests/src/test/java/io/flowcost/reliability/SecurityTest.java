package io.flowcost.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
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
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** API keys (401 / attribution to the key's owner) and TLS, against the packaged collector. */
class SecurityTest {

  @TempDir Path tmp;

  @Test
  @Timeout(value = 2, unit = TimeUnit.MINUTES)
  void withKeysConfiguredOnlyAKnownKeyIsAcceptedAndItsTagsArePinned() throws Exception {
    Path keys = tmp.resolve("keys.txt");
    Files.writeString(keys, "# key = owner tags\nk-alpha-7f3 = owner=alice,team=search\n",
        StandardCharsets.UTF_8);
    Path lake = tmp.resolve("lake");
    int port = CollectorProcess.freePort();
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    try (CollectorProcess collector = CollectorProcess.of(port, lake, tmp.resolve("data"),
        tmp.resolve("log.txt"), "--api-keys", keys.toString()).start()) {
      URI traces = URI.create("http://127.0.0.1:" + port + "/v1/traces");
      byte[] body = workflows();

      HttpResponse<String> none = http.send(post(traces, body).build(),
          HttpResponse.BodyHandlers.ofString());
      HttpResponse<String> wrong = http.send(post(traces, body)
          .header("X-Flowcost-Api-Key", "k-guess").build(), HttpResponse.BodyHandlers.ofString());
      HttpResponse<String> outcomeNoKey = http.send(HttpRequest.newBuilder(
              URI.create("http://127.0.0.1:" + port + "/v1/outcomes"))
          .header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(
              "{\"external_key\":\"T-1\",\"status\":\"success\"}")).build(),
          HttpResponse.BodyHandlers.ofString());
      HttpResponse<byte[]> right = http.send(post(traces, body)
          .header("X-Flowcost-Api-Key", "k-alpha-7f3").build(),
          HttpResponse.BodyHandlers.ofByteArray());
      HttpResponse<byte[]> bearer = http.send(post(traces, workflows())
          .header("Authorization", "Bearer k-alpha-7f3").build(),
          HttpResponse.BodyHandlers.ofByteArray());
      // an outcome carries no tags: one that tries to set them is refused, so it cannot move
      // the workflow's spend to another team either
      HttpResponse<String> outcomeWithTags = http.send(HttpRequest.newBuilder(
              URI.create("http://127.0.0.1:" + port + "/v1/outcomes"))
          .header("Content-Type", "application/json").header("X-Flowcost-Api-Key", "k-alpha-7f3")
          .POST(HttpRequest.BodyPublishers.ofString("{\"external_key\":\"T-1\","
              + "\"status\":\"success\",\"tags\":{\"team\":\"checkout\"}}")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(outcomeWithTags.statusCode()).isEqualTo(400);
      assertThat(outcomeWithTags.body()).contains("unknown").doesNotContain("tags");
      System.out.printf("api keys: no key -> %d, wrong key -> %d, outcome without key -> %d,"
              + " right key -> %d, bearer -> %d%n", none.statusCode(), wrong.statusCode(),
          outcomeNoKey.statusCode(), right.statusCode(), bearer.statusCode());
      assertThat(none.statusCode()).isEqualTo(401);
      assertThat(none.body()).contains("X-Flowcost-Api-Key");
      assertThat(wrong.statusCode()).isEqualTo(401);
      assertThat(outcomeNoKey.statusCode()).isEqualTo(401);
      assertThat(right.statusCode()).isEqualTo(200);
      assertThat(bearer.statusCode()).isEqualTo(200);
      collector.stop();
      assertThat(collector.log()).doesNotContain("k-alpha-7f3").doesNotContain("k-guess");
    }

    Map<String, Map<String, String>> tags = new HashMap<>();
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT DISTINCT workflow_name, tags['owner'], tags['team'],"
            + " tags['feature']"
            + " FROM read_parquet('" + lake + "/workflow_spans/date=*/*.parquet')")) {
      while (rs.next()) {
        tags.put(rs.getString(1), Map.of("owner", String.valueOf(rs.getString(2)),
            "team", String.valueOf(rs.getString(3)), "feature", String.valueOf(rs.getString(4))));
      }
    }
    // the key's tags are pinned: a workflow's own team tag (span attribute, which is also how
    // baggage and the outcome API's tags arrive) cannot override them; its other tags stay
    assertThat(tags)
        .containsEntry("untagged", Map.of("owner", "alice", "team", "search", "feature", "null"))
        .containsEntry("tagged", Map.of("owner", "alice", "team", "search", "feature", "faq"))
        .hasSize(2);
  }

  @Test
  @Timeout(value = 2, unit = TimeUnit.MINUTES)
  void withACertificateTheCollectorSpeaksTlsOnly() throws Exception {
    SelfSignedCert cert = SelfSignedCert.create(tmp);
    int port = CollectorProcess.freePort();
    try (CollectorProcess collector = CollectorProcess.of(port, tmp.resolve("lake"),
        tmp.resolve("data"), tmp.resolve("log.txt"), "--tls-cert", cert.certPem().toString(),
        "--tls-key", cert.keyPem().toString()).startTls(cert.trustingContext())) {
      HttpClient trusting = HttpClient.newBuilder().sslContext(cert.trustingContext())
          .connectTimeout(Duration.ofSeconds(5)).build();
      HttpResponse<byte[]> ok = trusting.send(
          post(URI.create("https://127.0.0.1:" + port + "/v1/traces"), workflows()).build(),
          HttpResponse.BodyHandlers.ofByteArray());
      assertThat(ok.statusCode()).isEqualTo(200);
      assertThat(ok.version()).isNotNull();
      System.out.printf("tls: POST https://127.0.0.1:%d/v1/traces -> %d (self-signed EC cert"
          + " trusted by the client)%n", port, ok.statusCode());

      HttpClient defaultTrust = HttpClient.newBuilder()
          .connectTimeout(Duration.ofSeconds(5)).build();
      assertThatThrownBy(() -> defaultTrust.send(HttpRequest.newBuilder(
              URI.create("https://127.0.0.1:" + port + "/health")).build(),
          HttpResponse.BodyHandlers.ofString()))
          .as("an untrusted certificate is refused by a normal client")
          .isInstanceOf(SSLHandshakeException.class);
      HttpClient plain = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
      assertThatThrownBy(() -> plain.send(HttpRequest.newBuilder(
              URI.create("http://127.0.0.1:" + port + "/health")).timeout(Duration.ofSeconds(5))
              .build(), HttpResponse.BodyHandlers.ofString()))
          .as("plain HTTP is not served").isInstanceOf(java.io.IOException.class);
    }
  }

  private static HttpRequest.Builder post(URI uri, byte[] body) {
    return HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10))
        .header("Content-Type", "application/x-protobuf")
        .POST(HttpRequest.BodyPublishers.ofByteArray(body));
  }

  /** Two workflow roots: one with its own team tag, one without any tag. */
  private static byte[] workflows() {
    long now = System.currentTimeMillis() * 1_000_000L;
    long salt = System.nanoTime();
    ScopeSpans.Builder scope = ScopeSpans.newBuilder();
    int i = 0;
    for (String name : new String[] {"tagged", "untagged"}) {
      i++;
      Span.Builder s = Span.newBuilder()
          .setTraceId(ByteString.copyFrom(ByteBuffer.allocate(16).putLong(salt).putLong(i).array()))
          .setSpanId(ByteString.copyFrom(ByteBuffer.allocate(8).putLong(salt + i).array()))
          .setName(name).setStartTimeUnixNano(now).setEndTimeUnixNano(now + 1_000_000)
          .addAttributes(bool("flowcost.workflow.root"))
          .addAttributes(OtlpRequests.attr("flowcost.workflow.name", name));
      if (name.equals("tagged")) {
        s.addAttributes(OtlpRequests.attr("flowcost.tag.team", "checkout"))
            .addAttributes(OtlpRequests.attr("flowcost.tag.feature", "faq"));
      }
      scope.addSpans(s);
    }
    return ExportTraceServiceRequest.newBuilder().addResourceSpans(ResourceSpans.newBuilder()
        .setResource(Resource.newBuilder().addAttributes(OtlpRequests.attr("service.name", "s")))
        .addScopeSpans(scope)).build().toByteArray();
  }

  private static KeyValue bool(String key) {
    return KeyValue.newBuilder().setKey(key).setValue(
        io.opentelemetry.proto.common.v1.AnyValue.newBuilder().setBoolValue(true)).build();
  }
}
