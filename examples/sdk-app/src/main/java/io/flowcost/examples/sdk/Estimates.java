package io.flowcost.examples.sdk;

import com.openai.client.OpenAIClient;
import com.openai.core.JsonValue;
import com.openai.core.http.StreamResponse;
import com.openai.models.FunctionDefinition;
import com.openai.models.FunctionParameters;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionFunctionTool;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The {@code --estimates} workload: OpenAI streams as the SDK's own streaming examples send them —
 * without {@code stream_options.include_usage}, so no usage ever comes — each followed by the same
 * request with {@code include_usage}, whose reported usage is the exact count to measure the
 * agent's estimate against. Every request carries tool definitions and {@code [exact-usage]}, so
 * that the fake bills what OpenAI's encoding counts. Then one stream cut off mid-answer.
 */
final class Estimates {

  private Estimates() {}

  static void run(OpenAIClient client, PrintStream out) {
    int line = 1;
    for (String[] scenario : new String[][] {
        {"gpt-4o-mini", "What is the weather in Paris today, and should I take an umbrella? [exact-usage]"},
        {"gpt-4.1", "Look up the weather for Lyon. [exact-usage] [tool:get_weather {\"city\":\"Lyon\"}]"},
        {"gpt-4o", "Summarise the claim: a hail storm dented the roof and the bonnet of a blue car"
            + " parked outside the insured's house on the night of 3 June. [exact-usage]"}}) {
      for (boolean includeUsage : new boolean[] {false, true}) {
        int chunks = stream(client, scenario[0], scenario[1], includeUsage);
        out.println(String.format("%02d estimate %s include_usage=%s chunks>0=%s", line++,
            scenario[0], includeUsage, chunks > 0));
      }
    }
    int cut = stream(client, "gpt-4o-mini", "A long answer please. [exact-usage] [stream-cut]", false);
    out.println(String.format("%02d estimate cut chunks>0=%s", line, cut > 0));
  }

  private static int stream(OpenAIClient client, String model, String question, boolean usage) {
    ChatCompletionCreateParams.Builder params = ChatCompletionCreateParams.builder()
        .model(model)
        .addSystemMessage("You are a concise assistant for an insurance claims desk. Answer in"
            + " one or two sentences and use the tools when a lookup is needed.")
        .addUserMessage(question)
        .addTool(tool("get_weather", "Get the current weather for a city.", ordered(
            "city", ordered("type", "string", "description", "The city name, e.g. Paris."),
            "unit", ordered("type", "string", "enum", List.of("celsius", "fahrenheit")))))
        .addTool(tool("lookup_claim", "Look up an insurance claim by its id.", ordered(
            "claim_id", ordered("type", "string", "description", "The claim id."))));
    if (usage) {
      params.streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build());
    }
    AtomicInteger chunks = new AtomicInteger();
    try (StreamResponse<ChatCompletionChunk> stream =
        client.chat().completions().createStreaming(params.build())) {
      stream.stream().forEach(c -> chunks.incrementAndGet());
    } catch (RuntimeException cutOff) {
      // [stream-cut]: the provider's mid-stream error surfaces here
    }
    return chunks.get();
  }

  /** A map in the order given (the request body is the same on every run). */
  private static Map<String, Object> ordered(Object... keysAndValues) {
    Map<String, Object> map = new LinkedHashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      map.put((String) keysAndValues[i], keysAndValues[i + 1]);
    }
    return map;
  }

  private static ChatCompletionFunctionTool tool(
      String name, String description, Map<String, Object> properties) {
    return ChatCompletionFunctionTool.builder()
        .function(FunctionDefinition.builder()
            .name(name)
            .description(description)
            .parameters(FunctionParameters.builder()
                .putAdditionalProperty("type", JsonValue.from("object"))
                .putAdditionalProperty("properties", JsonValue.from(properties))
                .build())
            .build())
        .build();
  }
}
