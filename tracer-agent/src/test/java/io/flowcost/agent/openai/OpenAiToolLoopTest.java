package io.flowcost.agent.openai;

import static io.flowcost.agent.context.SpanAttributes.CALL_KIND;
import static io.flowcost.agent.context.SpanAttributes.TOOL_NAME;
import static io.flowcost.agent.context.SpanAttributes.WORKFLOW_ROOT;
import static org.assertj.core.api.Assertions.assertThat;

import io.flowcost.agent.http.RequestHints;
import io.flowcost.agent.testing.AgentTelemetryExtension;
import io.flowcost.agent.http.ToolLoop;
import io.flowcost.agent.usage.ToolAnswer;
import io.flowcost.agent.usage.ToolCallRef;
import io.flowcost.agent.usage.ToolWire;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Tool runs of an OpenAI function-calling loop, inferred from its requests. */
public class OpenAiToolLoopTest {

  @RegisterExtension final AgentTelemetryExtension telemetry = new AgentTelemetryExtension();

  private static final String ANSWERING = "{\"model\":\"gpt-4o-mini\",\"messages\":["
      + "{\"role\":\"user\",\"content\":\"Plan [tool:get_weather]\"},"
      + "{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"id\":\"call_1\",\"type\":"
      + "\"function\",\"function\":{\"name\":\"get_weather\",\"arguments\":\"{\\\"tool_call_id\\\":"
      + "\\\"call_9\\\"}\"}},{\"id\":\"call_2\",\"type\":\"function\",\"function\":{\"name\":"
      + "\"get_time\",\"arguments\":\"{}\"}}]},"
      + "{\"role\":\"tool\",\"tool_call_id\":\"call_1\",\"content\":[{\"type\":\"text\","
      + "\"text\":\"sunny\"}]},"
      + "{\"tool_call_id\":\"call_2\",\"content\":\"12:00\",\"role\":\"tool\"}],"
      + "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"get_weather\"}}]}";

  @BeforeEach
  @AfterEach
  void forget() {
    ToolLoop.clear();
  }

  @Test
  void theIdsAnsweredAreThoseOfToolMessagesOnly() {
    assertThat(openAiAnswered(ANSWERING.getBytes(StandardCharsets.UTF_8)))
        .containsExactly("call_1", "call_2");
    assertThat(openAiAnswered("{\"messages\":[{\"role\":\"user\"}]}".getBytes(
        StandardCharsets.UTF_8))).isEmpty();
    assertThat(openAiAnswered("not json".getBytes(StandardCharsets.UTF_8))).isEmpty();
    assertThat(openAiAnswered("{\"messages\":[{\"role\":\"tool\",\"tool_call_id\""
        .getBytes(StandardCharsets.UTF_8))).as("truncated").isEmpty();
  }

  @Test
  void eachAnsweredToolCallIsOneToolSpanNamedByItsFunctionAndAnsweredOnce() {
    ToolLoop.asked(ToolWire.OPENAI_CHAT, List.of(new ToolCallRef("call_1", "get_weather"),
        new ToolCallRef("call_2", "get_time")), "");
    Object token = OpenAiSdkTracing.enter(new OpenAiSdkTracingTest.OpenAiRequest(
        "http://127.0.0.1:1/v1/chat/completions", new OpenAiSdkTracingTest.JsonBody(ANSWERING)));
    OpenAiSdkTracing.exit(token, null);
    List<SpanData> tools = telemetry.spans().stream()
        .filter(s -> "tool".equals(s.getAttributes().get(CALL_KIND))).toList();
    assertThat(tools).extracting(s -> s.getAttributes().get(TOOL_NAME))
        .containsExactly("get_weather", "get_time");
    SpanData workflow = telemetry.span(WORKFLOW_ROOT, true);
    for (SpanData tool : tools) {
      assertThat(tool.getName()).startsWith("execute_tool ");
      assertThat(tool.getParentSpanId()).as("a row of the answering request's workflow")
          .isEqualTo(workflow.getSpanId());
      assertThat(tool.getEndEpochNanos()).isGreaterThanOrEqualTo(tool.getStartEpochNanos());
    }
    assertThat(ToolLoop.anyPending()).isFalse();

    // the same history sent again (the next turn) records nothing more
    Object again = OpenAiSdkTracing.enter(new OpenAiSdkTracingTest.OpenAiRequest(
        "http://127.0.0.1:1/v1/chat/completions", new OpenAiSdkTracingTest.JsonBody(ANSWERING)));
    OpenAiSdkTracing.exit(again, null);
    assertThat(telemetry.spans().stream()
        .filter(s -> "tool".equals(s.getAttributes().get(CALL_KIND)))).hasSize(2);
  }

