package io.flowcost.examples.sdk;

import com.anthropic.client.AnthropicClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.anthropic.helpers.BetaToolRunner;
import com.anthropic.models.beta.messages.BetaContentBlock;
import com.anthropic.models.beta.messages.BetaMessage;
import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.fasterxml.jackson.annotation.JsonTypeName;
import com.openai.client.OpenAIClient;
import com.openai.core.http.StreamResponse;
import com.openai.helpers.ChatCompletionAccumulator;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionMessage;
import com.openai.models.chat.completions.ChatCompletionMessageFunctionToolCall;
import com.openai.models.chat.completions.ChatCompletionMessageToolCall;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.chat.completions.ChatCompletionToolMessageParam;
import io.flowcost.outcome.Flowcost;
import io.flowcost.outcome.Workflow;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Tool loops the SDKs' own examples show, run as an application would ({@code --tool-loops}):
 *
 * <ol>
 *   <li>the OpenAI SDK's function-calling loop inside an outcome-api workflow ({@code
 *       trip-planner}): the app calls {@code chat().completions()}, runs each function the answer
 *       asks for, sends the results as {@code tool} messages, until a text answer — three model
 *       requests (the first one streamed and accumulated with the SDK's {@code
 *       ChatCompletionAccumulator}) and two tool runs;
 *   <li>the same loop without a workflow: two model requests, one tool run;
 *   <li>the Anthropic SDK 2.x {@code BetaToolRunner}, no workflow open: a 429 the SDK retries, then
 *       two tools, the second of which throws (the runner sends the model an error result);
 *   <li>the same runner inside an outcome-api workflow ({@code support-desk}): one tool.
 * </ol>
 *
 * Each line printed is deterministic (the fake's answers are a function of the request).
 */
final class ToolLoops {

  private ToolLoops() {}

  /** The weather tool: OpenAI reads its arguments into it; Anthropic's runner calls {@link #get}. */
  @JsonTypeName("get_weather")
  @JsonClassDescription("The current weather of a city")
  public static final class GetWeather implements Supplier<String> {
    @JsonPropertyDescription("the city")
    public String city;

    @Override
    public String get() {
      return "sunny, 21C in " + city;
    }
  }

  /** A tool whose back end is down: it throws. */
  @JsonTypeName("get_forecast")
  @JsonClassDescription("Tomorrow's forecast for a city")
  public static final class GetForecast implements Supplier<String> {
    @JsonPropertyDescription("the city")
    public String city;

    @Override
    public String get() {
      throw new IllegalStateException("forecast service unavailable");
    }
  }

  static void run(OpenAIClient openAi, String base, PrintStream out) {
    try (Workflow wf = Flowcost.workflow("trip-planner").tag("team", "tools").start()) {
      out.println("1 openai-loop-in-workflow " + openAiLoop(openAi,
          "Plan my trip [tool:get_weather {\"city\":\"Paris\"}] [tool:get_weather {\"city\":\"Rome\"}]",
          true));
      wf.success();
    }
    out.println("2 openai-loop-no-workflow " + openAiLoop(openAi,
        "Weather please [tool:get_weather {\"city\":\"Lima\"}]", false));

    AnthropicClient anthropic = AnthropicOkHttpClient.builder()
        .baseUrl(base.replaceAll("/v1$", "")).apiKey("test-key").maxRetries(2).build();
    try {
      out.println("3 anthropic-runner " + anthropicRunner(anthropic,
          "Runner busy [fail:429] [tool:get_weather {\"city\":\"Oslo\"}]"
              + " [tool:get_forecast {\"city\":\"Oslo\"}]"));
      try (Workflow wf = Flowcost.workflow("support-desk").start()) {
        out.println("4 anthropic-runner-in-workflow " + anthropicRunner(anthropic,
            "Desk [tool:get_weather {\"city\":\"Bern\"}]"));
        wf.success();
      }
    } finally {
      anthropic.close();
    }
  }

  /**
   * The loop of the OpenAI SDK's function-calling example: ask, run what the answer asks for, send
   * the results, until the answer asks for nothing. Returns the tools run and the final text.
   */
  static String openAiLoop(OpenAIClient client, String prompt, boolean streamFirst) {
    ChatCompletionCreateParams.Builder params = ChatCompletionCreateParams.builder()
        .model("gpt-4o-mini").addTool(GetWeather.class).addUserMessage(prompt);
    List<String> ran = new ArrayList<>();
    for (int turn = 0; turn < 5; turn++) {
      ChatCompletionMessage message;
      if (turn == 0 && streamFirst) {
        ChatCompletionAccumulator accumulator = ChatCompletionAccumulator.create();
        try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions()
            .createStreaming(params.streamOptions(
                ChatCompletionStreamOptions.builder().includeUsage(true).build()).build())) {
          stream.stream().forEach(accumulator::accumulate);
        }
        params.streamOptions(java.util.Optional.empty());
        message = accumulator.chatCompletion().choices().get(0).message();
      } else {
        ChatCompletion completion = client.chat().completions().create(params.build());
        message = completion.choices().get(0).message();
      }
      List<ChatCompletionMessageToolCall> calls = message.toolCalls().orElse(List.of());
      if (calls.isEmpty()) {
        return "tools=" + ran + " answer=" + message.content().orElse("");
      }
      params.addMessage(message);
      for (ChatCompletionMessageToolCall call : calls) {
        ChatCompletionMessageFunctionToolCall function = call.asFunction();
        GetWeather args = function.function().arguments(GetWeather.class);
        String result = args.get();
        ran.add(function.function().name() + ":" + result);
        params.addMessage(ChatCompletionToolMessageParam.builder()
            .toolCallId(function.id()).content(result).build());
      }
    }
    return "tools=" + ran + " (no final answer)";
  }

  /** A {@code BetaToolRunner} loop; returns the messages' stop reasons and the last text. */
  static String anthropicRunner(AnthropicClient client, String prompt) {
    BetaToolRunner runner = client.beta().messages().toolRunner(
        com.anthropic.models.beta.messages.MessageCreateParams.builder()
            .model("claude-sonnet-4-5").maxTokens(256)
            .addTool(GetWeather.class).addTool(GetForecast.class)
            .addUserMessage(prompt).build());
    List<String> stops = new ArrayList<>();
    String text = "";
    for (BetaMessage message : runner) {
      stops.add(message.stopReason().map(Object::toString).orElse("-"));
      for (BetaContentBlock block : message.content()) {
        if (block.isText()) {
          text = block.asText().text();
        }
      }
    }
    return "stops=" + stops + " answer=" + text;
  }
}
