package io.flowcost.examples.fakeprovider;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/**
 * Anthropic's server-side message threads: a continued thread is answered over the whole
 * conversation, as the SDK 3.x {@code BetaToolRunner} expects.
 */
class AnthropicThreadsTest {

  private final ExchangeLogTest http = new ExchangeLogTest();

  @Test
  void aContinuedThreadIsAnsweredOverTheWholeConversation() throws Exception {
    String user = "{\"role\":\"user\",\"content\":\"Weather? [tool:get_weather {\\\"city\\\":\\\"Oslo\\\"}]\"}";
    try (FakeProvider fake = FakeProvider.start()) {
      HttpResponse<String> first = http.post(fake, "/messages",
          "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":64,\"thread\":{\"type\":\"create\"},"
              + "\"messages\":[" + user + "]}");
      JsonNode asked = ExchangeLogTest.JSON.readTree(first.body());
      assertThat(asked.path("stop_reason").asText()).isEqualTo("tool_use");
      String toolUseId = asked.path("content").get(0).path("id").asText();
      String result = "{\"role\":\"user\",\"content\":[{\"type\":\"tool_result\",\"tool_use_id\":\""
          + toolUseId + "\",\"content\":\"sunny\"}]}";

      HttpResponse<String> continued = http.post(fake, "/messages",
          "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":64,\"thread\":{\"type\":\"continue\","
              + "\"previous_message_id\":\"" + asked.path("id").asText() + "\"},\"messages\":["
              + result + "]}");
      JsonNode answered = ExchangeLogTest.JSON.readTree(continued.body());
      assertThat(answered.path("stop_reason").asText()).isEqualTo("end_turn");
      assertThat(answered.path("content").get(0).path("text").asText())
          .endsWith("handled after 1 tool call.");

      // the same three messages sent whole, without a thread, are billed the same
      String assistant = "{\"role\":\"assistant\",\"content\":" + asked.path("content") + "}";
      HttpResponse<String> whole = http.post(fake, "/messages",
          "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":64,\"messages\":[" + user + ","
              + assistant + "," + result + "]}");
      assertThat(ExchangeLogTest.JSON.readTree(whole.body()).path("usage").path("input_tokens")
          .asLong()).isEqualTo(answered.path("usage").path("input_tokens").asLong());

      // an unknown previous message: the request is answered as it is
      HttpResponse<String> unknown = http.post(fake, "/messages",
          "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":64,\"thread\":{\"type\":\"continue\","
              + "\"previous_message_id\":\"msg_nope\"},\"messages\":[" + user + "]}");
      assertThat(unknown.statusCode()).isEqualTo(200);
    }
  }
}
