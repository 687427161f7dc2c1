package io.flowcost.e2e;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A small service with no Flowcost code, for {@link ServerBoundaryEndToEndTest}: a JDK {@code
 * HttpServer} on 127.0.0.1 whose {@code /claims} handler asks the model twice per request, whose
 * {@code /escalate} handler asks once and answers 500, and whose {@code /health} asks nothing; it
 * sends itself three claim requests, a health check and an escalation, then runs {@link
 * Batch#run()} (two model calls, outside any request). Prints each status and reply length.
 *
 * <p>Usage: {@code --provider-url http://127.0.0.1:PORT/v1}
 */
public final class ServerBoundaryApp {

  private static final Pattern CONTENT = Pattern.compile("\"content\"\\s*:\\s*\"((?:[^\"\\\\]|\\\\.)*)\"");
  static final String MODEL = "gpt-4o-mini";

  private static final HttpClient MODEL_CLIENT =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
  private static String chatUrl;

  private ServerBoundaryApp() {}

  /** A nightly job, listed in {@code flowcost.workflow.methods}. */
  public static final class Batch {
    /** Summarises two claims. */
    public int run() throws IOException, InterruptedException {
      return ask("batch first") + ask("batch second");
    }
  }

  public static void main(String[] args) throws Exception {
    if (args.length != 2 || !args[0].equals("--provider-url")) {
      System.err.println("usage: --provider-url http://127.0.0.1:PORT/v1");
      System.exit(2);
    }
    useProvider(args[1]);
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/claims", exchange -> {
      int length = ask("summarise claim") + ask("check claim");
      respond(exchange, 200, "claim answered " + length);
    });
    server.createContext("/escalate", exchange -> {
      int length = ask("escalate claim");
      respond(exchange, 500, "escalation failed " + length);
    });
    server.createContext("/health", exchange -> respond(exchange, 200, "ok"));
    server.start();
    String base = "http://127.0.0.1:" + server.getAddress().getPort();
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    try {
      print(client, "GET", base + "/claims/1001/summary?user=alice");
      print(client, "GET", base + "/claims/1002/summary?user=bob");
      print(client, "POST", base + "/claims/1003");
      print(client, "GET", base + "/health");
      print(client, "GET", base + "/escalate/1004");
      System.out.println("batch " + new Batch().run());
    } finally {
      server.stop(0);
    }
  }

  private static void print(HttpClient client, String method, String url) throws Exception {
    HttpRequest request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
        .method(method, method.equals("GET") ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString("{}"))
        .build();
    HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
    System.out.println(method + " " + URI.create(url).getPath() + " " + response.statusCode() + " "
        + response.body());
  }

  private static void respond(HttpExchange exchange, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  /** Sends {@link #ask}'s requests to the provider at {@code providerV1} ({@code …/v1}). */
  static void useProvider(String providerV1) {
    chatUrl = providerV1 + "/chat/completions";
  }

  /** One chat completion; returns the length of the reply's text. */
  static int ask(String question) throws IOException {
    String body = "{\"model\":\"" + MODEL + "\",\"messages\":[{\"role\":\"user\",\"content\":\""
        + question + "\"}]}";
    HttpRequest request = HttpRequest.newBuilder(URI.create(chatUrl)).timeout(Duration.ofSeconds(30))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build();
    try {
      HttpResponse<String> response = MODEL_CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 200) {
        throw new IOException("model answered " + response.statusCode());
      }
      Matcher m = CONTENT.matcher(response.body());
      return m.find() ? m.group(1).length() : -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
  }
}
