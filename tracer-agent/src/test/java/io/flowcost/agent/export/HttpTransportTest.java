package io.flowcost.agent.export;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * {@link HttpTransport}'s own HTTP/1.1 exchange: one kept connection for consecutive requests,
 * the request as the collector expects it (path, headers, body), every way an HTTP/1.1 response
 * can end its body (a length, chunks with trailers, the connection's close), interim answers,
 * {@code Connection: close}, a redirect (a failure, not followed), a kept connection the
 * collector closed while idle (the request is sent again on a new one, once), and the failures
 * the shipper must see as failures (no collector, no answer in time, not HTTP).
 */
class HttpTransportTest {

  private static final byte[] BODY = "\u0000otlp\r\n\r\nbytes\u00ff".getBytes(
      StandardCharsets.ISO_8859_1);

  @Test
  void keepsOneConnectionAndSendsTheRequestTheCollectorExpects() throws Exception {
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 10);
    List<String> seen = new CopyOnWriteArrayList<>();
    server.createContext("/v1/traces", exchange -> {
      byte[] body;
      try (InputStream in = exchange.getRequestBody()) {
        body = in.readAllBytes();
      }
      seen.add(exchange.getRequestMethod() + " " + exchange.getRequestURI() + " "
          + exchange.getRequestHeaders().getFirst("Content-Type") + " "
          + exchange.getRequestHeaders().getFirst("X-Flowcost-Api-Key") + " "
          + exchange.getRemoteAddress().getPort() + " "
          + new String(body, StandardCharsets.ISO_8859_1));
      byte[] answer = seen.size() == 2 ? "{\"partialSuccess\":{}}".getBytes(StandardCharsets.UTF_8)
          : new byte[0];
      exchange.sendResponseHeaders(seen.size() == 3 ? 503 : 200,
          answer.length == 0 ? -1 : answer.length);
      exchange.getResponseBody().write(answer);
      exchange.close();
    });
    server.start();
    try {
      HttpTransport transport = new HttpTransport(
          "http://127.0.0.1:" + server.getAddress().getPort() + "/v1/traces", "key-1");
      byte[] longer = new byte[BODY.length + 5];
      System.arraycopy(BODY, 0, longer, 0, BODY.length);
      assertThat(transport.post(longer, BODY.length).status()).isEqualTo(200);
      byte[] inside = new byte[BODY.length + 8]; // a request in the middle of an array
      java.util.Arrays.fill(inside, (byte) '#');
      System.arraycopy(BODY, 0, inside, 3, BODY.length);
      // an answer with a body
      assertThat(transport.post(inside, 3, BODY.length).status()).isEqualTo(200);
      Transport.Response refused = transport.post(BODY);
      assertThat(refused.status()).isEqualTo(503);
      assertThat(refused.retriable()).isTrue();
      assertThat(transport.post(new byte[0]).ok()).isTrue();
      assertThat(transport.connections()).isEqualTo(1);
      String port = seen.get(0).split(" ")[4];
      String text = new String(BODY, StandardCharsets.ISO_8859_1);
      assertThat(seen).containsExactly(
          "POST /v1/traces application/x-protobuf key-1 " + port + " " + text,
          "POST /v1/traces application/x-protobuf key-1 " + port + " " + text,
          "POST /v1/traces application/x-protobuf key-1 " + port + " " + text,
          "POST /v1/traces application/x-protobuf key-1 " + port + " ");
      transport.close();
    } finally {
      server.stop(0);
    }
  }

  @Test
  void readsEveryKindOfResponseBodyAndFollowsConnectionClose() throws Exception {
    try (RawCollector collector = new RawCollector()) {
      collector.answer("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 3\r\n"
          + "\r\nabc", false);
      collector.answer("HTTP/1.1 429 Too Many Requests\r\nretry-after: 7\r\n"
          + "Transfer-Encoding: chunked\r\n\r\n4;ext=1\r\nwait\r\n10\r\n0123456789abcdef\r\n0\r\n"
          + "X-Trailer: t\r\n\r\n", false);
      collector.answer("HTTP/1.1 204 No Content\r\nContent-Length: 99\r\n\r\n", false);
      collector.answer("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n", false);
      collector.answer("HTTP/1.0 200 OK\r\n\r\nbody until the end", true);
      collector.answer("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", false);
      collector.answer("HTTP/1.1 307 Temporary Redirect\r\nLocation: http://elsewhere/\r\n"
          + "Content-Length: 0\r\n\r\n", false);
      HttpTransport transport = new HttpTransport(collector.endpoint(), null);
      assertThat(transport.post(BODY).status()).isEqualTo(200);
      Transport.Response throttled = transport.post(BODY);
      assertThat(throttled.status()).isEqualTo(429);
      assertThat(throttled.retryAfterMillis()).isEqualTo(7_000);
      assertThat(transport.post(BODY).status()).isEqualTo(204);
      assertThat(transport.connections()).isEqualTo(1); // the same connection so far
      assertThat(transport.post(BODY).status()).isEqualTo(200); // then closed, as asked
      assertThat(transport.post(BODY).status()).isEqualTo(200); // a new one; HTTP/1.0 closes
      assertThat(transport.post(BODY).status()).isEqualTo(200);
      // a redirect is not followed: a failure, as HttpURLConnection's for a streamed POST
      assertThatThrownBy(() -> transport.post(BODY)).isInstanceOf(IOException.class)
          .hasMessageContaining("redirect (307)");
      assertThat(transport.connections()).isEqualTo(3);
      assertThat(collector.bodies).hasSize(7).allSatisfy(b -> assertThat(b).isEqualTo(BODY));
      transport.close();
    }
  }

  @Test
  void aKeptConnectionTheCollectorClosedIsReplacedAndTheRequestSentOnce() throws Exception {
    try (RawCollector collector = new RawCollector()) {
      // the collector answers, then closes the connection without saying so
      collector.answer("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", true);
      collector.answer("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", false);
      HttpTransport transport = new HttpTransport(collector.endpoint(), null);
      assertThat(transport.post(BODY).status()).isEqualTo(200);
      collector.awaitClosed(1);
      assertThat(transport.post(BODY).status()).isEqualTo(200);
      assertThat(transport.connections()).isEqualTo(2);
      assertThat(collector.bodies).hasSize(2); // delivered once each
      transport.close();
    }
  }

  @Test
  void failuresReachTheShipperAsIoExceptions() throws Exception {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      closedPort = s.getLocalPort();
    }
    HttpTransport nobody = new HttpTransport("http://127.0.0.1:" + closedPort + "/v1/traces",
        null);
    assertThatThrownBy(() -> nobody.post(BODY)).isInstanceOf(IOException.class);
    try (RawCollector silent = new RawCollector()) {
      silent.answer(null, false); // reads the request, never answers
      HttpTransport transport = new HttpTransport(silent.endpoint(), null, 2_000, 300);
      assertThatThrownBy(() -> transport.post(BODY)).isInstanceOf(SocketTimeoutException.class);
      assertThat(silent.bodies).hasSize(1); // not sent again after a time-out
    }
    try (RawCollector notHttp = new RawCollector()) {
      notHttp.answer("SSH-2.0-OpenSSH\r\n\r\n", false);
      HttpTransport transport = new HttpTransport(notHttp.endpoint(), null);
      assertThatThrownBy(() -> transport.post(BODY)).isInstanceOf(IOException.class)
          .hasMessageContaining("not an HTTP");
    }
  }

  @Test
  void anApiKeyThatIsNotAHeaderValueIsNeverWrittenAsOne() throws Exception {
    try (RawCollector collector = new RawCollector()) {
      collector.answer("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", false);
      // as before this transport existed: the JDK refuses the header, the request is not sent
      HttpTransport transport = new HttpTransport(collector.endpoint(), "k\r\nX-Injected: 1");
      assertThatThrownBy(() -> transport.post(BODY)).isInstanceOf(IllegalArgumentException.class);
      assertThat(collector.heads).isEmpty();
    }
  }

  @Test
  void retryAfterInSecondsOnly() {
    assertThat(HttpTransport.retryAfterMillis("3")).isEqualTo(3_000);
    assertThat(HttpTransport.retryAfterMillis(" 99999 ")).isEqualTo(3_600_000);
    assertThat(HttpTransport.retryAfterMillis("-1")).isEqualTo(-1);
    assertThat(HttpTransport.retryAfterMillis("Wed, 21 Oct 2015 07:28:00 GMT")).isEqualTo(-1);
    assertThat(HttpTransport.retryAfterMillis(null)).isEqualTo(-1);
  }

  /**
   * A collector on 127.0.0.1 that reads each request (head, then {@code Content-Length} bytes)
   * and writes the next scripted answer as raw bytes, then closes the connection if told to.
   */
  static final class RawCollector implements AutoCloseable {
    private final ServerSocket server =
        new ServerSocket(0, 10, java.net.InetAddress.getLoopbackAddress());
    private final BlockingQueue<Object[]> answers = new LinkedBlockingQueue<>();
    final List<byte[]> bodies = new CopyOnWriteArrayList<>();
    final List<String> heads = new CopyOnWriteArrayList<>();
    private final AtomicInteger closed = new AtomicInteger();
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final Thread acceptor;

    RawCollector() throws IOException {
      acceptor = new Thread(this::accept, "raw-collector");
      acceptor.setDaemon(true);
      acceptor.start();
    }

    String endpoint() {
      return endpoint("/v1/traces");
    }

    String endpoint(String path) {
      return "http://127.0.0.1:" + server.getLocalPort() + path;
    }

    /** The next answer ({@code null}: none, the connection left open), then close or not. */
    void answer(String raw, boolean thenClose) {
      answers.add(new Object[] {raw, thenClose});
    }

    void awaitClosed(int n) throws InterruptedException {
      long deadline = System.nanoTime() + 30_000_000_000L;
      while (closed.get() < n && System.nanoTime() < deadline) {
        synchronized (closed) {
          closed.wait(100);
        }
      }
      assertThat(closed.get()).isGreaterThanOrEqualTo(n);
    }

    private void accept() {
      while (!server.isClosed()) {
        try {
          Socket s = server.accept();
          sockets.add(s);
          Thread t = new Thread(() -> serve(s), "raw-collector-connection");
          t.setDaemon(true);
          t.start();
        } catch (IOException e) {
          return;
        }
      }
    }

    private void serve(Socket s) {
      try (s) {
        InputStream in = s.getInputStream();
        OutputStream out = s.getOutputStream();
        while (true) {
          String head = readHead(in);
          if (head == null) {
            return;
          }
          heads.add(head);
          int length = 0;
          for (String line : head.split("\r\n")) {
            if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
              length = Integer.parseInt(line.substring(15).trim());
            }
          }
          bodies.add(in.readNBytes(length));
          Object[] answer = answers.take();
          if (answer[0] == null) {
            in.read(); // never answers: until the transport gives up and closes
            return;
          }
          out.write(((String) answer[0]).getBytes(StandardCharsets.ISO_8859_1));
          out.flush();
          if ((Boolean) answer[1]) {
            return;
          }
        }
      } catch (IOException | InterruptedException e) {
        // the test is over
      } finally {
        closed.incrementAndGet();
        synchronized (closed) {
          closed.notifyAll();
        }
      }
    }

    private static String readHead(InputStream in) throws IOException {
      ByteArrayOutputStream head = new ByteArrayOutputStream();
      int matched = 0;
      while (matched < 4) {
        int b = in.read();
        if (b < 0) {
          return null;
        }
        head.write(b);
        matched = (b == "\r\n\r\n".charAt(matched)) ? matched + 1 : (b == '\r' ? 1 : 0);
      }
      return head.toString(StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() throws IOException {
      server.close();
      for (Socket s : sockets) {
        s.close();
      }
    }
  }
}
