package io.flowcost.examples.fakeprovider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.fasterxml.jackson.annotation.JsonTypeName;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.errors.BadRequestException;
import com.openai.models.responses.EasyInputMessage;
import com.openai.models.responses.Response;
import com.openai.models.responses.ResponseCreateParams;
import com.openai.models.responses.ResponseFunctionToolCall;
import com.openai.models.responses.ResponseInputItem;
import com.openai.models.responses.ResponseOutputItem;
import com.openai.models.responses.ResponseStreamEvent;
import com.openai.models.responses.ResponseUsage;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Drives the fake's Responses API ({@code POST /v1/responses}) with the official OpenAI Java SDK. */
class OpenAiResponsesSdkTest {

  static FakeProvider fake;
  static OpenAIClient client;

  /** A function tool, as the SDK's function-calling example declares one. */
  @JsonTypeName("get_weather")
  @JsonClassDescription("The current weather of a city")
  public static final class GetWeather {
    @JsonPropertyDescription("the city")
    public String city;
  }

  @BeforeAll
  static void start() {
    fake = FakeProvider.start();
    client = OpenAIOkHttpClient.builder().baseUrl(fake.baseUrl()).apiKey("test-key")
        .maxRetries(2).build();
  }

  @AfterAll
  static void stop() {
    client.close();
    fake.close();
  }

  @BeforeEach
  void reset() {
    fake.reset();
  }

  static void assertUsageEquals(ResponseUsage parsed, Exchange sent) {
    assertThat(parsed.inputTokens()).isEqualTo(sent.usageOrZero("input_tokens"));
    assertThat(parsed.inputTokensDetails().cachedTokens())
        .isEqualTo(sent.usageOrZero("input_tokens_details.cached_tokens"));
    assertThat(parsed.outputTokens()).isEqualTo(sent.usageOrZero("output_tokens"));
    assertThat(parsed.outputTokensDetails().reasoningTokens())
        .isEqualTo(sent.usageOrZero("output_tokens_details.reasoning_tokens"));
    assertThat(parsed.totalTokens()).isEqualTo(sent.usageOrZero("total_tokens"));
  }

  @Test
  void aWholeResponseCarriesItsUsageAndText() {
    Response response = client.responses().create(ResponseCreateParams.builder()
        .model("gpt-5-mini").instructions(LangChain4jOpenAiTest.LONG_SYSTEM)
        .input("Hello Responses").build());
    response.validate(); // every field the SDK requires is there
    Exchange sent = fake.exchanges().get(0);
    assertThat(sent.protocol()).isEqualTo(Protocol.OPENAI_RESPONSES);
    assertThat(sent.usageOrZero("input_tokens_details.cached_tokens")).isPositive();
    assertThat(sent.usageOrZero("output_tokens_details.reasoning_tokens"))
        .isEqualTo(UsageRules.REASONING_TOKENS);
    // instructions + one input message, the text of both
    long chars = LangChain4jOpenAiTest.LONG_SYSTEM.length() + "Hello Responses".length();
    assertThat(sent.usageOrZero("input_tokens"))
        .isEqualTo(UsageRules.promptTokens(2, 0, chars));
    assertUsageEquals(response.usage().orElseThrow(), sent);
    ResponseOutputItem item = response.output().get(0);
    assertThat(item.asMessage().content().get(0).asOutputText().text()).startsWith("[fake-reply ");
  }

  @Test
  void aStreamEndsWithResponseCompletedAndItsUsage() {
    List<ResponseStreamEvent> events = new ArrayList<>();
    try (StreamResponse<ResponseStreamEvent> stream = client.responses().createStreaming(
        ResponseCreateParams.builder().model("gpt-4.1").input("Stream Responses").build())) {
      stream.stream().forEach(events::add);
    }
    ResponseStreamEvent last = events.get(events.size() - 1);
    assertThat(last.isCompleted()).isTrue();
    StringBuilder text = new StringBuilder();
    events.stream().filter(ResponseStreamEvent::isOutputTextDelta)
        .forEach(e -> text.append(e.asOutputTextDelta().delta()));
    assertThat(text.toString()).startsWith("[fake-reply ");
    Exchange sent = fake.exchanges().get(0);
    assertThat(sent.streaming()).isTrue();
    assertThat(sent.usageSent()).isTrue();
    assertUsageEquals(last.asCompleted().response().usage().orElseThrow(), sent);
  }

