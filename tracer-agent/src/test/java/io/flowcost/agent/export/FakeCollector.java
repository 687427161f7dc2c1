package io.flowcost.agent.export;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A stand-in for the collector on 127.0.0.1 that records request bodies and answers with scripted
 * statuses; it can be stopped and started again on the same port.
 */
final class FakeCollector implements AutoCloseable {

  /** One received request. */
  record Received(byte[] body, long nanoTime) {}

  final int port;
  final List<Received> received = new CopyOnWriteArrayList<>();
  /** Statuses for the next requests, in order; then 200. Each may carry a Retry-After. */
  final List<int[]> script = new CopyOnWriteArrayList<>();
  final AtomicInteger requests = new AtomicInteger();
  private HttpServer server;

  FakeCollector() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      this.port = s.getLocalPort();
    }
  }

  String endpoint() {
    return "http://127.0.0.1:" + port + "/v1/traces";
  }

  /** Answers {@code status} once, with {@code Retry-After: retryAfterSeconds} if ≥ 0. */
  FakeCollector thenAnswer(int status, int retryAfterSeconds) {
    script.add(new int[] {status, retryAfterSeconds});
    return this;
  }

  FakeCollector start() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 50);
    server.createContext("/v1/traces", exchange -> {
      byte[] body;
      try (InputStream in = exchange.getRequestBody()) {
        body = in.readAllBytes();
      }
      requests.incrementAndGet();
      int[] answer = script.isEmpty() ? new int[] {200, -1} : script.remove(0);
      if (answer[0] == 200) {
        received.add(new Received(body, System.nanoTime()));
      }
      if (answer[1] >= 0) {
        exchange.getResponseHeaders().add("Retry-After", Integer.toString(answer[1]));
      }
      exchange.sendResponseHeaders(answer[0], -1);
      exchange.close();
    });
    server.start();
    return this;
  }

  void stop() {
    if (server != null) {
      server.stop(0);
      server = null;
    }
  }

  /** Bodies received with 200, in arrival order, as text (markers are ASCII). */
  List<String> bodies() {
    List<String> out = new ArrayList<>();
    for (Received r : received) {
      out.add(new String(r.body(), java.nio.charset.StandardCharsets.ISO_8859_1));
    }
    return out;
  }

  @Override
  public void close() {
    stop();
  }
}
