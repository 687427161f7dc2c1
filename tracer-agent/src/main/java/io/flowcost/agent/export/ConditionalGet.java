package io.flowcost.agent.export;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.Proxy;
import java.net.URL;

/**
 * A conditional {@code GET} of one collector resource ({@code /v1/budgets}, {@code /v1/prices})
 * with the export's API key and {@code If-None-Match}: the one HTTP client of the agent's
 * background pollers. Uses {@link HttpURLConnection} like the span export (the agent lives on the
 * bootstrap class path, where {@code java.net.http} is invisible) and bypasses proxies like it.
 * Only ever called on a poller's own daemon thread, never on the application's threads. Bodies are
 * returned to be parsed, never logged.
 */
public final class ConditionalGet {

  private static final int CONNECT_TIMEOUT_MILLIS = 2_000;

  /** What one fetch got. */
  public sealed interface Result permits Changed, Unchanged, Failed {}

  /**
   * 200: a new body and its ETag.
   *
   * @param etag the ETag to send next time, or {@code null} when the collector sent none
   */
  public record Changed(byte[] body, String etag) implements Result {}

  /** 304: what the caller holds is current. */
  public record Unchanged() implements Result {}

  /**
   * The fetch failed.
   *
   * @param status the HTTP status, or 0 when no answer came (refused, timed out, reset)
   * @param reason a short description without anything the collector sent
   */
  public record Failed(int status, String reason) implements Result {}

  private final URL url;
  private final String apiKey;
  private final int readTimeoutMillis;
  private final int maxBytes;

  /**
   * @param url the resource, e.g. {@code http://collector:4318/v1/prices}
   * @param apiKey sent as {@code X-Flowcost-Api-Key}, or {@code null}
   * @param readTimeoutMillis the read time-out (the connect time-out is 2 s)
   * @param maxBytes a larger body is a {@link Failed} (status 200), not read further
   * @throws IOException when {@code url} is not a valid URL
   */
  public ConditionalGet(String url, String apiKey, int readTimeoutMillis, int maxBytes)
      throws IOException {
    this.url = new URL(url);
    this.apiKey = apiKey;
    this.readTimeoutMillis = readTimeoutMillis;
    this.maxBytes = maxBytes;
  }

  /** The resource's URL (the collector's address: safe to log through {@code Printable}). */
  public String url() {
    return url.toString();
  }

  /** One fetch; {@code etag} is the ETag of what the caller holds, or {@code null}. Never throws. */
  public Result fetch(String etag) {
    HttpURLConnection c = null;
    try {
      c = (HttpURLConnection) url.openConnection(Proxy.NO_PROXY);
      c.setRequestMethod("GET");
      c.setUseCaches(false);
      c.setConnectTimeout(CONNECT_TIMEOUT_MILLIS);
      c.setReadTimeout(readTimeoutMillis);
      c.setRequestProperty("Accept", "application/json");
      if (apiKey != null) {
        c.setRequestProperty("X-Flowcost-Api-Key", apiKey);
      }
      if (etag != null) {
        c.setRequestProperty("If-None-Match", etag);
      }
      int status = c.getResponseCode();
      if (status == 304) {
        drain(c.getInputStream());
        return new Unchanged();
      }
      if (status != 200) {
        drain(c.getErrorStream());
        return new Failed(status, "HTTP " + status);
      }
      byte[] body;
      try (InputStream in = c.getInputStream()) {
        body = readBounded(in);
      }
      if (body == null) {
        return new Failed(status, "the answer is larger than " + maxBytes + " bytes");
      }
      return new Changed(body, c.getHeaderField("ETag"));
    } catch (IOException | RuntimeException e) {
      return new Failed(0, e.getClass().getName());
    } finally {
      if (c != null) {
        c.disconnect();
      }
    }
  }

  private byte[] readBounded(InputStream in) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream(64 * 1024);
    byte[] buf = new byte[16 * 1024];
    int n;
    while ((n = in.read(buf)) >= 0) {
      if (out.size() + n > maxBytes) {
        return null;
      }
      out.write(buf, 0, n);
    }
    return out.toByteArray();
  }

  private static void drain(InputStream in) throws IOException {
    if (in != null) {
      try (in) {
        in.transferTo(java.io.OutputStream.nullOutputStream()); // lets the connection be reused
      }
    }
  }
}
