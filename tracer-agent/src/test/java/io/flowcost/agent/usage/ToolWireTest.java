package io.flowcost.agent.usage;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Where each wire carries the tool calls an answer asks for and the results a request sends. */
class ToolWireTest {

  private static byte[] utf8(String json) {
    return json.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void geminiAnswersAskForEachFunctionCallWithOrWithoutItsId() {
    String answer = "{\"candidates\":[{\"content\":{\"role\":\"model\",\"parts\":["
        + "{\"text\":\"checking\"},"
        + "{\"functionCall\":{\"name\":\"lookup_claim\",\"args\":{\"functionCall\":"
        + "{\"name\":\"not_a_call\"},\"claim\":\"C-1\"}}},"
        + "{\"functionCall\":{\"id\":\"fc-2\",\"args\":{},\"name\":\"get_policy\"}}]},"
        + "\"finishReason\":\"STOP\"}],\"usageMetadata\":{\"promptTokenCount\":12,"
        + "\"candidatesTokenCount\":4},\"modelVersion\":\"gemini-2.5-flash\"}";
    assertThat(ToolWire.GEMINI.asked(utf8(answer))).as("args are skipped unread").containsExactly(
        new ToolCallRef(null, "lookup_claim"), new ToolCallRef("fc-2", "get_policy"));
    assertThat(ToolWire.GEMINI.asked(utf8("{\"candidates\":[{\"content\":{\"parts\":[{\"text\":"
        + "\"hi\"}]}}]}"))).isEmpty();
    assertThat(ToolWire.GEMINI.asked(utf8("not json"))).isEmpty();
  }

  @Test
  void geminiRequestsAnswerWithTheFunctionResponsesOfTheirLastTurnOnly() {
    String request = "{\"contents\":["
        + "{\"role\":\"user\",\"parts\":[{\"text\":\"Check claim C-1\"}]},"
        + "{\"role\":\"model\",\"parts\":[{\"functionCall\":{\"name\":\"lookup_claim\"}}]},"
        + "{\"role\":\"user\",\"parts\":[{\"functionResponse\":{\"name\":\"lookup_claim\","
        + "\"response\":{\"functionResponse\":{\"name\":\"inner\"},\"status\":\"open\"}}}]},"
        + "{\"role\":\"model\",\"parts\":[{\"functionCall\":{\"id\":\"fc-2\",\"name\":\"get_policy\"}}]},"
        + "{\"role\":\"user\",\"parts\":[{\"functionResponse\":{\"id\":\"fc-2\",\"name\":"
        + "\"get_policy\",\"response\":{\"ok\":true}}}]}],"
        + "\"generationConfig\":{\"temperature\":0}}";
    assertThat(ToolWire.GEMINI.answered(utf8(request)))
        .as("the history's lookup_claim answer is not a new one")
        .containsExactly(new ToolAnswer("fc-2", "get_policy", false));
    String idless = "{\"contents\":[{\"role\":\"user\",\"parts\":[{\"functionResponse\":{\"name\":"
        + "\"lookup_claim\",\"response\":{}}},{\"functionResponse\":{\"name\":\"lookup_claim\"}}]}]}";
    assertThat(ToolWire.GEMINI.answered(utf8(idless))).containsExactly(
        new ToolAnswer(null, "lookup_claim", false), new ToolAnswer(null, "lookup_claim", false));
    assertThat(ToolWire.GEMINI.answered(utf8("{\"contents\":[{\"parts\":[{\"functionResponse\":"
        + "{\"name\":\"f\""))).as("truncated").isEmpty();
  }

  @Test
  void bedrockConverseAnswersAskForEachToolUseAndRequestsAnswerWithToolResults() {
    String answer = "{\"output\":{\"message\":{\"role\":\"assistant\",\"content\":["
        + "{\"text\":\"let me look\"},"
        + "{\"toolUse\":{\"toolUseId\":\"tooluse_1\",\"name\":\"lookup_claim\",\"input\":"
        + "{\"toolUse\":{\"toolUseId\":\"fake\",\"name\":\"x\"}}}},"
        + "{\"toolUse\":{\"toolUseId\":\"tooluse_2\",\"name\":\"get_policy\",\"input\":{}}}"
        + "]}},\"stopReason\":\"tool_use\",\"usage\":{\"inputTokens\":20,\"outputTokens\":9}}";
    assertThat(ToolWire.BEDROCK_CONVERSE.asked(utf8(answer)))
        .as("input is skipped unread, its look-alike toolUse too")
        .containsExactly(new ToolCallRef("tooluse_1", "lookup_claim"),
            new ToolCallRef("tooluse_2", "get_policy"));
    // the same from a ConverseStream: each contentBlockStart opens one toolUse block
    StreamUsageAccumulator stream = new StreamUsageAccumulator();
    stream.onEvent("{\"role\":\"assistant\"}");
    stream.onEvent("{\"contentBlockIndex\":0,\"delta\":{\"text\":\"let me look\"}}");
    stream.onEvent("{\"contentBlockIndex\":1,\"start\":{\"toolUse\":{\"toolUseId\":"
        + "\"tooluse_1\",\"name\":\"lookup_claim\"}}}");
    stream.onEvent("{\"contentBlockIndex\":1,\"delta\":{\"toolUse\":{\"input\":\"{\\\"toolUse\\\"\"}}}");
    stream.onEvent("{\"contentBlockIndex\":2,\"start\":{\"toolUse\":{\"toolUseId\":"
        + "\"tooluse_2\",\"name\":\"get_policy\"}}}");
    stream.onEvent("{\"stopReason\":\"tool_use\"}");
    stream.onEvent("{\"usage\":{\"inputTokens\":20,\"outputTokens\":9},\"metrics\":{}}");
    assertThat(stream.result().toolCalls()).containsExactly(
        new ToolCallRef("tooluse_1", "lookup_claim"), new ToolCallRef("tooluse_2", "get_policy"));
    assertThat(stream.result().usage().outputTokens()).isEqualTo(9L);
    String request = "{\"messages\":["
        + "{\"role\":\"assistant\",\"content\":[{\"toolUse\":{\"toolUseId\":\"tooluse_1\","
        + "\"name\":\"lookup_claim\",\"input\":{}}}]},"
        + "{\"role\":\"user\",\"content\":["
        + "{\"toolResult\":{\"toolUseId\":\"tooluse_1\",\"content\":[{\"text\":\"open\"}]}},"
        + "{\"toolResult\":{\"status\":\"error\",\"toolUseId\":\"tooluse_2\",\"content\":"
        + "[{\"json\":{\"status\":\"success\"}}]}},"
        + "{\"toolResult\":{\"toolUseId\":\"tooluse_3\",\"status\":\"success\"}}]}]}";
    assertThat(ToolWire.BEDROCK_CONVERSE.answered(utf8(request))).containsExactly(
        new ToolAnswer("tooluse_1", null, false), new ToolAnswer("tooluse_2", null, true),
        new ToolAnswer("tooluse_3", null, false));
    assertThat(ToolWire.BEDROCK_CONVERSE.answered(null)).isEmpty();
  }

  @Test
  void openAiChatAnswersAreReadAsTheUsageParserReadsThem() {
    String answer = "{\"model\":\"gpt-4o-mini\",\"choices\":[{\"message\":{\"tool_calls\":["
        + "{\"id\":\"call_a\",\"type\":\"function\",\"function\":{\"name\":\"f\",\"arguments\":"
        + "\"{}\"}}]}}],\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":1}}";
    assertThat(ToolWire.OPENAI_CHAT.asked(utf8(answer))).containsExactly(new ToolCallRef("call_a", "f"));
  }

  @Test
  void responsesAnswersAskForTheirFunctionCallItemsAndRequestsAnswerWithFunctionCallOutputs() {
    String answer = "{\"id\":\"resp_1\",\"object\":\"response\",\"output\":["
        + "{\"type\":\"reasoning\",\"id\":\"rs_1\",\"summary\":[]},"
        + "{\"type\":\"function_call\",\"id\":\"fc_1\",\"call_id\":\"call_a\","
        + "\"name\":\"get_weather\",\"arguments\":\"{\\\"call_id\\\":\\\"x\\\"}\"},"
        + "{\"type\":\"mcp_call\",\"id\":\"mcp_1\",\"name\":\"remote\"},"
        + "{\"name\":\"get_time\",\"call_id\":\"call_b\",\"type\":\"function_call\"}],"
        + "\"usage\":{\"input_tokens\":10,\"output_tokens\":3}}";
    assertThat(ToolWire.OPENAI_RESPONSES.asked(utf8(answer)))
        .as("only function_call items, arguments skipped unread")
        .containsExactly(new ToolCallRef("call_a", "get_weather"),
            new ToolCallRef("call_b", "get_time"));
    assertThat(UsageParser.parse(utf8(answer)).toolCalls())
        .as("the usage parser reads them with the usage")
        .containsExactly(new ToolCallRef("call_a", "get_weather"),
            new ToolCallRef("call_b", "get_time"));
    assertThat(UsageParser.parse(answer).toolCalls()).hasSize(2);
    String request = "{\"model\":\"gpt-4.1\",\"input\":["
        + "{\"role\":\"user\",\"content\":\"weather\"},"
        + "{\"type\":\"function_call\",\"call_id\":\"call_a\",\"name\":\"get_weather\"},"
        + "{\"type\":\"function_call_output\",\"call_id\":\"call_a\",\"output\":"
        + "\"{\\\"type\\\":\\\"function_call_output\\\"}\"},"
        + "{\"call_id\":\"call_b\",\"output\":\"12:00\",\"type\":\"function_call_output\"}]}";
    assertThat(ToolWire.OPENAI_RESPONSES.answered(utf8(request))).as("never marked an error")
        .containsExactly(new ToolAnswer("call_a", null, false), new ToolAnswer("call_b", null, false));
    assertThat(ToolWire.OPENAI_RESPONSES.answered(utf8("{\"input\":\"just text\"}"))).isEmpty();
    assertThat(ToolWire.OPENAI_RESPONSES.answered(utf8("{\"input\":[{\"type\":"
        + "\"function_call_output\",\"call_id\":\"c"))).as("truncated").isEmpty();
  }

  @Test
  void anthropicAnswersAskForToolUseBlocksAndRequestsAnswerWithToolResultsAndTheirErrorFlag() {
    String answer = "{\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"assistant\","
        + "\"content\":[{\"type\":\"text\",\"text\":\"checking\"},"
        + "{\"type\":\"tool_use\",\"id\":\"toolu_1\",\"name\":\"get_weather\",\"input\":"
        + "{\"type\":\"tool_use\",\"id\":\"not_a_call\"}},"
        + "{\"type\":\"server_tool_use\",\"id\":\"srvtoolu_1\",\"name\":\"web_search\"}],"
        + "\"model\":\"claude-sonnet-4-5\",\"stop_reason\":\"tool_use\","
        + "\"usage\":{\"input_tokens\":20,\"output_tokens\":9}}";
    assertThat(ToolWire.ANTHROPIC_MESSAGES.asked(utf8(answer)))
        .as("tool_use blocks only; the server's own tools are not the app's")
        .containsExactly(new ToolCallRef("toolu_1", "get_weather"));
    assertThat(UsageParser.parse(utf8(answer)).toolCalls())
        .containsExactly(new ToolCallRef("toolu_1", "get_weather"));
    assertThat(UsageParser.parse(utf8(answer.replace("\"tool_use\",\"usage", "\"end_turn\",\"usage")))
        .toolCalls()).as("an answer that did not stop for a tool is not read twice").isEmpty();
    String request = "{\"model\":\"claude-sonnet-4-5\",\"messages\":["
        + "{\"role\":\"user\",\"content\":\"weather\"},"
        + "{\"role\":\"assistant\",\"content\":[{\"type\":\"tool_use\",\"id\":\"toolu_1\","
        + "\"name\":\"get_weather\",\"input\":{}}]},"
        + "{\"role\":\"user\",\"content\":["
        + "{\"type\":\"tool_result\",\"tool_use_id\":\"toolu_1\",\"content\":"
        + "[{\"type\":\"tool_result\",\"tool_use_id\":\"inner\"}]},"
        + "{\"is_error\":true,\"type\":\"tool_result\",\"tool_use_id\":\"toolu_2\","
        + "\"content\":\"down\"},"
        + "{\"type\":\"tool_result\",\"tool_use_id\":\"toolu_3\",\"is_error\":false}]}]}";
    assertThat(ToolWire.ANTHROPIC_MESSAGES.answered(utf8(request))).containsExactly(
        new ToolAnswer("toolu_1", null, false), new ToolAnswer("toolu_2", null, true),
        new ToolAnswer("toolu_3", null, false));
    assertThat(ToolWire.ANTHROPIC_MESSAGES.answered(utf8("{\"messages\":[{\"content\":"
        + "\"text\"}]}"))).isEmpty();
  }

  @Test
  void streamsGiveTheCallOfEachFinishedFunctionCallItemAndEachToolUseBlock() {
    StreamUsageAccumulator responses = new StreamUsageAccumulator();
    responses.onEvent("{\"type\":\"response.created\",\"response\":{\"id\":\"resp_1\","
        + "\"model\":\"gpt-4.1\",\"output\":[],\"usage\":null}}");
    responses.onEvent("{\"type\":\"response.output_item.added\",\"item\":{\"type\":"
        + "\"function_call\",\"call_id\":\"call_s\",\"name\":\"get_weather\"}}");
    responses.onEvent("{\"type\":\"response.function_call_arguments.delta\",\"delta\":\"{}\"}");
    responses.onEvent("{\"type\":\"response.output_item.done\",\"item\":{\"type\":"
        + "\"function_call\",\"call_id\":\"call_s\",\"name\":\"get_weather\","
        + "\"arguments\":\"{}\"}}");
    responses.onEvent("{\"type\":\"response.output_item.done\",\"item\":{\"type\":"
        + "\"message\",\"id\":\"msg_1\"}}");
    responses.onEvent("{\"type\":\"response.completed\",\"response\":{\"id\":\"resp_1\","
        + "\"object\":\"response\",\"model\":\"gpt-4.1\",\"output\":[{\"type\":"
        + "\"function_call\",\"call_id\":\"call_s\",\"name\":\"get_weather\"}],"
        + "\"usage\":{\"input_tokens\":30,\"input_tokens_details\":{\"cached_tokens\":0},"
        + "\"output_tokens\":18,\"output_tokens_details\":{\"reasoning_tokens\":0}}}}");
    ResponseSummary summary = responses.result();
    assertThat(summary.toolCalls()).as("once, from the item's done event")
        .containsExactly(new ToolCallRef("call_s", "get_weather"));
    assertThat(summary.usage().inputTokens()).isEqualTo(30L);
    assertThat(summary.usage().outputTokens()).isEqualTo(18L);

    StreamUsageAccumulator anthropic = new StreamUsageAccumulator();
    anthropic.onEvent("{\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"type\":"
        + "\"message\",\"model\":\"claude-sonnet-4-5\",\"content\":[],\"usage\":"
        + "{\"input_tokens\":20,\"output_tokens\":1}}}");
    anthropic.onEvent("{\"type\":\"content_block_start\",\"index\":0,\"content_block\":"
        + "{\"type\":\"text\",\"text\":\"\"}}");
    anthropic.onEvent("{\"type\":\"content_block_start\",\"index\":1,\"content_block\":"
        + "{\"type\":\"tool_use\",\"id\":\"toolu_s\",\"name\":\"get_weather\",\"input\":{}}}");
    anthropic.onEvent("{\"type\":\"content_block_start\",\"index\":2,\"content_block\":"
        + "{\"type\":\"server_tool_use\",\"id\":\"srvtoolu_1\",\"name\":\"web_search\"}}");
    anthropic.onEvent("{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"tool_use\"},"
        + "\"usage\":{\"output_tokens\":9}}");
    assertThat(anthropic.result().toolCalls())
        .containsExactly(new ToolCallRef("toolu_s", "get_weather"));
    assertThat(anthropic.result().usage().outputTokens()).isEqualTo(9L);
  }
}
