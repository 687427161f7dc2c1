package io.flowcost.examples.sdk3;

import com.anthropic.client.AnthropicClient;
import com.anthropic.core.JsonValue;
import com.anthropic.core.http.StreamResponse;
import com.anthropic.helpers.MessageAccumulator;
import com.anthropic.models.messages.ContentBlock;
import com.anthropic.models.messages.ContentBlockParam;
import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.MessageCreateParams;
import com.anthropic.models.messages.RawMessageStreamEvent;
import com.anthropic.models.messages.Tool;
import com.anthropic.models.messages.ToolResultBlockParam;
import com.anthropic.models.messages.ToolUseBlock;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A tool loop written by hand over the Anthropic SDK 3.x Messages API, without {@code
 * BetaToolRunner} ({@code --manual-tool-loop}), no workflow open: the application reads the {@code
 * tool_use} blocks of each answer, runs the tools itself and answers each id with a {@code
 * tool_result} block — {@code is_error: true} when the tool threw — until a text answer. Three
 * requests (the last streamed and accumulated with the SDK's {@code MessageAccumulator}), two tool
 * runs, the first failing.
 */
final class ManualToolLoop {

  private ManualToolLoop() {}

  static void run(AnthropicClient client, PrintStream out) {
    out.println("7 manual-loop " + loop(client,
        "Manual 3 [tool:get_forecast {\"city\":\"Bern\"}] [tool:get_weather {\"city\":\"Bern\"}]"));
  }

  /** A tool the model may call, declared by hand (name and input schema). */
  static Tool tool(String name) {
    return Tool.builder().name(name).description("weather of a city")
        .inputSchema(Tool.InputSchema.builder()
            .properties(Tool.InputSchema.Properties.builder()
                .putAdditionalProperty("city", JsonValue.from(Map.of("type", "string"))).build())
            .addRequired("city").build())
        .build();
  }

  /** Runs a tool: {@code get_forecast}'s back end is down, so it throws. */
  static String runTool(String name, String city) {
    if (name.equals("get_forecast")) {
      throw new IllegalStateException("forecast service unavailable");
    }
    return "sunny, 21C in " + city;
  }

  static String loop(AnthropicClient client, String prompt) {
    MessageCreateParams.Builder params = MessageCreateParams.builder()
        .model("claude-sonnet-4-5").maxTokens(256)
        .addTool(tool("get_weather")).addTool(tool("get_forecast")).addUserMessage(prompt);
    List<String> ran = new ArrayList<>();
    for (int turn = 0; turn < 5; turn++) {
      Message message;
      if (turn == 2) {
        MessageAccumulator accumulator = MessageAccumulator.create();
        try (StreamResponse<RawMessageStreamEvent> stream =
            client.messages().createStreaming(params.build())) {
          stream.stream().forEach(accumulator::accumulate);
        }
        message = accumulator.message();
      } else {
        message = client.messages().create(params.build());
      }
      List<ToolUseBlock> uses = message.content().stream().filter(ContentBlock::isToolUse)
          .map(ContentBlock::asToolUse).toList();
      if (uses.isEmpty()) {
        String text = message.content().stream().filter(ContentBlock::isText)
            .map(b -> b.asText().text()).findFirst().orElse("");
        return "tools=" + ran + " answer=" + text;
      }
      params.addMessage(message);
      List<ContentBlockParam> results = new ArrayList<>();
      for (ToolUseBlock use : uses) {
        String city = String.valueOf(use._input().convert(Map.class).get("city"));
        ToolResultBlockParam.Builder result = ToolResultBlockParam.builder().toolUseId(use.id());
        try {
          String answer = runTool(use.name(), city);
          ran.add(use.name() + ":ok");
          result.content(answer);
        } catch (RuntimeException e) {
          ran.add(use.name() + ":failed");
          result.content("tool failed: " + e.getMessage()).isError(true);
        }
        results.add(ContentBlockParam.ofToolResult(result.build()));
      }
      params.addUserMessageOfContentBlockParams(results);
    }
    return "tools=" + ran + " (no final answer)";
  }
}
