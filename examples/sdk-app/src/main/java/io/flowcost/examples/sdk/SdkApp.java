package io.flowcost.examples.sdk;

import com.anthropic.client.AnthropicClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.MessageCreateParams;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.embeddings.CreateEmbeddingResponse;
import com.openai.models.embeddings.EmbeddingCreateParams;
import io.flowcost.examples.anthropic.ManualToolLoop;
import io.flowcost.examples.fakeprovider.FakeProvider;
import io.flowcost.outcome.Flowcost;
import io.flowcost.outcome.Workflow;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.WebClient;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.http.io.entity.StringEntity;

/**
 * Runs twelve fixed model calls without LangChain4j and prints one deterministic line each.
 *
 * <pre>
 * java -jar flowcost-sdk-app.jar [--provider-url http://127.0.0.1:PORT/v1] [--exchanges FILE]
 *     [--collector URL]
 *     [--serve-tool PORT_FILE | --call-tool URL | --concurrent N | --estimates | --tool-loops
 *      | [--responses] [--manual-tool-loop]]
 * </pre>
 *
 * <p>{@code --serve-tool} runs a tool service that answers one {@code POST /tool} with a model
 * call; {@code --call-tool} opens workflow {@code delegate} and calls such a service (see {@link
 * ToolService}); {@code --concurrent N} runs N interleaved workflows on a pool (see {@link
 * Batch}); {@code --tool-loops} runs the SDKs' tool loops (see {@link ToolLoops}); {@code
 * --responses} the OpenAI Responses API with its function-calling loop (see {@link
 * ResponsesCalls}); {@code --manual-tool-loop} an Anthropic tool loop written by hand, without
 * {@code BetaToolRunner} (see {@link #manualToolLoop}).
 *
 * <p>Without {@code --provider-url} it starts the fake provider in-process. The raw JDK requests
 * are model calls for the agent only when the fake's base URL is listed in {@code
 * flowcost.llm-endpoints} (the e2e test passes it).
 */
public final class SdkApp {

  private SdkApp() {}

