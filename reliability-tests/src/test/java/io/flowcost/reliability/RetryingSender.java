package io.flowcost.reliability;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Posts an OTLP request until the collector acknowledges it (2xx), like an exporter that retries
 * unacknowledged requests: connection refused, reset, timeout, 429 and 5xx are all retried.
 */
final class RetryingSender {

  private final URI endpoint;
  private final long giveUpNanos;
  final AtomicLong attempts = new AtomicLong();
  final AtomicLong retriedRequests = new AtomicLong();
  final AtomicLong failedAttempts = new AtomicLong();

  RetryingSender(int port, long giveUpSeconds) {
    this.endpoint = URI.create("http://127.0.0.1:" + port + "/v1/traces");
    this.giveUpNanos = TimeUnit.SECONDS.toNanos(giveUpSeconds);
  }

  /** Sends {@code body} until acknowledged; returns the number of attempts it took. */
  int send(byte[] body) throws InterruptedException {
    long deadline = System.nanoTime() + giveUpNanos;
    int tries = 0;
    long backoff = 20;
    while (true) {
      tries++;
      attempts.incrementAndGet();
      if (tries == 2) {
        retriedRequests.incrementAndGet();
      }
      int status;
      try {
        status = post(body);
      } catch (IOException e) {
        status = -1;
      }
      if (status >= 200 && status < 300) {
        return tries;
      }
      if (status >= 400 && status < 500 && status != 429 && status != 408) {
        throw new IllegalStateException("collector refused a request with " + status);
      }
      failedAttempts.incrementAndGet();
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("no acknowledgement after " + tries + " attempts");
      }
      Thread.sleep(backoff);
      backoff = Math.min(500, backoff * 2);
    }
  }

  private int post(byte[] body) throws IOException {
    HttpURLConnection c = (HttpURLConnection) endpoint.toURL().openConnection();
    try {
      c.setRequestMethod("POST");
      c.setDoOutput(true);
      c.setConnectTimeout(1000);
      c.setReadTimeout(5000);
      c.setRequestProperty("Content-Type", "application/x-protobuf");
      c.setFixedLengthStreamingMode(body.length);
      try (OutputStream out = c.getOutputStream()) {
        out.write(body);
      }
      int code = c.getResponseCode();
      try (InputStream in = code >= 400 ? c.getErrorStream() : c.getInputStream()) {
        if (in != null) {
          in.readAllBytes();
        }
      }
      return code;
    } finally {
      c.disconnect();
    }
  }
}
