package io.flowcost.examples.fakeprovider;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The exchange log over HTTP and as a file, and the raw error bodies. */
class ExchangeLogTest {

  static final ObjectMapper JSON = new ObjectMapper();
  final HttpClient http = HttpClient.newHttpClient();

  HttpResponse<String> post(FakeProvider fake, String path, String body) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(fake.baseUrl() + path))
            .header("content-type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void errorBodiesFollowEachProviderAndNeverEchoThePrompt(@TempDir Path dir) throws Exception {
    try (FakeProvider fake = FakeProvider.start()) {
      HttpResponse<String> openAi = post(fake, "/chat/completions",
          "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\","
              + "\"content\":\"secret-prompt [fail-always:429]\"}]}");
      assertThat(openAi.statusCode()).isEqualTo(429);
      JsonNode openAiBody = JSON.readTree(openAi.body());
      assertThat(openAiBody.path("error").path("code").asText()).isEqualTo("rate_limit_exceeded");
      assertThat(openAi.body()).doesNotContain("secret-prompt");

      HttpResponse<String> anthropic = post(fake, "/messages",
          "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":10,\"messages\":[{\"role\":\"user\","
              + "\"content\":\"secret-prompt [fail-always:529]\"}]}");
      assertThat(anthropic.statusCode()).isEqualTo(529);
      JsonNode anthropicBody = JSON.readTree(anthropic.body());
      assertThat(anthropicBody.path("type").asText()).isEqualTo("error");
      assertThat(anthropicBody.path("error").path("type").asText()).isEqualTo("overloaded_error");
      assertThat(anthropic.body()).doesNotContain("secret-prompt");

      HttpResponse<String> ok = post(fake, "/messages",
          "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":10,\"messages\":[{\"role\":\"user\","
              + "\"content\":\"secret-prompt\"}]}");
      assertThat(ok.statusCode()).isEqualTo(200);
      assertThat(ok.body()).doesNotContain("secret-prompt");

      HttpResponse<String> log = http.send(
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + fake.port() + "/_fake/exchanges"))
              .build(),
          HttpResponse.BodyHandlers.ofString());
      JsonNode array = JSON.readTree(log.body());
      assertThat(array).hasSize(3);
      assertThat(array.get(0).path("protocol").asText()).isEqualTo("openai.chat");
      assertThat(array.get(1).path("http_status").asInt()).isEqualTo(529);
      assertThat(array.get(1).path("usage_sent").asBoolean()).isFalse();
      assertThat(array.get(2).path("usage").path("input_tokens").asLong())
          .isEqualTo(fake.exchanges().get(2).usageOrZero("input_tokens"));
      assertThat(log.body()).doesNotContain("secret-prompt");

      Path file = dir.resolve("out/exchanges.json");
      fake.writeExchanges(file);
      assertThat(JSON.readTree(file.toFile())).isEqualTo(array);
    }
  }

  @Test
  void markersParse() {
    Markers m = Markers.parse(
        "x [tool:a {\"q\":\"[x]\"}] [tool:b] [fail:500x3] [slow:5] [cache-write-1h]");
    assertThat(m.tools()).extracting(Markers.ToolMarker::name).containsExactly("a", "b");
    assertThat(m.tools().get(0).arguments().path("q").asText()).isEqualTo("[x]");
    assertThat(m.tools().get(1).arguments().isEmpty()).isTrue();
    assertThat(m.failStatus()).isEqualTo(500);
    assertThat(m.failAttempts()).isEqualTo(3);
    assertThat(m.slowMillis()).isEqualTo(5);
    assertThat(m.cacheWrite1h()).isTrue();
    assertThat(m.cacheWrite5m()).isFalse();
    assertThat(Markers.parse("plain text")).isEqualTo(Markers.NONE);
  }

  @Test
  void unknownPathIs404() throws Exception {
    try (FakeProvider fake = FakeProvider.start()) {
      assertThat(post(fake, "/completions", "{}").statusCode()).isEqualTo(404);
      assertThat(fake.exchanges()).isEmpty();
    }
  }
}
