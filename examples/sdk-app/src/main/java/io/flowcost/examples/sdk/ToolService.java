package io.flowcost.examples.sdk;

import com.openai.client.OpenAIClient;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.sun.net.httpserver.HttpServer;
import io.flowcost.outcome.Flowcost;
import io.flowcost.outcome.Workflow;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Two services for the cross-JVM test: a caller that opens a workflow and calls a tool over HTTP,
 * and a tool service (a JDK {@code HttpServer}) that answers with a model call of its own. Neither
 * knows about Flowcost propagation: the agent carries the workflow across.
 */
final class ToolService {

  private ToolService() {}

  /** Serves one {@code POST /tool}, writing the port to {@code portFile} once listening. */
  static void serveOnce(OpenAIClient client, Path portFile, PrintStream out) throws Exception {
    CountDownLatch served = new CountDownLatch(1);
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/tool", exchange -> {
      try (exchange) {
        ChatCompletion answer = client.chat().completions().create(
            ChatCompletionCreateParams.builder().model("gpt-4o-mini")
                .addUserMessage("Tool work").build());
        byte[] body = ("tokens=" + answer.usage().orElseThrow().totalTokens())
            .getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(200, body.length);
        exchange.getResponseBody().write(body);
      } finally {
        served.countDown();
      }
    });
    server.start();
    Path tmp = portFile.resolveSibling(portFile.getFileName() + ".tmp");
    Files.writeString(tmp, Integer.toString(server.getAddress().getPort()));
    Files.move(tmp, portFile);
    boolean done = served.await(60, TimeUnit.SECONDS);
    server.stop(0);
    out.println("tool-service served=" + done);
  }

  /** Opens workflow {@code delegate} (team=tools), calls the model, then the tool. */
  static void callTool(OpenAIClient client, HttpClient http, String toolUrl, PrintStream out)
      throws Exception {
    try (Workflow wf = Flowcost.workflow("delegate").tag("team", "tools").start()) {
      ChatCompletion plan = client.chat().completions().create(ChatCompletionCreateParams.builder()
          .model("gpt-4.1").addUserMessage("Plan").build());
      HttpResponse<String> tool = http.send(
          HttpRequest.newBuilder(URI.create(toolUrl)).POST(HttpRequest.BodyPublishers.noBody())
              .build(),
          HttpResponse.BodyHandlers.ofString());
      out.println("caller plan=" + plan.usage().orElseThrow().totalTokens() + " tool="
          + tool.statusCode() + " " + tool.body());
      wf.success();
    }
  }
}