  @Test
  void aFrameworkAboveTheSdkRecordsItsOwnTools() {
    ToolLoop.asked(ToolWire.OPENAI_CHAT, List.of(new ToolCallRef("call_1", "get_weather")), "");
    try (Scope ignored = new RequestHints("gpt-4o-mini", false).storeIn(Context.current())
        .makeCurrent()) {
      Object token = OpenAiSdkTracing.enter(new OpenAiSdkTracingTest.OpenAiRequest(
          "http://127.0.0.1:1/v1/chat/completions", new OpenAiSdkTracingTest.JsonBody(ANSWERING)));
      OpenAiSdkTracing.exit(token, null);
    }
    assertThat(telemetry.spans().stream()
        .filter(s -> "tool".equals(s.getAttributes().get(CALL_KIND)))).isEmpty();
  }

  @Test
  void theOldestPendingCallIsForgottenFirst() {
    for (int i = 0; i <= ToolLoop.MAX_PENDING; i++) {
      ToolLoop.asked(ToolWire.OPENAI_CHAT, List.of(new ToolCallRef("call_" + i, "f")), "");
    }
    ToolLoop.answering(ToolWire.OPENAI_CHAT,
        ("{\"messages\":[{\"role\":\"tool\",\"tool_call_id\":\"call_0\"},"
        + "{\"role\":\"tool\",\"tool_call_id\":\"call_1\"}]}").getBytes(StandardCharsets.UTF_8),
        Context.current(), "");
    assertThat(telemetry.spans()).hasSize(1); // call_0 was forgotten, call_1 answered
  }

  @Test
  void aResponsesLoopAndAHandWrittenAnthropicLoopAreInferredTooAnAnthropicErrorResultFailsItsRow() {
    ToolLoop.asked(ToolWire.OPENAI_RESPONSES, List.of(new ToolCallRef("call_r", "get_weather")),
        "");
    ToolLoop.asked(ToolWire.ANTHROPIC_MESSAGES, List.of(new ToolCallRef("toolu_1", "get_weather"),
        new ToolCallRef("toolu_2", "get_forecast")), "");
    Object responses = OpenAiSdkTracing.enter(new OpenAiSdkTracingTest.OpenAiRequest(
        "http://127.0.0.1:1/v1/responses", new OpenAiSdkTracingTest.JsonBody(
            "{\"model\":\"gpt-4.1\",\"input\":[{\"type\":\"function_call_output\","
                + "\"call_id\":\"call_r\",\"output\":\"sunny\"}]}")));
    OpenAiSdkTracing.exit(responses, null);
    Object anthropic = OpenAiSdkTracing.enter(new OpenAiSdkTracingTest.OpenAiRequest(
        "http://127.0.0.1:1/v1/messages", new OpenAiSdkTracingTest.JsonBody(ANTHROPIC_ANSWERING)));
    OpenAiSdkTracing.exit(anthropic, null);
    List<SpanData> tools = telemetry.spans().stream()
        .filter(s -> "tool".equals(s.getAttributes().get(CALL_KIND))).toList();
    assertThat(tools).extracting(s -> s.getAttributes().get(TOOL_NAME) + "/"
            + s.getStatus().getStatusCode() + "/"
            + s.getAttributes().get(io.flowcost.agent.context.SpanAttributes.ERROR_TYPE))
        .containsExactly("get_weather/UNSET/null", "get_weather/UNSET/null",
            "get_forecast/ERROR/tool_error");
    assertThat(ToolLoop.anyPending()).isFalse();
    // an OpenAI id answered on the Anthropic wire is not that call (wires never mix)
    ToolLoop.asked(ToolWire.OPENAI_CHAT, List.of(new ToolCallRef("toolu_1", "f")), "");
    ToolLoop.answering(ToolWire.ANTHROPIC_MESSAGES, ANTHROPIC_ANSWERING.getBytes(
        StandardCharsets.UTF_8), Context.current(), "");
    assertThat(ToolLoop.anyPending()).isTrue();
  }

  public static final String ANTHROPIC_ANSWERING = "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":256,"
      + "\"messages\":[{\"role\":\"user\",\"content\":\"weather\"},"
      + "{\"role\":\"assistant\",\"content\":[{\"type\":\"tool_use\",\"id\":\"toolu_1\","
      + "\"name\":\"get_weather\",\"input\":{}},{\"type\":\"tool_use\",\"id\":\"toolu_2\","
      + "\"name\":\"get_forecast\",\"input\":{}}]},"
      + "{\"role\":\"user\",\"content\":[{\"type\":\"tool_result\",\"tool_use_id\":"
      + "\"toolu_1\",\"content\":\"sunny\"},{\"type\":\"tool_result\",\"tool_use_id\":"
      + "\"toolu_2\",\"is_error\":true,\"content\":\"down\"}]}]}";

  private static List<String> openAiAnswered(byte[] json) {
    return ToolWire.OPENAI_CHAT.answered(json).stream().map(ToolAnswer::id).toList();
  }
}
