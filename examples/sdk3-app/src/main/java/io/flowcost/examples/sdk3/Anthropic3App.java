package io.flowcost.examples.sdk3;

import com.anthropic.client.AnthropicClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.anthropic.core.http.StreamResponse;
import com.anthropic.errors.AnthropicServiceException;
import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.MessageCreateParams;
import com.anthropic.models.messages.RawMessageStreamEvent;
import io.flowcost.examples.anthropic.ManualToolLoop;
import java.io.PrintStream;

/**
 * Runs four fixed Anthropic SDK 3.x calls and prints one deterministic line each.
 *
 * <pre>
 * java -jar flowcost-sdk3-app.jar --provider-url http://127.0.0.1:PORT/v1
 *     [--tool-runner | --manual-tool-loop]
 * </pre>
 *
 * <p>With {@code --tool-runner} it runs the SDK's {@code BetaToolRunner} instead ({@link
 * ToolRunners}); with {@code --manual-tool-loop} a tool loop written by hand ({@link
 * ManualToolLoop}).
 *
 * <ol>
 *   <li>a plain message;
 *   <li>a 429 the SDK retries (two attempts of one call);
 *   <li>a 500 on every attempt, given up after one retry (a failed call of two attempts);
 *   <li>a streamed message.
 * </ol>
 */
public final class Anthropic3App {

  private Anthropic3App() {}

  /** Entry point. */
  public static void main(String[] args) {
    String base = null;
    boolean toolRunner = false;
    boolean manualToolLoop = false;
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--provider-url") && i + 1 < args.length) {
        base = args[++i];
      } else if (args[i].equals("--tool-runner")) {
        toolRunner = true;
      } else if (args[i].equals("--manual-tool-loop")) {
        manualToolLoop = true;
      }
    }
    if (base == null) {
      System.err.println("usage: --provider-url http://127.0.0.1:PORT/v1"
          + " [--tool-runner | --manual-tool-loop]");
      System.exit(2);
    }
    PrintStream out = System.out;
    AnthropicClient anthropic = AnthropicOkHttpClient.builder()
        .baseUrl(base.replaceAll("/v1$", "")).apiKey("test-key").maxRetries(1).build();
    try {
      if (toolRunner) {
        ToolRunners.run(anthropic, out);
        return;
      }
      if (manualToolLoop) {
        // no workflow open; three requests (the last streamed), two tool runs, the first failing
        out.println("7 manual-loop " + ManualToolLoop.loop(anthropic,
            "Manual 3 [tool:get_forecast {\"city\":\"Bern\"}] [tool:get_weather {\"city\":\"Bern\"}]",
            2, MessageCreateParams.Builder::addUserMessageOfContentBlockParams));
        return;
      }
      Message plain = anthropic.messages().create(params("Anthropic 3 plain"));
      out.println("1 plain " + plain.usage().outputTokens());
      Message retried = anthropic.messages().create(params("Anthropic 3 busy [fail:429]"));
      out.println("2 retried " + retried.usage().outputTokens());
      try {
        anthropic.messages().create(params("Anthropic 3 down [fail-always:500]"));
        out.println("3 failed: no error");
      } catch (AnthropicServiceException e) {
        out.println("3 failed " + e.statusCode());
      }
      long events = 0;
      try (StreamResponse<RawMessageStreamEvent> stream =
          anthropic.messages().createStreaming(params("Anthropic 3 stream"))) {
        events = stream.stream().count();
      }
      out.println("4 streamed " + (events > 0));
    } finally {
      anthropic.close();
    }
  }

  private static MessageCreateParams params(String text) {
    return MessageCreateParams.builder()
        .model("claude-sonnet-4-5").maxTokens(256).addUserMessage(text).build();
  }
}
