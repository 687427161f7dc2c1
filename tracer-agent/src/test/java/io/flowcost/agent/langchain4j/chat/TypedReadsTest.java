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
import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.service.TokenStream;
import dev.langchain4j.service.tool.ToolExecutionResult;
import io.flowcost.agent.langchain4j.aiservice.AiServiceInvokeAdvice;
import io.flowcost.agent.langchain4j.aiservice.AiServiceTracing;
import io.flowcost.agent.langchain4j.http.HttpExecuteAdvice;
import io.flowcost.agent.langchain4j.http.HttpTracing;
import io.flowcost.agent.langchain4j.tool.ToolServiceAdvice;
import io.flowcost.agent.langchain4j.tool.ToolTracing;
import io.flowcost.agent.testing.AgentTelemetryExtension;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The chat, HTTP, tool and AI-service advice read a call's values with plain calls to LangChain4j:
 * the spans they record are the spans the reflective reads record (the tracing classes' entries
 * without them), also when a getter throws (that call then reads reflectively) or a tool's result
 * is of another class (1.4's {@code ToolExecutionResultMessage}).
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
    assertThat(ChatTracing.TYPED.on()).as("every read linked").isTrue();
    assertThat(HttpTracing.TYPED.on()).isTrue();
    assertThat(HttpTracing.BODY_BYTES_TYPED.on()).isTrue();
  }

  /** A tool span as compared: its name, status and attributes. */
  private List<Object> tool(Object result, boolean advice) {
    ToolExecutionRequest request = ToolExecutionRequest.builder().id("call_1").name("lookupPolicy")
        .arguments("{}").build();
    int before = telemetry.spans().size();
    if (advice) {
      ToolServiceAdvice.exit(ToolServiceAdvice.enter(request), result, null);
    } else {
      ToolTracing.exit(ToolTracing.enter(request), result, null);
    }
    List<SpanData> spans = telemetry.spans();
    assertThat(spans).hasSize(before + 1);
    SpanData span = spans.get(before);
    return List.of(span.getName(), span.getStatus(), span.getAttributes());
  }

  @Test
  void theToolAdviceRecordsWhatTheReflectiveReadsRecord() {
    List<Object> results = List.of(
        ToolExecutionResult.builder().resultText("ok").build(),
        ToolExecutionResult.builder().resultText("failed").isError(true).build(),
        ToolExecutionResultMessage.from("call_1", "lookupPolicy", "ok"),
        "neither");
    for (Object result : results) {
      assertThat(tool(result, true)).isEqualTo(tool(result, false));
    }
    assertThat(tool(results.get(1), true).toString()).contains("tool_error");
    assertThat(ToolTracing.TYPED.on()).as("every read linked").isTrue();
    assertThat(ToolTracing.RESULT_TYPED.on()).isTrue();
  }

  interface Assistant {
    String answer(String question);
  }

  @Test
  void theAiServiceAdviceTellsATokenStreamAsTheNameDoes() throws Exception {
    java.lang.reflect.Method method = Assistant.class.getMethod("answer", String.class);
    Object stream = java.lang.reflect.Proxy.newProxyInstance(getClass().getClassLoader(),
        new Class<?>[] {TokenStream.class}, (proxy, m, args) -> null);
    for (boolean advice : List.of(true, false)) {
      int before = telemetry.spans().size();
      Object token = AiServiceInvokeAdvice.enter(method, new Object[] {"q"});
      if (advice) {
        AiServiceInvokeAdvice.exit(token, stream, null);
      } else {
        AiServiceTracing.exit(token, stream, null);
      }
      assertThat(telemetry.spans()).as("a stream's invocation ends with the stream").hasSize(before);
      token = AiServiceInvokeAdvice.enter(method, new Object[] {"q"});
      if (advice) {
        AiServiceInvokeAdvice.exit(token, "an answer", null);
      } else {
        AiServiceTracing.exit(token, "an answer", null);
      }
      assertThat(telemetry.spans()).hasSize(before + 1);
    }
    assertThat(AiServiceTracing.TYPED.on()).isTrue();
  }
}
