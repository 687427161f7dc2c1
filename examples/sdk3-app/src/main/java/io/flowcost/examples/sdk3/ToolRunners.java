package io.flowcost.examples.sdk3;

import com.anthropic.client.AnthropicClient;
import com.anthropic.core.http.StreamResponse;
import com.anthropic.helpers.BetaMessageAccumulator;
import com.anthropic.helpers.BetaToolRunner;
import com.anthropic.models.beta.messages.BetaContentBlock;
import com.anthropic.models.beta.messages.BetaMessage;
import com.anthropic.models.beta.messages.BetaRawMessageStreamEvent;
import com.anthropic.models.beta.messages.MessageCreateParams;
import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.fasterxml.jackson.annotation.JsonTypeName;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * The Anthropic SDK 3.x {@code BetaToolRunner} as its own examples use it ({@code
 * --tool-runner}): a loop over the runner's messages (a 429 the SDK retries, then two tools, the
 * second of which throws), and a loop over its streams ({@code runner.streaming()}, one tool).
 */
final class ToolRunners {

  private ToolRunners() {}

  /** The weather tool. */
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

  static void run(AnthropicClient client, PrintStream out) {
    BetaToolRunner runner = client.beta().messages().toolRunner(params(
        "Runner 3 busy [fail:429] [tool:get_weather {\"city\":\"Oslo\"}]"
            + " [tool:get_forecast {\"city\":\"Oslo\"}]"));
    List<String> stops = new ArrayList<>();
    String text = "";
    for (BetaMessage message : runner) {
      stops.add(message.stopReason().map(Object::toString).orElse("-"));
      text = lastText(message, text);
    }
    out.println("5 runner stops=" + stops + " answer=" + text);

    BetaToolRunner streaming = client.beta().messages().toolRunner(params(
        "Runner 3 stream [tool:get_weather {\"city\":\"Kyiv\"}]"));
    List<String> streamed = new ArrayList<>();
    for (StreamResponse<BetaRawMessageStreamEvent> stream : streaming.streaming()) {
      BetaMessageAccumulator accumulator = BetaMessageAccumulator.create();
      try (stream) {
        stream.stream().forEach(accumulator::accumulate);
      }
      BetaMessage message = accumulator.message();
      streamed.add(message.stopReason().map(Object::toString).orElse("-"));
      text = lastText(message, text);
    }
    out.println("6 streaming-runner stops=" + streamed + " answer=" + text);
  }

  private static MessageCreateParams params(String prompt) {
    return MessageCreateParams.builder().model("claude-sonnet-4-5").maxTokens(256)
        .addTool(GetWeather.class).addTool(GetForecast.class).addUserMessage(prompt).build();
  }

  private static String lastText(BetaMessage message, String previous) {
    String text = previous;
    for (BetaContentBlock block : message.content()) {
      if (block.isText()) {
        text = block.asText().text();
      }
    }
    return text;
  }
}
