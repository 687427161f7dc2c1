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
        + "{\"toolUse\":{\"name\":\"no_id\",\"input\":{}}}]}},\"stopReason\":\"tool_use\","
        + "\"usage\":{\"inputTokens\":20,\"outputTokens\":9}}";
    assertThat(ToolWire.BEDROCK_CONVERSE.asked(utf8(answer)))
        .as("input is skipped unread; a toolUse without an id cannot be answered")
        .containsExactly(new ToolCallRef("tooluse_1", "lookup_claim"));
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
}
