package io.flowcost.agent.langchain4j.chat;

import static org.assertj.core.api.Assertions.assertThat;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.http.client.HttpMethod;
import dev.langchain4j.http.client.HttpRequest;
import dev.langchain4j.http.client.SuccessfulHttpResponse;
import dev.langchain4j.model.ModelProvider;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.output.FinishReason;
import dev.langchain4j.model.output.TokenUsage;
import io.flowcost.agent.langchain4j.http.HttpExecuteAdvice;
import io.flowcost.agent.langchain4j.http.HttpTracing;
import io.flowcost.agent.testing.AgentTelemetryExtension;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The chat and HTTP advice read a call's values with plain calls to LangChain4j: the spans they
 * record are the spans the reflective reads record ({@code ChatTracing}'s and {@code HttpTracing}'s
 * entries without them), also when a getter throws (that call then reads reflectively).
 */
class TypedReadsTest {

  @RegisterExtension final AgentTelemetryExtension telemetry = new AgentTelemetryExtension();

  private static final String ANSWER =
      "{\"object\":\"chat.completion\",\"model\":\"gpt-4o-mini-2024-07-18\",\"choices\":[],"
          + "\"usage\":{\"prompt_tokens\":120,\"completion_tokens\":18}}";

  /** A model as OpenAI's reports itself; its defaults name a model. */
  static class Model implements ChatModel {
    @Override
    public ModelProvider provider() {
      return ModelProvider.OPEN_AI;
    }

    @Override
    public ChatRequestParameters defaultRequestParameters() {
      return ChatRequestParameters.builder().modelName("gpt-4o-mini").build();
    }
  }

  /** A model whose {@code provider()} throws: read as absent (its class name), either way. */
  static class ThrowingOpenAiModel extends Model {
    @Override
    public ModelProvider provider() {
      throw new IllegalStateException("no provider");
    }
  }

  private static final HttpRequest HTTP_REQUEST = HttpRequest.builder().method(HttpMethod.POST)
      .url("http://127.0.0.1:1/v1/chat/completions").body("{\"model\":\"gpt-4o-mini\"}").build();
  private static final SuccessfulHttpResponse HTTP_RESPONSE = SuccessfulHttpResponse.builder()
      .statusCode(200).headers(Map.of("content-type", List.of("application/json"))).body(ANSWER)
      .build();
  private static final ChatResponse RESPONSE = ChatResponse.builder().aiMessage(AiMessage.from("ok"))
      .modelName("gpt-4o-mini-2024-07-18").tokenUsage(new TokenUsage(120, 18))
      .finishReason(FinishReason.STOP).build();

  private static ChatRequest request(String modelName) {
    return ChatRequest.builder().modelName(modelName).messages(List.of(UserMessage.from("hi")))
        .build();
  }

  /**
   * The attributes of one call's spans (attempt, model call, its implicit workflow), through the
   * advice or not.
   */
  private List<Attributes> call(ChatModel model, ChatRequest request, boolean advice) {
    int before = telemetry.spans().size();
    if (advice) {
      Object call = ChatAdvice.enter(model, request);
      Object attempt = HttpExecuteAdvice.enter(HTTP_REQUEST);
      HttpExecuteAdvice.exit(attempt, HTTP_RESPONSE, null);
      ChatAdvice.exit(call, RESPONSE, null);
    } else {
      Object call = ChatTracing.enter(model, request, false);
      Object attempt = HttpTracing.enter(HTTP_REQUEST);
      HttpTracing.exitSync(attempt, HTTP_RESPONSE, null);
      ChatTracing.exit(call, RESPONSE, null);
    }
    List<SpanData> spans = telemetry.spans();
    // the call's and its parent's ids differ from call to call: the rest is compared
    return spans.subList(before, spans.size()).stream()
        .map(span -> span.getAttributes().toBuilder()
            .removeIf(key -> key.getKey().endsWith(".id") || key.getKey().endsWith(".parent_id"))
            .build())
        .toList();
  }

  @Test
  void theAdviceRecordsWhatTheReflectiveReadsRecord() {
    for (ChatModel model : List.of(new Model(), new ThrowingOpenAiModel())) {
      for (ChatRequest request : List.of(request("gpt-4o"), request(null))) {
        List<Attributes> reflective = call(model, request, false);
        List<Attributes> typed = call(model, request, true);
        assertThat(typed).hasSize(3).isEqualTo(reflective);
      }
    }
    assertThat(ChatTracing.typed()).as("every read linked").isTrue();
    assertThat(HttpTracing.typed()).isTrue();
    assertThat(HttpTracing.hasBodyBytes()).isTrue();
  }
}
