package io.flowcost.examples.anthropic;

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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * A tool loop written by hand over the Anthropic Java SDK's Messages API, without {@code
 * BetaToolRunner} ({@code --manual-tool-loop} of {@code examples/sdk-app}, SDK 2.x, and {@code
 * examples/sdk3-app}, SDK 3.x: both compile this one source, as {@code http-clients-app-rn13}
 * compiles {@code http-clients-app}'s). The application reads the {@code tool_use} blocks of each
 * answer, runs the tools itself and answers each id with a {@code tool_result} block — an error
 * result ({@code is_error: true}) when the tool threw — until a text answer; one turn's request is
 * streamed and accumulated with the SDK's {@code MessageAccumulator}.
 */
public final class ManualToolLoop {

  private ManualToolLoop() {}

  /** A tool the model may call, declared by hand (name and input schema). */
  public static Tool tool(String name) {
    return Tool.builder().name(name).description("weather of a city")
        .inputSchema(Tool.InputSchema.builder()
            .properties(Tool.InputSchema.Properties.builder()
                .putAdditionalProperty("city", JsonValue.from(Map.of("type", "string"))).build())
            .addRequired("city").build())
        .build();
  }

  /** Runs a tool: {@code get_forecast}'s back end is down, so it throws. */
  public static String runTool(String name, String city) {
    if (name.equals("get_forecast")) {
      throw new IllegalStateException("forecast service unavailable");
    }
    return "sunny, 21C in " + city;
  }

  /**
   * Runs the loop on {@code prompt} with the tools {@code get_weather} and {@code get_forecast}
   * (which throws) for at most five turns; turn {@code streamedTurn} (from 0) is streamed. The SDK
   * lines name the call that adds a user message of content blocks differently ({@code
   * addUserMessageOfBlockParams} in 2.x, {@code addUserMessageOfContentBlockParams} in 3.x):
   * {@code addToolResults} is that call. Returns {@code tools=[name:ok|failed, …] answer=TEXT}.
   */
  public static String loop(AnthropicClient client, String prompt, int streamedTurn,
      BiConsumer<MessageCreateParams.Builder, List<ContentBlockParam>> addToolResults) {
    MessageCreateParams.Builder params = MessageCreateParams.builder()
        .model("claude-sonnet-4-5").maxTokens(256)
        .addTool(tool("get_weather")).addTool(tool("get_forecast")).addUserMessage(prompt);
    List<String> ran = new ArrayList<>();
    for (int turn = 0; turn < 5; turn++) {
      Message message;
      if (turn == streamedTurn) {
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
      addToolResults.accept(params, results);
    }
    return "tools=" + ran + " (no final answer)";
  }
}
