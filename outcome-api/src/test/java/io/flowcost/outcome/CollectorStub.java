package io.flowcost.outcome;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;

/** A collector stand-in on 127.0.0.1 that records requests and answers from a script. */
final class CollectorStub implements AutoCloseable {

  static {
    // Without it the JDK server stalls ~40 ms per exchange (Nagle + delayed ACK).
    System.setProperty("sun.net.httpserver.nodelay", "true");
  }

  record Received(String method, String path, Map<String, List<String>> headers, String body, long nanoTime) {
    String header(String name) {
      return headers.entrySet().stream()
          .filter(e -> e.getKey().equalsIgnoreCase(name))
          .map(e -> e.getValue().get(0))
          .findFirst()
          .orElse(null);
    }
  }

  record Reply(int status, String retryAfter, long delayMillis) {}

  private final HttpServer server;
  private final List<Received> received = new ArrayList<>();
  private final Deque<Reply> script = new ArrayDeque<>();

  CollectorStub() throws IOException {
    this(0);
  }

  CollectorStub(int port) throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
    server.createContext("/", this::handle);
    server.setExecutor(Executors.newCachedThreadPool());
    server.start();
  }

  int port() {
    return server.getAddress().getPort();
  }

  String endpoint() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  /** Queues the replies for the next requests; afterwards every request gets 202. */
  synchronized CollectorStub reply(Reply... replies) {
    script.addAll(List.of(replies));
    return this;
  }

  synchronized List<Received> received() {
    return List.copyOf(received);
  }

  /** Waits until at least {@code count} requests have arrived. */
  List<Received> await(int count, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (this) {
      while (received.size() < count) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new AssertionError("expected " + count + " requests, got " + received.size());
        }
        wait(Math.max(1, left / 1_000_000));
      }
      return List.copyOf(received);
    }
  }

  private void handle(HttpExchange exchange) throws IOException {
    String body;
    try (InputStream in = exchange.getRequestBody()) {
      body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    Reply reply;
    synchronized (this) {
      received.add(
          new Received(
              exchange.getRequestMethod(),
              exchange.getRequestURI().getPath(),
              Map.copyOf(exchange.getRequestHeaders()),
              body,
              System.nanoTime()));
      notifyAll();
      reply = script.isEmpty() ? new Reply(202, null, 0) : script.poll();
    }
    if (reply.delayMillis() > 0) {
      try {
        Thread.sleep(reply.delayMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    if (reply.retryAfter() != null) {
      exchange.getResponseHeaders().add("Retry-After", reply.retryAfter());
    }
    byte[] answer = (reply.status() >= 400 ? "{\"error\":\"stub\"}" : "{}").getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().add("Content-Type", "application/json");
    exchange.sendResponseHeaders(reply.status(), answer.length);
    exchange.getResponseBody().write(answer);
    exchange.close();
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
