package io.flowcost.collector.budget;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/** A webhook on 127.0.0.1 that records the bodies it receives; it can fail on purpose. */
final class WebhookReceiver implements AutoCloseable {

  private final HttpServer server;
  private final List<String> bodies = new ArrayList<>();
  /** Requests to answer 503 before accepting (a webhook that is down). */
  final AtomicInteger failNext = new AtomicInteger();
  final AtomicInteger refused = new AtomicInteger();

  WebhookReceiver() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/hook", ex -> {
      byte[] body = ex.getRequestBody().readAllBytes();
      if (failNext.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
        refused.incrementAndGet();
        ex.sendResponseHeaders(503, -1);
      } else {
        synchronized (bodies) {
          bodies.add(new String(body, StandardCharsets.UTF_8));
          bodies.notifyAll();
        }
        ex.sendResponseHeaders(204, -1);
      }
      ex.close();
    });
    server.start();
  }

  String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/hook";
  }

  /** Waits (bounded) until at least {@code n} bodies arrived; returns a copy of them all. */
  List<String> await(int n, Duration max) throws InterruptedException {
    long end = System.nanoTime() + max.toNanos();
    synchronized (bodies) {
      while (bodies.size() < n && System.nanoTime() < end) {
        bodies.wait(Math.max(1, (end - System.nanoTime()) / 1_000_000));
      }
      return new ArrayList<>(bodies);
    }
  }

  List<String> bodies() {
    synchronized (bodies) {
      return new ArrayList<>(bodies);
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
