package io.flowcost.agent.usage;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The tool calls an OpenAI Chat Completions answer asks for, whole and streamed. */
class ToolCallRefsTest {

  @Test
  void aWholeAnswerGivesEachToolCallsIdAndFunctionName() {
    ResponseSummary summary = UsageParser.parse("{\"id\":\"chatcmpl-1\",\"model\":\"gpt-4o-mini\","
        + "\"choices\":[{\"index\":0,\"finish_reason\":\"tool_calls\",\"message\":{\"role\":"
        + "\"assistant\",\"content\":null,\"tool_calls\":[{\"id\":\"call_a\",\"type\":\"function\","
        + "\"function\":{\"name\":\"get_weather\",\"arguments\":\"{}\"}},{\"id\":\"call_b\",\"type\":"
        + "\"function\",\"function\":{\"name\":\"get_time\",\"arguments\":\"{}\"}}]}}],"
        + "\"usage\":{\"prompt_tokens\":10,\"completion_tokens\":5,\"total_tokens\":15}}");
    assertThat(summary.toolCalls()).containsExactly(
        new ToolCallRef("call_a", "get_weather"), new ToolCallRef("call_b", "get_time"));
    assertThat(summary.withoutOutputText().toolCalls()).hasSize(2);
    assertThat(UsageParser.parse("{\"model\":\"gpt-4o\",\"choices\":[{\"message\":{\"content\":"
        + "\"hi\"}}],\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":1}}").toolCalls())
        .isEmpty();
  }

  @Test
  void aStreamGivesTheIdAndNameOfTheDeltaThatOpensEachCall() {
    StreamUsageAccumulator stream = new StreamUsageAccumulator();
    stream.onEvent("{\"id\":\"c\",\"model\":\"gpt-4o-mini\",\"choices\":[{\"index\":0,\"delta\":"
        + "{\"role\":\"assistant\",\"tool_calls\":[{\"index\":0,\"id\":\"call_s\",\"type\":"
        + "\"function\",\"function\":{\"name\":\"get_weather\",\"arguments\":\"\"}}]}}]}");
    stream.onEvent("{\"id\":\"c\",\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,"
        + "\"function\":{\"arguments\":\"{\\\"city\\\":\\\"Paris\\\"}\"}}]}}]}");
    stream.onEvent("{\"id\":\"c\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":"
        + "\"tool_calls\"}]}");
    stream.onEvent("{\"id\":\"c\",\"choices\":[],\"usage\":{\"prompt_tokens\":9,"
        + "\"completion_tokens\":3}}");
    stream.onEvent("[DONE]");
    assertThat(stream.result().toolCalls()).containsExactly(new ToolCallRef("call_s", "get_weather"));
    assertThat(stream.result().usage().inputTokens()).isEqualTo(9L);
  }

  @Test
  void idsAndNamesThatDoNotPairUpGiveNone() {
    // a custom tool call (no function name) beside a function call: the order cannot be trusted
    ResponseSummary summary = UsageParser.parse("{\"model\":\"gpt-5\",\"choices\":[{\"message\":{"
        + "\"tool_calls\":[{\"id\":\"call_c\",\"type\":\"custom\",\"custom\":{\"name\":\"grep\"}},"
        + "{\"id\":\"call_f\",\"type\":\"function\",\"function\":{\"name\":\"f\"}}]}}],"
        + "\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":1}}");
    assertThat(summary.toolCalls()).isEmpty();
  }
}
