package io.flowcost.agent.http;

import static io.flowcost.agent.context.SpanAttributes.CALL_KIND;
import static io.flowcost.agent.context.SpanAttributes.ERROR_TYPE;
import static io.flowcost.agent.context.SpanAttributes.TOOL_NAME;
import static org.assertj.core.api.Assertions.assertThat;

import io.flowcost.agent.testing.AgentTelemetryExtension;
import io.flowcost.agent.usage.ToolCallRef;
import io.flowcost.agent.usage.ToolWire;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Tool runs inferred from Gemini and Bedrock Converse wires (OpenAI's: OpenAiToolLoopTest). */
class ToolLoopTest {

  @RegisterExtension final AgentTelemetryExtension telemetry = new AgentTelemetryExtension();

  @BeforeEach
  @AfterEach
  void forget() {
    ToolLoop.clear();
  }

  private List<SpanData> tools() {
    return telemetry.spans().stream()
        .filter(s -> "tool".equals(s.getAttributes().get(CALL_KIND))).toList();
  }

  private static byte[] geminiAnswering(String... names) {
    StringBuilder parts = new StringBuilder();
    for (String name : names) {
      parts.append(parts.length() == 0 ? "" : ",").append("{\"functionResponse\":{\"name\":\"")
          .append(name).append("\",\"response\":{\"result\":\"secret\"}}}");
    }
    return ("{\"contents\":[{\"role\":\"user\",\"parts\":[" + parts + "]}]}")
        .getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void idlessGeminiCallsArePairedByNameInOrderWithinTheirWorkflowAndAnsweredOnce() {
    ToolLoop.asked(ToolWire.GEMINI, List.of(new ToolCallRef(null, "lookup_claim")), "wf-1");
    ToolLoop.asked(ToolWire.GEMINI, List.of(new ToolCallRef(null, "lookup_claim")), "wf-2");
    // another workflow's answer, and one for a function nobody asked for: nothing
    ToolLoop.answering(ToolWire.GEMINI, geminiAnswering("lookup_claim"), Context.current(), "wf-3");
    ToolLoop.answering(ToolWire.GEMINI, geminiAnswering("other"), Context.current(), "wf-1");
    assertThat(tools()).isEmpty();

    ToolLoop.answering(ToolWire.GEMINI, geminiAnswering("lookup_claim", "lookup_claim"),
        Context.current(), "wf-1");
    assertThat(tools()).as("one call asked in wf-1, so one row").hasSize(1);
    ToolLoop.answering(ToolWire.GEMINI, geminiAnswering("lookup_claim"), Context.current(), "wf-1");
    assertThat(tools()).as("answered once").hasSize(1);
    ToolLoop.answering(ToolWire.GEMINI, geminiAnswering("lookup_claim"), Context.current(), "wf-2");
    assertThat(tools()).extracting(s -> s.getAttributes().get(TOOL_NAME))
        .containsExactly("lookup_claim", "lookup_claim");
    assertThat(ToolLoop.anyPending()).isFalse();
  }

  @Test
  void aGeminiAnswerWithAnIdIsPairedByIdWhateverTheWorkflow() {
    ToolLoop.asked(ToolWire.GEMINI, List.of(new ToolCallRef("fc-1", "get_policy")), "wf-1");
    ToolLoop.answering(ToolWire.GEMINI, ("{\"contents\":[{\"parts\":[{\"functionResponse\":{"
        + "\"id\":\"fc-1\",\"name\":\"get_policy\"}}]}]}").getBytes(StandardCharsets.UTF_8),
        Context.current(), "");
    assertThat(tools()).extracting(s -> s.getAttributes().get(TOOL_NAME))
        .containsExactly("get_policy");
  }

  @Test
  void aBedrockToolResultMarkedErrorIsAnErrorRow() {
    ToolLoop.asked(ToolWire.BEDROCK_CONVERSE, List.of(new ToolCallRef("tooluse_1", "lookup_claim"),
        new ToolCallRef("tooluse_2", "get_policy")), "");
    // the same id on another wire is another call
    ToolLoop.answering(ToolWire.OPENAI_CHAT, ("{\"messages\":[{\"role\":\"tool\","
        + "\"tool_call_id\":\"tooluse_1\"}]}").getBytes(StandardCharsets.UTF_8),
        Context.current(), "");
    assertThat(tools()).isEmpty();
    ToolLoop.answering(ToolWire.BEDROCK_CONVERSE, ("{\"messages\":[{\"role\":\"user\",\"content\":["
        + "{\"toolResult\":{\"toolUseId\":\"tooluse_1\",\"content\":[{\"text\":\"open\"}]}},"
        + "{\"toolResult\":{\"toolUseId\":\"tooluse_2\",\"status\":\"error\",\"content\":[]}}]}]}")
        .getBytes(StandardCharsets.UTF_8), Context.current(), "");
    List<SpanData> tools = tools();
    assertThat(tools).extracting(s -> s.getAttributes().get(TOOL_NAME))
        .containsExactly("lookup_claim", "get_policy");
    assertThat(tools.get(0).getStatus().getStatusCode()).isNotEqualTo(StatusCode.ERROR);
    assertThat(tools.get(1).getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
    assertThat(tools.get(1).getAttributes().get(ERROR_TYPE)).isEqualTo("tool_error");
  }
}
