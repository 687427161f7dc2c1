package io.flowcost.agent.prices;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.Proxy;
import java.net.URL;

/**
 * {@code GET <flowcost.endpoint>/v1/prices} over {@link HttpURLConnection} (the agent lives on the
 * bootstrap class path, where {@code java.net.http} is invisible), with the export's API key and
 * {@code If-None-Match}. Bypasses proxies like the span export. Runs on the price thread only.
 */
final class CatalogFetcher {

  /** The largest catalog accepted (the bundled one is about 0.3 MB). */
  static final int MAX_BYTES = 16 * 1024 * 1024;
  private static final int CONNECT_TIMEOUT_MILLIS = 2_000;
  private static final int READ_TIMEOUT_MILLIS = 10_000;

  /** What one poll got. */
  sealed interface Result permits Changed, Unchanged, Failed {}

  /** A new catalog body and its ETag (may be {@code null}). */
  record Changed(byte[] body, String etag) implements Result {}

  /** 304: the catalog held is current. */
  record Unchanged() implements Result {}

  /**
   * The poll failed; {@code status} is the HTTP status, or 0 when no answer came.
   *
   * @param reason a short description without anything the collector sent
   */
  record Failed(int status, String reason) implements Result {}

  private final URL url;
  private final String apiKey;

  /**
   * @param collectorEndpoint the collector's base URL ({@code flowcost.endpoint})
   * @param apiKey sent as {@code X-Flowcost-Api-Key}, or {@code null}
   * @throws IOException when the endpoint is not a valid URL
   */
  CatalogFetcher(String collectorEndpoint, String apiKey) throws IOException {
    this.url = new URL(collectorEndpoint + "/v1/prices");
    this.apiKey = apiKey;
  }

  String url() {
    return url.toString();
  }

  /** One poll; {@code etag} is the ETag of the catalog held, or {@code null}. Never throws. */
  Result fetch(String etag) {
    HttpURLConnection c = null;
    try {
      c = (HttpURLConnection) url.openConnection(Proxy.NO_PROXY);
      c.setRequestMethod("GET");
      c.setUseCaches(false);
      c.setConnectTimeout(CONNECT_TIMEOUT_MILLIS);
      c.setReadTimeout(READ_TIMEOUT_MILLIS);
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
        return new Failed(status, "the catalog is larger than " + MAX_BYTES + " bytes");
      }
      return new Changed(body, c.getHeaderField("ETag"));
    } catch (IOException | RuntimeException e) {
      return new Failed(0, e.getClass().getSimpleName());
    } finally {
      if (c != null) {
        c.disconnect();
      }
    }
  }

  private static byte[] readBounded(InputStream in) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream(64 * 1024);
    byte[] buf = new byte[16 * 1024];
    int n;
    while ((n = in.read(buf)) >= 0) {
      if (out.size() + n > MAX_BYTES) {
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
