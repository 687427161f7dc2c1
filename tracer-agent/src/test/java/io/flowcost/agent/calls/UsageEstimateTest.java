package io.flowcost.agent.calls;

import static io.flowcost.agent.context.SpanAttributes.ATTEMPT;
import static io.flowcost.agent.context.SpanAttributes.INPUT_TOKENS;
import static io.flowcost.agent.context.SpanAttributes.OUTPUT_TOKENS;
import static io.flowcost.agent.context.SpanAttributes.REQUEST_MODEL;
import static org.assertj.core.api.Assertions.assertThat;

import com.knuddels.jtokkit.api.Encoding;
import io.flowcost.agent.testing.AgentTelemetryExtension;
import io.flowcost.agent.usage.StreamUsageAccumulator;
import io.flowcost.agent.usage.UsageParser;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Answered exchanges whose usage never came: estimated from the request and the answer received,
 * with OpenAI's encoding for OpenAI, ⌈bytes ÷ 4⌉ / ⌈chars ÷ 4⌉ elsewhere; reported usage is never
 * replaced.
 */
class UsageEstimateTest {

  @RegisterExtension final AgentTelemetryExtension telemetry = new AgentTelemetryExtension();

  private static final AttributeKey<Boolean> ESTIMATED =
      AttributeKey.booleanKey("flowcost.usage.estimated");

  private static final String HELLO =
      "{\"model\":\"gpt-4o-mini\",\"stream\":true,"
          + "\"messages\":[{\"role\":\"user\",\"content\":\"Hello\"}]}";

  private static String chunk(String content) {
    return "{\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"model\":\"gpt-4o-mini\","
        + "\"choices\":[{\"index\":0,\"delta\":{\"content\":\"" + content + "\"},"
        + "\"finish_reason\":null}]}";
  }

  private SpanData attempt(String model, long number) {
    return telemetry.spans().stream()
        .filter(s -> model.equals(s.getAttributes().get(REQUEST_MODEL)))
        .filter(s -> Long.valueOf(number).equals(s.getAttributes().get(ATTEMPT)))
        .findFirst()
        .orElseThrow();
  }

  /** Runs one call of one attempt fed with these SSE payloads, ended with {@code status}. */
  private void stream(String provider, String model, String body, int status, String... events) {
    LogicalCall call = LogicalCall.start("model", "chat", provider, model, true);
    call.requestBody(RequestBody.ofBytes(body.getBytes(StandardCharsets.UTF_8)));
    StreamUsageAccumulator acc = new StreamUsageAccumulator();
    for (String e : events) {
      acc.onEvent(e);
    }
    try (Scope ignored = call.context().makeCurrent()) {
      Attempt a = call.startAttempt();
      if (status == 200) {
        a.succeeded(200, acc.result());
      } else {
        a.failed(status, "http_" + status, null);
      }
    }
    call.end(null, null, null, null);
  }

  @Test
  void anOpenAiStreamWithoutUsageIsCountedWithTheModelsEncoding() {
    stream("openai", "gpt-4o-mini", HELLO, 200,
        chunk("Hello"), chunk(" world"), chunk("!"), "[DONE]");
    SpanData a = attempt("gpt-4o-mini", 1);
    // by hand (OpenAI cookbook): 3 per message + "user" (1) + "Hello" (1), + 3 priming
    assertThat(a.getAttributes().get(INPUT_TOKENS)).isEqualTo(8L);
    // "Hello" " world" "!" in o200k_base
    assertThat(a.getAttributes().get(OUTPUT_TOKENS)).isEqualTo(3L);
    assertThat(a.getAttributes().get(ESTIMATED)).isTrue();
  }

  @Test
  void reportedUsageIsKeptAsItIs() {
    stream("openai", "gpt-4o-mini", HELLO, 200, chunk("Hello"),
        "{\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"model\":\"gpt-4o-mini\",\"choices\":[],"
            + "\"usage\":{\"prompt_tokens\":11,\"completion_tokens\":5}}");
    SpanData a = attempt("gpt-4o-mini", 1);
    assertThat(a.getAttributes().get(INPUT_TOKENS)).isEqualTo(11L);
    assertThat(a.getAttributes().get(OUTPUT_TOKENS)).isEqualTo(5L);
    assertThat(a.getAttributes().get(ESTIMATED)).isNull();
  }

