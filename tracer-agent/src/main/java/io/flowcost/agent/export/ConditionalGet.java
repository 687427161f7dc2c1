package io.flowcost.agent.export;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.Proxy;
import java.net.URL;
import java.nio.charset.StandardCharsets;

/**
 * A conditional {@code GET} of one collector resource ({@code /v1/budgets}, {@code /v1/prices})
 * with the export's API key and {@code If-None-Match}: the one HTTP client of the agent's
 * background pollers. Like the span export, it writes HTTP/1.1 itself over one kept connection
 * ({@link HttpTransport#get}) to an {@code http://} collector — the very bytes {@link
 * HttpURLConnection} would write — and uses {@link HttpURLConnection} for {@code https://} and to
 * follow a redirect (the agent lives on the bootstrap class path, where {@code java.net.http} is
 * invisible); it bypasses proxies like it. Why not {@link HttpURLConnection} throughout: a poll
 * every 15 s is too rare for its code to be compiled, and finds its kept connection expired (5 s),
 * so each poll opened a connection and started a keep-alive timer thread — about 2 ms of CPU a
 * poll in the side-by-side benchmark. Only ever called on a poller's own daemon thread, never on
 * the application's threads. Bodies are returned to be parsed, never logged.
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
   * The kept HTTP/1.1 connection of this resource's fetches ({@link HttpTransport#get}), or {@code
   * null} where {@link HttpURLConnection} must fetch (https, user info in the URL, a key or agent
   * string that is not a header value).
   */
  private final HttpTransport kept;
  /** The request up to where {@code If-None-Match} goes, and from there to its end. */
  private final String requestStart;
  private final String requestEnd;

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
    // the bytes HttpURLConnection writes for this fetch, in its order (ConditionalGetTest compares
    // them): the request line, the properties set below in fetchWithUrlConnection, the two that
    // setUseCaches(false) adds, then User-Agent, Host (no port when it is the default) and
    // Connection. Not what an application adds to every HttpURLConnection request (a default
    // CookieHandler's cookies): the collector sets none.
    String agent = System.getProperty("http.agent");
    String version = System.getProperty("java.version");
    String userAgent = agent == null ? "Java/" + version : agent + " Java/" + version;
    String file = this.url.getFile().isEmpty() ? "/" : this.url.getFile();
    int port = this.url.getPort();
    String host = port != -1 && port != this.url.getDefaultPort()
        ? this.url.getHost() + ":" + port : this.url.getHost();
    HttpTransport transport = null;
    if (HttpTransport.isHeaderValue(userAgent) && HttpTransport.isHeaderValue(host)) {
      transport = new HttpTransport(url, apiKey, CONNECT_TIMEOUT_MILLIS, readTimeoutMillis);
      if (!transport.writesItself()) {
        transport = null;
      }
    }
    kept = transport;
    requestStart = "GET " + file + " HTTP/1.1\r\nAccept: application/json\r\n"
        + (apiKey == null ? "" : "X-Flowcost-Api-Key: " + apiKey + "\r\n");
    requestEnd = "Cache-Control: no-cache\r\nPragma: no-cache\r\nUser-Agent: " + userAgent
        + "\r\nHost: " + host + "\r\nConnection: keep-alive\r\n\r\n";
  }

  /** The resource's URL (the collector's address: safe to log through {@code Printable}). */
  public String url() {
    return url.toString();
  }

  /** One fetch; {@code etag} is the ETag of what the caller holds, or {@code null}. Never throws. */
  public Result fetch(String etag) {
    if (kept == null || (etag != null && !HttpTransport.isHeaderValue(etag))) {
      return fetchWithUrlConnection(etag);
    }
    HttpTransport.Got got;
    try {
      got = kept.get(request(etag), maxBytes);
    } catch (IOException | RuntimeException e) {
      kept.close();
      return new Failed(0, e.getClass().getName());
    }
    if (got == null) {
      return fetchWithUrlConnection(etag); // a redirect: followed as HttpURLConnection follows it
    }
    if (got.status() == 304) {
      return new Unchanged();
    }
    if (got.status() != 200) {
      return new Failed(got.status(), "HTTP " + got.status());
    }
    if (got.body() == null) {
      return new Failed(200, "the answer is larger than " + maxBytes + " bytes");
    }
    return new Changed(got.body(), got.etag());
  }

  /** The request {@link #fetch} writes: HttpURLConnection's bytes for it. */
  byte[] request(String etag) {
    return (requestStart + (etag == null ? "" : "If-None-Match: " + etag + "\r\n") + requestEnd)
        .getBytes(StandardCharsets.ISO_8859_1);
  }

  /** Closes the kept connection, if any (tests). */
  void close() {
    if (kept != null) {
      kept.close();
    }
  }

  /** Connections the kept client opened (tests). */
  long connections() {
    return kept == null ? 0 : kept.connections();
  }

  /** {@link #fetch} through {@link HttpURLConnection}: https, a redirect. */
  Result fetchWithUrlConnection(String etag) {
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
