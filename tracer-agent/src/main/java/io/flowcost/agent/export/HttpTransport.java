package io.flowcost.agent.export;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.Proxy;
import java.net.URL;

/**
 * OTLP/HTTP over {@link HttpURLConnection}.
 *
 * <p>The agent's classes live on the bootstrap class path, which cannot see {@code java.net.http}
 * (a platform-loader module). Requests bypass any proxy so that the agent's own traffic stays off
 * the application's network path. Response bodies are read and discarded, never logged.
 */
final class HttpTransport implements Transport {

  private static final int CONNECT_TIMEOUT_MILLIS = 2_000;
  private static final int READ_TIMEOUT_MILLIS = 10_000;
  /** A collector answers with a few bytes (an empty OTLP response). */
  private static final int DRAIN_BYTES = 256;

  private final URL endpoint;
  private final String apiKey;

  HttpTransport(String endpoint, String apiKey) throws IOException {
    this.endpoint = new URL(endpoint);
    this.apiKey = apiKey;
  }

  @Override
  public String url() {
    return endpoint.toString();
  }

  @Override
  public Response post(byte[] body, int length) throws IOException {
    HttpURLConnection c = (HttpURLConnection) endpoint.openConnection(Proxy.NO_PROXY);
    try {
      c.setRequestMethod("POST");
      c.setDoOutput(true);
      c.setUseCaches(false);
      c.setConnectTimeout(CONNECT_TIMEOUT_MILLIS);
      c.setReadTimeout(READ_TIMEOUT_MILLIS);
      c.setRequestProperty("Content-Type", "application/x-protobuf");
      if (apiKey != null) {
        c.setRequestProperty("X-Flowcost-Api-Key", apiKey);
      }
      c.setFixedLengthStreamingMode(length);
      try (OutputStream out = c.getOutputStream()) {
        out.write(body, 0, length);
      }
      int status = c.getResponseCode();
      long retryAfter = retryAfterMillis(c.getHeaderField("Retry-After"));
      try (InputStream in = status >= 400 ? c.getErrorStream() : c.getInputStream()) {
        if (in != null) {
          // read to the end and dropped, which lets the connection be reused: through a small
          // array rather than readAllBytes, which makes an 8 KiB one (and more) per request
          byte[] drain = new byte[DRAIN_BYTES];
          while (in.read(drain) >= 0) {
            // discarded
          }
        }
      }
      return new Response(status, retryAfter);
    } finally {
      c.disconnect();
    }
  }

  /** Seconds form only; an HTTP-date is rare from collectors and falls back to backoff. */
  static long retryAfterMillis(String header) {
    if (header == null) {
      return -1;
    }
    try {
      long seconds = Long.parseLong(header.trim());
      return seconds < 0 ? -1 : Math.min(seconds, 3_600) * 1_000;
    } catch (NumberFormatException e) {
      return -1;
    }
  }
}
