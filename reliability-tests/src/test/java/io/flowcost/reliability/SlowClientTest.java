package io.flowcost.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Slow-loris clients: they send headers, then trickle or stall the body. The collector answers
 * 408 and closes the connection at {@code --request-timeout}, and serves others meanwhile.
 */
class SlowClientTest {

  @TempDir Path tmp;

  @Test
  @Timeout(value = 2, unit = TimeUnit.MINUTES)
  void aClientTricklingItsBodyIsCutOffAtTheRequestTimeoutAndOthersAreServed() throws Exception {
    int port = CollectorProcess.freePort();
    try (CollectorProcess collector = CollectorProcess.of(port, tmp.resolve("lake"),
        tmp.resolve("data"), tmp.resolve("log.txt"), "--request-timeout", "2s").start()) {
      try (Socket trickle = new Socket("127.0.0.1", port);
          Socket stall = new Socket("127.0.0.1", port)) {
        trickle.setSoTimeout(200);
        stall.setSoTimeout(200);
        String head = "POST /v1/traces HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            + "Content-Type: application/x-protobuf\r\nContent-Length: 100000\r\n\r\n";
        trickle.getOutputStream().write(head.getBytes(StandardCharsets.US_ASCII));
        stall.getOutputStream().write(head.getBytes(StandardCharsets.US_ASCII));
        long t0 = System.nanoTime();
        StringBuilder answer = new StringBuilder();
        long trickleClosedAt = -1;
        long stallClosedAt = -1;
        int healthDuringStall = -1;
        OutputStream out = trickle.getOutputStream();
        InputStream in = trickle.getInputStream();
        while (System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(15)
            && (trickleClosedAt < 0 || stallClosedAt < 0)) {
          if (trickleClosedAt < 0) {
            try {
              out.write(0x0a); // one byte of body every ~200 ms: never idle
              out.flush();
              int n = in.read();
              if (n < 0) {
                trickleClosedAt = System.nanoTime() - t0;
              } else {
                answer.append((char) n).append(new String(in.readNBytes(in.available()),
                    StandardCharsets.ISO_8859_1));
              }
            } catch (SocketTimeoutException stillOpen) {
              // no answer yet
            } catch (java.io.IOException closed) {
              trickleClosedAt = System.nanoTime() - t0;
            }
          }
          if (stallClosedAt < 0) {
            try {
              if (stall.getInputStream().read() < 0) {
                stallClosedAt = System.nanoTime() - t0;
              }
            } catch (SocketTimeoutException stillOpen) {
              // no answer yet
            } catch (java.io.IOException closed) {
              stallClosedAt = System.nanoTime() - t0;
            }
          }
          if (healthDuringStall < 0) {
            HttpURLConnection c = (HttpURLConnection) URI.create("http://127.0.0.1:" + port
                + "/health").toURL().openConnection();
            healthDuringStall = c.getResponseCode();
            c.disconnect();
          }
        }
        System.out.printf("slow clients (request timeout 2 s): trickling client got '%s' and was"
                + " closed after %d ms; stalled client closed after %d ms; /health meanwhile -> %d%n",
            answer.toString().lines().findFirst().orElse("nothing"),
            TimeUnit.NANOSECONDS.toMillis(trickleClosedAt),
            TimeUnit.NANOSECONDS.toMillis(stallClosedAt), healthDuringStall);
        assertThat(answer.toString()).startsWith("HTTP/1.1 408");
        assertThat(trickleClosedAt).as("trickling client cut off").isPositive()
            .isLessThan(TimeUnit.SECONDS.toNanos(10));
        assertThat(stallClosedAt).as("stalled client cut off").isPositive()
            .isLessThan(TimeUnit.SECONDS.toNanos(10));
        assertThat(healthDuringStall).isEqualTo(200);
      }
    }
  }
}