  @Test
  void anUnbilledFailureGetsNoEstimate() {
    stream("openai", "gpt-4o-mini", HELLO, 429);
    SpanData a = attempt("gpt-4o-mini", 1);
    assertThat(a.getAttributes().get(INPUT_TOKENS)).isNull();
    assertThat(a.getAttributes().get(ESTIMATED)).isNull();
  }

  @Test
  void otherProvidersUseTheFourCharactersRule() {
    String body = "{\"model\":\"mistral-small\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}";
    stream("mistral_ai", "mistral-small", body, 200, chunk("Hello"), chunk(" world"));
    SpanData a = attempt("mistral-small", 1);
    assertThat(a.getAttributes().get(INPUT_TOKENS)).isEqualTo((body.length() + 3L) / 4);
    assertThat(a.getAttributes().get(OUTPUT_TOKENS)).isEqualTo(3L); // ⌈11 chars ÷ 4⌉
    assertThat(a.getAttributes().get(ESTIMATED)).isTrue();
  }

  @Test
  void toolDefinitionsAndToolCallsCountAsTheCookbookSays() {
    Encoding enc = OpenAiTokens.encodingFor("gpt-4o");
    String body = "{\"model\":\"gpt-4o\",\"messages\":["
        + "{\"role\":\"system\",\"content\":\"Be brief.\"},"
        + "{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"Weather in Paris?\"}]},"
        + "{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"id\":\"call_1\",\"type\":\"function\","
        + "\"function\":{\"name\":\"get_weather\",\"arguments\":\"{\\\"city\\\":\\\"Paris\\\"}\"}}]},"
        + "{\"role\":\"tool\",\"tool_call_id\":\"call_1\",\"content\":\"sunny\"}],"
        + "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"get_weather\","
        + "\"description\":\"Get the weather.\",\"parameters\":{\"type\":\"object\","
        + "\"properties\":{\"unit\":{\"type\":\"string\",\"enum\":[\"c\",\"f\"]},"
        + "\"city\":{\"type\":\"string\",\"description\":\"The city.\"}}}}}]}";
    long messages = (3 + c(enc, "system") + c(enc, "Be brief."))
        + (3 + c(enc, "user") + c(enc, "Weather in Paris?"))
        + (3 + c(enc, "assistant") + c(enc, "get_weather") + c(enc, "{\"city\":\"Paris\"}"))
        + (3 + c(enc, "tool") + c(enc, "call_1") + c(enc, "sunny"))
        + 3;
    long tools = 7 + c(enc, "get_weather:Get the weather") + 3
        + 3 + (-3 + 3 + c(enc, "c") + 3 + c(enc, "f")) + c(enc, "unit:string:")
        + 3 + c(enc, "city:string:The city")
        + 12;
    assertThat(OpenAiTokens.countChatRequest(body, "gpt-4o", enc)).isEqualTo(messages + tools);
    // GPT-4 / GPT-3.5: 10 tokens per function instead of 7
    assertThat(OpenAiTokens.countChatRequest(body.replace("gpt-4o", "gpt-4"), "gpt-4", enc))
        .isEqualTo(messages + tools + 3);
  }

  @Test
  void theToolConstantsFollowTheModelGeneration() {
    assertThat(OpenAiTokens.olderModel("gpt-4o-mini")).isFalse();
    assertThat(OpenAiTokens.olderModel("gpt-4.1")).isFalse();
    assertThat(OpenAiTokens.olderModel("o3-mini")).isFalse();
    assertThat(OpenAiTokens.olderModel("gpt-4-turbo")).isTrue();
    assertThat(OpenAiTokens.olderModel("openai/gpt-3.5-turbo")).isTrue();
    assertThat(OpenAiTokens.olderModel(null)).isFalse();
  }

  @Test
  void aWholeAnswerWithoutUsageKeepsItsTextForTheEstimateOnly() {
    var summary = UsageParser.parse("{\"model\":\"gpt-4o\",\"choices\":[{\"message\":"
        + "{\"role\":\"assistant\",\"content\":\"Hi there\"},\"finish_reason\":\"stop\"}]}");
    assertThat(summary.usage()).isNull();
    assertThat(summary.outputText()).isEqualTo("Hi there");
    assertThat(summary.withoutOutputText().outputText()).isNull();
    var reported = UsageParser.parse("{\"model\":\"gpt-4o\",\"choices\":[{\"message\":"
        + "{\"content\":\"Hi\"}}],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":1}}");
    assertThat(reported.outputText()).as("no text kept when usage came").isNull();
  }

  private static long c(Encoding enc, String s) {
    return OpenAiTokens.count(enc, s);
  }
}