  @Test
  void aFunctionCallIsAnsweredByAFunctionCallOutputWithItsCallId() {
    List<ResponseInputItem> input = new ArrayList<>();
    input.add(ResponseInputItem.ofEasyInputMessage(EasyInputMessage.builder()
        .role(EasyInputMessage.Role.USER)
        .content("Weather [tool:get_weather {\"city\":\"Lima\"}]").build()));
    ResponseCreateParams.Builder params = ResponseCreateParams.builder().model("gpt-4o-mini")
        .addTool(GetWeather.class);
    Response first = client.responses().create(params.input(ResponseCreateParams.Input.ofResponse(
        input)).build());
    ResponseFunctionToolCall call = first.output().get(0).asFunctionCall();
    assertThat(call.name()).isEqualTo("get_weather");
    assertThat(call.arguments()).isEqualTo("{\"city\":\"Lima\"}");
    input.add(ResponseInputItem.ofFunctionCall(call));
    input.add(ResponseInputItem.ofFunctionCallOutput(ResponseInputItem.FunctionCallOutput.builder()
        .callId(call.callId()).output("sunny").build()));
    Response second = client.responses().create(params.input(ResponseCreateParams.Input.ofResponse(
        input)).build());
    assertThat(second.output().get(0).asMessage().content().get(0).asOutputText().text())
        .endsWith("handled after 1 tool call.");
    List<Exchange> sent = fake.exchanges();
    assertThat(sent).extracting(Exchange::replyKind)
        .containsExactly(ReplyKind.TOOL_CALL, ReplyKind.TEXT);
    assertThat(sent.get(0).toolName()).isEqualTo("get_weather");
    assertThat(sent.get(0).usageOrZero("output_tokens"))
        .isEqualTo(UsageRules.TOOL_CALL_OUTPUT_TOKENS);
    assertUsageEquals(first.usage().orElseThrow(), sent.get(0));
    assertUsageEquals(second.usage().orElseThrow(), sent.get(1));
  }

  @Test
  void aStreamedFunctionCallCarriesItsCallId() {
    List<ResponseStreamEvent> events = new ArrayList<>();
    try (StreamResponse<ResponseStreamEvent> stream = client.responses().createStreaming(
        ResponseCreateParams.builder().model("gpt-4o-mini").addTool(GetWeather.class)
            .input("Weather [tool:get_weather {\"city\":\"Oslo\"}]").build())) {
      stream.stream().forEach(events::add);
    }
    ResponseFunctionToolCall done = events.stream()
        .filter(ResponseStreamEvent::isOutputItemDone).findFirst().orElseThrow()
        .asOutputItemDone().item().asFunctionCall();
    assertThat(done.callId()).startsWith("call_fake_");
    assertThat(done.arguments()).isEqualTo("{\"city\":\"Oslo\"}");
    assertThat(events.get(events.size() - 1).asCompleted().response().output().get(0)
        .asFunctionCall().callId()).isEqualTo(done.callId());
  }

  @Test
  void aRetried429AndPreviousResponseIdRefused() {
    Response retried = client.responses().create(ResponseCreateParams.builder()
        .model("gpt-4o-mini").input("Busy [fail:429]").build());
    assertThat(retried.usage()).isPresent();
    assertThat(fake.exchanges()).extracting(Exchange::httpStatus).containsExactly(429, 200);
    assertThatThrownBy(() -> client.responses().create(ResponseCreateParams.builder()
        .model("gpt-4o-mini").previousResponseId("resp_x").input("More").build()))
        .isInstanceOf(BadRequestException.class);
  }
}
