package io.flowcost.agent.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A tiny OpenAI-shaped server on 127.0.0.1 for the client instrumentation tests: {@code POST
 * /v1/chat/completions} answers JSON (usage 11 in / 7 out), SSE when the body asks for a stream
 * (usage 13 in / 5 out in the last chunk), 429 when the body contains {@code [fail:429]}, an
 * OpenRouter-shaped reply with {@code usage.cost} {@value #OPENROUTER_COST} for {@code
 * [openrouter]}, and the JSON reply with a LiteLLM {@code x-litellm-response-cost} header of
 * {@value #LITELLM_COST} for {@code [litellm]}, the JSON reply without usage for {@code
 * [no-usage]}, and the SSE stream for {@code [hold-open]} with the body's end held back until
 * {@link #releaseHeld()} (a provider whose last chunk comes after {@code [DONE]}, late), and the
 * JSON reply for {@code [hold]} only once {@link #releaseHeld()} was called (a test orders
 * requests with it: {@link #awaitHeldRequest()}); any other path answers 204. It records the request headers it received.
 */
public final class TestLlmServer implements AutoCloseable {

  public static final String JSON_REPLY =
      "{\"id\":\"c1\",\"object\":\"chat.completion\",\"model\":\"gpt-4o-mini-2024-07-18\","
          + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"hi\"},"
          + "\"finish_reason\":\"stop\"}],"
          + "\"usage\":{\"prompt_tokens\":11,\"completion_tokens\":7,\"total_tokens\":18}}";

  /** OpenRouter's {@code usage.cost} in {@link #OPENROUTER_REPLY}: USD, more digits than a double keeps exactly. */
  public static final String OPENROUTER_COST = "0.000123456789012345";

  public static final String OPENROUTER_REPLY =
      "{\"id\":\"c3\",\"object\":\"chat.completion\",\"model\":\"openai/gpt-4o-mini\","
          + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"hi\"},"
          + "\"finish_reason\":\"stop\"}],"
          + "\"usage\":{\"prompt_tokens\":11,\"completion_tokens\":7,\"total_tokens\":18,"
          + "\"cost\":" + OPENROUTER_COST + "}}";

  /** The {@code x-litellm-response-cost} header a {@code [litellm]} request is answered with. */
  public static final String LITELLM_COST = "0.00042";

  public static final List<String> SSE_EVENTS =
      List.of(
          "{\"id\":\"c2\",\"object\":\"chat.completion.chunk\",\"model\":\"gpt-4.1-2025\","
              + "\"choices\":[{\"index\":0,\"delta\":{\"content\":\"he\"}}]}",
          "{\"id\":\"c2\",\"object\":\"chat.completion.chunk\",\"model\":\"gpt-4.1-2025\","
              + "\"choices\":[{\"index\":0,\"delta\":{\"content\":\"llo\"},\"finish_reason\":\"stop\"}]}",
          "{\"id\":\"c2\",\"object\":\"chat.completion.chunk\",\"model\":\"gpt-4.1-2025\","
              + "\"choices\":[],\"usage\":{\"prompt_tokens\":13,\"completion_tokens\":5,"
              + "\"total_tokens\":18}}",
          "[DONE]");

  private final HttpServer server;
  private final ExecutorService executor = Executors.newFixedThreadPool(2);
  private final List<Map<String, List<String>>> requestHeaders = new CopyOnWriteArrayList<>();
  private final CountDownLatch held = new CountDownLatch(1);
  private final CountDownLatch heldArrived = new CountDownLatch(1);

  private TestLlmServer(HttpServer server) {
    this.server = server;
  }

  /** Starts on a free port of 127.0.0.1. */
  public static TestLlmServer start() throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    TestLlmServer s = new TestLlmServer(server);
    server.createContext("/", s::handle);
    server.setExecutor(s.executor);
    server.start();
    return s;
  }

  /** {@code http://127.0.0.1:PORT}. */
  public String root() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  /** {@code http://127.0.0.1:PORT/v1}, the base URL a client is given. */
  public String baseUrl() {
    return root() + "/v1";
  }

  /** Headers of every request received, in order. */
  public List<Map<String, List<String>>> requestHeaders() {
    return requestHeaders;
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      requestHeaders.add(Map.copyOf(exchange.getRequestHeaders()));
      String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      if (!exchange.getRequestURI().getPath().equals("/v1/chat/completions")) {
        exchange.sendResponseHeaders(204, -1);
        return;
      }
      if (body.contains("[fail:429]")) {
        send(exchange, 429, "application/json", "{\"error\":{\"type\":\"rate_limit\"}}");
      } else if (body.contains("[no-usage]")) {
        send(exchange, 200, "application/json", JSON_REPLY.replaceAll(",\\s*\"usage\":\\{[^}]*}", ""));
      } else if (body.contains("[openrouter]")) {
        send(exchange, 200, "application/json", OPENROUTER_REPLY);
      } else if (body.contains("[litellm]")) {
        exchange.getResponseHeaders().set("x-litellm-response-cost", LITELLM_COST);
        send(exchange, 200, "application/json", JSON_REPLY);
      } else if (body.contains("[hold]")) {
        heldArrived.countDown();
        awaitRelease();
        send(exchange, 200, "application/json", JSON_REPLY);
      } else if (body.contains("[hold-open]")) {
        exchange.getResponseHeaders().set("Content-Type", "text/event-stream");
        exchange.sendResponseHeaders(200, 0); // chunked: the end is the last, empty chunk
        OutputStream out = exchange.getResponseBody();
        out.write(sse().getBytes(StandardCharsets.UTF_8));
        out.flush(); // everything up to [DONE] is on the wire; the end of the body is not
        awaitRelease();
      } else if (body.contains("\"stream\":true")) {
        send(exchange, 200, "text/event-stream", sse());
      } else {
        send(exchange, 200, "application/json", JSON_REPLY);
      }
    }
  }

  /**
   * Lets every {@code [hold]} response be sent and every {@code [hold-open]} one end its body now
   * (and later ones at once).
   */
  public void releaseHeld() {
    held.countDown();
  }

  /** Waits (at most 30 s) until a {@code [hold]} request has arrived; returns whether one did. */
  public boolean awaitHeldRequest() throws InterruptedException {
    return heldArrived.await(30, TimeUnit.SECONDS);
  }

  private void awaitRelease() {
    try {
      held.await(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static String sse() {
    StringBuilder sse = new StringBuilder();
    for (String event : SSE_EVENTS) {
      sse.append("data: ").append(event).append("\n\n");
    }
    return sse.toString();
  }

  private static void send(HttpExchange exchange, int status, String type, String text)
      throws IOException {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", type);
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  @Override
  public void close() {
    releaseHeld();
    server.stop(0);
    executor.shutdownNow();
  }
}