  public static void main(String[] args) throws Exception {
    String providerUrl = null;
    Path exchanges = null;
    Path servePortFile = null;
    String toolUrl = null;
    int batch = 0;
    boolean estimates = false;
    boolean toolLoops = false;
    boolean responses = false;
    boolean manualToolLoop = false;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--provider-url" -> providerUrl = args[++i];
        case "--exchanges" -> exchanges = Path.of(args[++i]);
        case "--collector" -> System.setProperty("flowcost.endpoint", args[++i]);
        case "--serve-tool" -> servePortFile = Path.of(args[++i]);
        case "--call-tool" -> toolUrl = args[++i];
        case "--concurrent" -> batch = Integer.parseInt(args[++i]);
        case "--estimates" -> estimates = true;
        case "--tool-loops" -> toolLoops = true;
        case "--responses" -> responses = true;
        case "--manual-tool-loop" -> manualToolLoop = true;
        default -> {
          System.err.println("usage: SdkApp [--provider-url URL] [--exchanges FILE] [--collector URL]"
              + " [--serve-tool PORT_FILE | --call-tool URL | --concurrent N | --estimates"
              + " | --tool-loops | [--responses] [--manual-tool-loop]]");
          System.exit(2);
        }
      }
    }
    FakeProvider fake = providerUrl == null ? FakeProvider.start() : null;
    String base = fake != null ? fake.baseUrl() : providerUrl;
    PrintStream out = System.out;
    OpenAIClient client =
        OpenAIOkHttpClient.builder().baseUrl(base).apiKey("test-key").maxRetries(2).build();
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    try {
      if (servePortFile != null) {
        ToolService.serveOnce(client, servePortFile, out);
      } else if (batch > 0) {
        Batch.run(client, batch, out);
      } else if (estimates) {
        Estimates.run(client, out);
      } else if (toolLoops) {
        ToolLoops.run(client, base, out);
      } else if (responses || manualToolLoop) {
        if (responses) {
          ResponsesCalls.run(client, out);
        }
        if (manualToolLoop) {
          manualToolLoop(base, out);
        }
      } else if (toolUrl != null) {
        ToolService.callTool(client, http, toolUrl, out);
      } else {
        run(client, http, base, out);
      }
      if (!Flowcost.flush(Duration.ofSeconds(5))) {
        System.err.println("sdk-app: some outcome reports were not delivered");
      }
    } finally {
      client.close();
      if (fake != null) {
        if (exchanges != null) {
          fake.writeExchanges(exchanges);
        }
        fake.close();
      } else if (exchanges != null) {
        String root = base.substring(0, base.indexOf('/', base.indexOf("//") + 2));
        HttpResponse<String> log = http.send(
            HttpRequest.newBuilder(URI.create(root + "/_fake/exchanges")).build(),
            HttpResponse.BodyHandlers.ofString());
        Files.writeString(exchanges, log.body());
      }
    }
  }

  /**
   * {@code --manual-tool-loop}'s Anthropic part: {@link ManualToolLoop} on SDK 2.x inside the
   * outcome-api workflow {@code manual-desk} — three requests (the first streamed), two tool runs,
   * the second failing.
   */
  static void manualToolLoop(String base, PrintStream out) {
    AnthropicClient client = AnthropicOkHttpClient.builder()
        .baseUrl(base.replaceAll("/v1$", "")).apiKey("test-key").maxRetries(2).build();
    try (Workflow wf = Flowcost.workflow("manual-desk").start()) {
      out.println("m1 anthropic-manual-loop " + ManualToolLoop.loop(client,
          "Manual desk [tool:get_weather {\"city\":\"Oslo\"}] [tool:get_forecast {\"city\":\"Oslo\"}]",
          0, MessageCreateParams.Builder::addUserMessageOfBlockParams));
      wf.success();
    } finally {
      client.close();
    }
  }

  static void run(OpenAIClient client, HttpClient http, String base, PrintStream out)
      throws Exception {
    ChatCompletion plain = client.chat().completions().create(ChatCompletionCreateParams.builder()
        .model("gpt-4o-mini").addUserMessage("Hello SDK").build());
    out.println("01 sdk-plain " + plain.usage().orElseThrow().totalTokens());

    AtomicInteger chunks = new AtomicInteger();
    try (StreamResponse<ChatCompletionChunk> stream =
        client.chat().completions().createStreaming(ChatCompletionCreateParams.builder()
            .model("gpt-4.1").addUserMessage("Stream SDK")
            .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build())
            .build())) {
      stream.stream().forEach(c -> chunks.incrementAndGet());
    }
    out.println("02 sdk-stream chunks>0=" + (chunks.get() > 0));

    ChatCompletion retried = client.chat().completions().create(ChatCompletionCreateParams.builder()
        .model("gpt-4o-mini").addUserMessage("Busy [fail:429]").build());
    out.println("03 sdk-retry " + retried.usage().orElseThrow().totalTokens());

    CreateEmbeddingResponse embedded = client.embeddings().create(EmbeddingCreateParams.builder()
        .model("text-embedding-3-small").input("claim notes").build());
    out.println("04 sdk-embed " + embedded.usage().promptTokens());

    try (Workflow wf = Flowcost.workflow("sdk-answer").tag("team", "sdk").start()) {
      ChatCompletion inWorkflow = client.chat().completions().create(
          ChatCompletionCreateParams.builder().model("gpt-4.1").addUserMessage("Inside").build());
      out.println("05 sdk-in-workflow " + inWorkflow.usage().orElseThrow().totalTokens());
      wf.success();
    }

    HttpResponse<String> sync = http.send(chat(base, "gpt-4o-mini", "Raw JDK", false),
        HttpResponse.BodyHandlers.ofString());
    out.println("06 jdk-sync " + sync.statusCode());

    List<String> lines = http.sendAsync(chat(base, "gpt-4.1", "Raw JDK stream", true),
            HttpResponse.BodyHandlers.ofLines())
        .thenApply(r -> r.body().collect(Collectors.toList())).get();
    out.println("07 jdk-async-stream events>0=" + lines.stream().anyMatch(l -> l.startsWith("data:")));

    HttpResponse<String> failed = http.send(chat(base, "gpt-4o-mini", "Raw busy [fail:429]", false),
        HttpResponse.BodyHandlers.ofString());
    out.println("08 jdk-fail " + failed.statusCode());

    ChatCompletion asyncRetried = client.async().chat().completions().create(
        ChatCompletionCreateParams.builder().model("gpt-4.1").addUserMessage("Async busy [fail:429]")
            .build()).join();
    out.println("09 sdk-async-retry " + asyncRetried.usage().orElseThrow().totalTokens());

    try (CloseableHttpClient apache = HttpClients.createDefault()) {
      HttpPost post = new HttpPost(base + "/chat/completions");
      post.setEntity(new StringEntity(
          "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"Raw Apache\"}]}",
          ContentType.APPLICATION_JSON));
      String reply = apache.execute(post, response -> EntityUtils.toString(response.getEntity()));
      out.println("10 apache-sync replied=" + reply.contains("\"usage\""));
    }

    Vertx vertx = Vertx.vertx();
    try {
      WebClient web = WebClient.create(vertx);
      int status = web.postAbs(base + "/chat/completions")
          .putHeader("Content-Type", "application/json")
          .sendBuffer(Buffer.buffer(
              "{\"model\":\"gpt-4.1\",\"messages\":[{\"role\":\"user\",\"content\":\"Raw Vert.x\"}]}"))
          .toCompletionStage().toCompletableFuture().get().statusCode();
      out.println("11 vertx-web-client " + status);
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    AnthropicClient anthropic = AnthropicOkHttpClient.builder()
        .baseUrl(base.replaceAll("/v1$", "")).apiKey("test-key").maxRetries(2).build();
    try {
      Message message = anthropic.messages().create(MessageCreateParams.builder()
          .model("claude-sonnet-4-5").maxTokens(256).addUserMessage("Anthropic busy [fail:429]")
          .build());
      out.println("12 anthropic-sdk-retry " + message.usage().outputTokens());
    } finally {
      anthropic.close();
    }
  }

  private static HttpRequest chat(String base, String model, String text, boolean stream)
      throws IOException {
    String body = "{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\",\"content\":\""
        + text + "\"}]" + (stream ? ",\"stream\":true,\"stream_options\":{\"include_usage\":true}" : "")
        + "}";
    return HttpRequest.newBuilder(URI.create(base + "/chat/completions"))
        .header("Content-Type", "application/json")
        .header("Authorization", "Bearer test-key")
        .POST(HttpRequest.BodyPublishers.ofString(body))
        .build();
  }
}
