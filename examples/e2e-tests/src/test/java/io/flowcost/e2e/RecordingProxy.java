package io.flowcost.e2e;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A pass-through in front of the fake provider on 127.0.0.1 that records the {@code traceparent}
 * and {@code baggage} headers of every request it forwards (the fake itself keeps no headers).
 * Bodies are relayed whole; request headers cross except hop-by-hop ones, response headers only
 * {@code Content-Type} and the fake's {@code retry-after-ms}.
 */
final class RecordingProxy implements AutoCloseable {

  /** What one forwarded request carried. */
  record Seen(String path, List<String> traceparent, List<String> baggage) {}

  private static final java.util.Set<String> HOP_BY_HOP = java.util.Set.of(
      "host", "content-length", "connection", "transfer-encoding", "keep-alive", "expect");

  private final HttpServer server;
  private final ExecutorService executor = Executors.newFixedThreadPool(4);
  private final String target;
  private final List<Seen> seen = new CopyOnWriteArrayList<>();

  RecordingProxy(String targetRoot) throws IOException {
    this.target = targetRoot;
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/", this::forward);
    server.setExecutor(executor);
    server.start();
  }

  String root() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  List<Seen> seen() {
    return seen;
  }

  private void forward(HttpExchange exchange) throws IOException {
    try (exchange) {
      Map<String, List<String>> h = exchange.getRequestHeaders();
      seen.add(new Seen(exchange.getRequestURI().getPath(), values(h, "traceparent"),
          values(h, "baggage")));
      HttpURLConnection c = (HttpURLConnection) URI.create(target + exchange.getRequestURI())
          .toURL().openConnection();
      c.setRequestMethod(exchange.getRequestMethod());
      for (Map.Entry<String, List<String>> e : h.entrySet()) {
        if (!HOP_BY_HOP.contains(e.getKey().toLowerCase(java.util.Locale.ROOT))) {
          for (String v : e.getValue()) {
            c.addRequestProperty(e.getKey(), v);
          }
        }
      }
      byte[] body = exchange.getRequestBody().readAllBytes();
      if (body.length > 0) {
        c.setDoOutput(true);
        try (OutputStream out = c.getOutputStream()) {
          out.write(body);
        }
      }
      int status = c.getResponseCode();
      byte[] reply;
      try (InputStream in = status >= 400 ? c.getErrorStream() : c.getInputStream()) {
        reply = in == null ? new byte[0] : in.readAllBytes();
      }
      for (String name : List.of("Content-Type", "retry-after-ms")) {
        String v = c.getHeaderField(name);
        if (v != null) {
          exchange.getResponseHeaders().set(name, v);
        }
      }
      exchange.sendResponseHeaders(status, reply.length == 0 ? -1 : reply.length);
      if (reply.length > 0) {
        exchange.getResponseBody().write(reply);
      }
    }
  }

  private static List<String> values(Map<String, List<String>> headers, String name) {
    for (Map.Entry<String, List<String>> e : headers.entrySet()) {
      if (e.getKey().equalsIgnoreCase(name)) {
        return List.copyOf(e.getValue());
      }
    }
    return List.of();
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
