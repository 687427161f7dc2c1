package io.flowcost.agent.export;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URL;
import java.nio.charset.StandardCharsets;

/**
 * OTLP/HTTP: a {@code POST} of each encoded request to the collector.
 *
 * <p>To an {@code http://} endpoint, HTTP/1.1 written and read here over one kept connection
 * (opened at the first request, again after a failure or when the collector closes it): the
 * request's head is made once, and a response is read into one reused array. The JDK's {@link
 * HttpURLConnection}, which {@code https://} endpoints (and an API key that is not a valid header
 * value) still use, makes a connection object, a header table and an 8 KiB read buffer per
 * request, re-checks a kept connection by a one-millisecond read that ends in an exception, and
 * closes the connection whenever the response has a body: most of the sending thread's time
 * ({@code ExportPathBenchmark}). A kept connection the collector closed while idle fails the next
 * request before any answer: that request is sent once more on a new connection.
 *
 * <p>The same connection handling serves the pollers' conditional {@code GET}s ({@link #get},
 * {@link ConditionalGet}), each poller with a transport of its own.
 *
 * <p>The agent's classes live on the bootstrap class path, which cannot see {@code java.net.http}
 * (a platform-loader module). Requests bypass any proxy so that the agent's own traffic stays off
 * the application's network path. Response bodies are read and discarded, never logged. One
 * thread posts at a time (the shipper's; the methods are synchronized for the rare report sent
 * from elsewhere).
 */
final class HttpTransport implements Transport {

  private static final int CONNECT_TIMEOUT_MILLIS = 2_000;
  private static final int READ_TIMEOUT_MILLIS = 10_000;
  /** A collector answers with a few bytes (an empty OTLP response). */
  private static final int DRAIN_BYTES = 256;
  /** A response's status line and headers larger than this are refused (not a collector). */
  static final int MAX_HEAD_BYTES = 64 * 1024;

  private final URL endpoint;
  private final String apiKey;
  private final int connectTimeoutMillis;
  private final int readTimeoutMillis;
  /** The request up to the value of its {@code Content-Length}; {@code null}: use {@link
   * HttpURLConnection}. */
  private final byte[] head;
  private final String host;
  private final int port;

  private Socket socket;
  private OutputStream out;
  private InputStream in;
  /** Read buffer: {@code read[readPos .. readLimit)} not yet consumed. */
  private final byte[] read = new byte[DRAIN_BYTES * 16];
  private int readPos;
  private int readLimit;
  /** The request's head, ending with its length: made in {@link #post} per request. */
  private final byte[] requestHead;
  /** Connections opened (tests: a kept connection means this stops growing). */
  private long connections;
  /**
   * While {@link #get} reads an answer: where its body goes ({@code null} for a {@code POST},
   * whose body is dropped), the most it may hold, and the answer's {@code ETag}.
   */
  private ByteArrayOutputStream body;
  private int maxBodyBytes;
  private String etag;

  HttpTransport(String endpoint, String apiKey) throws IOException {
    this(endpoint, apiKey, CONNECT_TIMEOUT_MILLIS, READ_TIMEOUT_MILLIS);
  }

  /** With other time-outs (tests). */
  HttpTransport(String endpoint, String apiKey, int connectTimeoutMillis, int readTimeoutMillis)
      throws IOException {
    this.endpoint = new URL(endpoint);
    this.apiKey = apiKey;
    this.connectTimeoutMillis = connectTimeoutMillis;
    this.readTimeoutMillis = readTimeoutMillis;
    String file = this.endpoint.getFile().isEmpty() ? "/" : this.endpoint.getFile();
    boolean plain = "http".equalsIgnoreCase(this.endpoint.getProtocol())
        && this.endpoint.getUserInfo() == null && (apiKey == null || isHeaderValue(apiKey))
        && isHeaderValue(file) && isHeaderValue(this.endpoint.getHost());
    host = this.endpoint.getHost();
    port = this.endpoint.getPort() < 0 ? this.endpoint.getDefaultPort() : this.endpoint.getPort();
    if (plain) {
      String hostHeader = this.endpoint.getPort() < 0 ? host : host + ":" + port;
      head = ("POST " + file + " HTTP/1.1\r\nHost: " + hostHeader
          + "\r\nContent-Type: application/x-protobuf"
          + (apiKey == null ? "" : "\r\nX-Flowcost-Api-Key: " + apiKey)
          + "\r\nContent-Length: ").getBytes(StandardCharsets.ISO_8859_1);
      requestHead = new byte[head.length + 16];
      System.arraycopy(head, 0, requestHead, 0, head.length);
    } else {
      head = null;
      requestHead = null;
    }
  }

  /** Visible ASCII and spaces only: nothing that could end a header line or start another. */
  static boolean isHeaderValue(String value) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if ((c < 0x20 && c != '\t') || c >= 0x7f) {
        return false;
      }
    }
    return true;
  }

  /** Whether requests are written here, over a kept connection (else {@link HttpURLConnection}). */
  boolean writesItself() {
    return head != null;
  }

  @Override
  public String url() {
    return endpoint.toString();
  }

  @Override
  public synchronized Response post(byte[] body, int offset, int length) throws IOException {
    if (head == null) {
      return postWithUrlConnection(body, offset, length);
    }
    Response response = null;
    boolean kept = socket != null;
    try {
      response = exchange(body, offset, length);
    } catch (IOException e) {
      close();
      if (!kept || e instanceof SocketTimeoutException) {
        throw e;
      }
    }
    if (response == null) {
      // the kept connection was closed by the collector while idle: once more, on a new one
      try {
        response = exchange(body, offset, length);
      } catch (IOException e) {
        close();
        throw e;
      }
    }
    if (response.status() >= 300 && response.status() < 400) {
      // not followed, as HttpURLConnection could not follow one of a streamed POST: a failure
      // to reach the collector (the batch is spooled and retried), not a refusal that drops it
      throw new IOException("the endpoint answered with a redirect (" + response.status() + ")");
    }
    return response;
  }

  /**
   * What a {@link #get} got.
   *
   * @param status the HTTP status (never a 3xx other than 304: {@link #get} answers those with
   *     {@code null})
   * @param body the body of a 2xx answer, or {@code null} when it was larger than allowed (the
   *     connection is then closed, the rest unread) or the answer was not a 2xx
   * @param etag the answer's last {@code ETag}, or {@code null}
   */
  record Got(int status, byte[] body, String etag) {}

  /**
   * Sends {@code request}, a whole request without a body ({@code GET}: request line, headers and
   * the empty line, written by the caller), over the kept connection, and reads the answer: the
   * pollers' fetches ({@link ConditionalGet}), which otherwise made a new connection, a keep-alive
   * timer thread and a connection object per poll, in code run too rarely to be compiled. A kept
   * connection the collector closed while idle is replaced and the request sent again, once (a
   * {@code GET} changes nothing). Returns {@code null} for a 3xx other than 304 (a redirect),
   * which the caller follows its own way, or when this endpoint is not written to here ({@code
   * https}: see the class comment).
   *
   * @param maxBytes a larger body is not read ({@link Got#body} {@code null})
   */
  synchronized Got get(byte[] request, int maxBytes) throws IOException {
    if (head == null) {
      return null;
    }
    body = new ByteArrayOutputStream(Math.min(maxBytes, 16 * 1024));
    maxBodyBytes = maxBytes;
    etag = null;
    try {
      Response response = null;
      // a kept connection may be sent on twice: once, and again on a new connection when the
      // collector had closed it while idle (no answer came; a timed-out answer is not retried)
      boolean mayRetry = socket != null;
      while (response == null) {
        try {
          response = send(request);
        } catch (BodyTooLarge e) {
          close();
          return new Got(e.status, null, etag);
        } catch (IOException e) {
          close();
          if (!mayRetry || e instanceof SocketTimeoutException) {
            throw e;
          }
          mayRetry = false;
          body.reset();
          etag = null;
        }
      }
      int status = response.status();
      if (status >= 300 && status < 400 && status != 304) {
        return null;
      }
      return new Got(status, response.ok() ? body.toByteArray() : null, etag);
    } finally {
      body = null;
      etag = null;
    }
  }

  /** A {@link #get}'s body went past its bound; the answer's status. */
  private static final class BodyTooLarge extends IOException {
    private static final long serialVersionUID = 1L;
    final int status;

    BodyTooLarge(int status) {
      super("a body larger than allowed");
      this.status = status;
    }
  }

  /** Connections opened so far (tests). */
  synchronized long connections() {
    return connections;
  }

  /** Closes the kept connection, if any; the next request opens a new one. */
  synchronized void close() {
    if (socket != null) {
      try {
        socket.close();
      } catch (IOException e) {
        // closing anyway
      }
      socket = null;
      out = null;
      in = null;
    }
    readPos = 0;
    readLimit = 0;
  }

  private Response exchange(byte[] body, int offset, int length) throws IOException {
    connect();
    int at = head.length;
    at = writeDecimal(requestHead, at, length);
    requestHead[at++] = '\r';
    requestHead[at++] = '\n';
    requestHead[at++] = '\r';
    requestHead[at++] = '\n';
    out.write(requestHead, 0, at);
    out.write(body, offset, length);
    out.flush();
    return readResponse();
  }

  /** {@link #get}'s exchange: the whole request in one write. */
  private Response send(byte[] request) throws IOException {
    connect();
    out.write(request);
    out.flush();
    return readResponse();
  }

  /** Opens the connection unless one is kept. */
  private void connect() throws IOException {
    if (socket == null) {
      Socket s = new Socket(Proxy.NO_PROXY);
      try {
        s.setTcpNoDelay(true); // head and body are two writes: no wait for an acknowledgement
        s.connect(new InetSocketAddress(host, port), connectTimeoutMillis);
        s.setSoTimeout(readTimeoutMillis);
      } catch (IOException | RuntimeException e) {
        s.close();
        throw e;
      }
      connections++;
      socket = s;
      out = s.getOutputStream();
      in = s.getInputStream();
      readPos = 0;
      readLimit = 0;
    }
  }

  private static int writeDecimal(byte[] to, int at, int value) {
    String digits = Integer.toString(value);
    for (int i = 0; i < digits.length(); i++) {
      to[at++] = (byte) digits.charAt(i);
    }
    return at;
  }

  // ---- the response: status line, headers, a body read and dropped ----

  private Response readResponse() throws IOException {
    int[] headBytes = {0};
    int status;
    boolean http10;
    do {
      String statusLine = readLine(headBytes);
      // "HTTP/1.1 200 OK"
      if (!statusLine.startsWith("HTTP/1.") || statusLine.length() < 12
          || statusLine.charAt(8) != ' ') {
        throw new IOException("not an HTTP/1.x response");
      }
      http10 = statusLine.charAt(7) == '0';
      try {
        status = Integer.parseInt(statusLine.substring(9, 12));
      } catch (NumberFormatException e) {
        throw new IOException("not an HTTP status");
      }
      if (status >= 100 && status < 200) {
        // an interim answer (100 Continue): its headers, then the real one
        while (!readLine(headBytes).isEmpty()) {
          // skipped
        }
      }
    } while (status >= 100 && status < 200);
    long contentLength = -1;
    boolean chunked = false;
    boolean close = http10;
    String retryAfter = null;
    for (String line = readLine(headBytes); !line.isEmpty(); line = readLine(headBytes)) {
      int colon = line.indexOf(':');
      if (colon <= 0) {
        continue;
      }
      String name = line.substring(0, colon).trim();
      String value = line.substring(colon + 1).trim();
      if (name.equalsIgnoreCase("Content-Length")) {
        try {
          contentLength = Long.parseLong(value);
        } catch (NumberFormatException e) {
          throw new IOException("a Content-Length that is not a number");
        }
      } else if (name.equalsIgnoreCase("Transfer-Encoding")) {
        chunked = value.toLowerCase(java.util.Locale.ROOT).endsWith("chunked");
      } else if (name.equalsIgnoreCase("Connection")) {
        String v = value.toLowerCase(java.util.Locale.ROOT);
        if (v.contains("close")) {
          close = true;
        } else if (v.contains("keep-alive")) {
          close = false;
        }
      } else if (name.equalsIgnoreCase("Retry-After")) {
        retryAfter = value;
      } else if (body != null && name.equalsIgnoreCase("ETag")) {
        etag = value; // the last one, as HttpURLConnection.getHeaderField gives
      }
    }
    keepFrom = body != null && status >= 200 && status < 300 ? status : 0;
    if (status == 204 || status == 304) {
      // no body, whatever the headers say
    } else if (chunked) {
      drainChunked(headBytes);
    } else if (contentLength >= 0) {
      skip(contentLength);
    } else {
      // neither a length nor chunks: the body ends when the collector closes the connection
      while (fill() > 0) {
        keep(readPos, readLimit - readPos);
        readPos = readLimit;
      }
      close = true;
    }
    if (close) {
      close();
    }
    return new Response(status, retryAfterMillis(retryAfter));
  }

  private void drainChunked(int[] headBytes) throws IOException {
    while (true) {
      String sizeLine = readLine(headBytes);
      int semicolon = sizeLine.indexOf(';');
      String hex = (semicolon < 0 ? sizeLine : sizeLine.substring(0, semicolon)).trim();
      long size;
      try {
        size = Long.parseLong(hex, 16);
      } catch (NumberFormatException e) {
        throw new IOException("a chunk size that is not hex");
      }
      if (size < 0) {
        throw new IOException("a negative chunk size");
      }
      if (size == 0) {
        // trailers, then an empty line
        while (!readLine(headBytes).isEmpty()) {
          // dropped
        }
        return;
      }
      skip(size);
      if (!readLine(headBytes).isEmpty()) {
        throw new IOException("a chunk longer than its size");
      }
    }
  }

  /** Reads and drops {@code n} bytes of the body. */
  private void skip(long n) throws IOException {
    long left = n;
    while (left > 0) {
      if (readPos == readLimit && fill() < 0) {
        throw new IOException("the response ended before its body");
      }
      int take = (int) Math.min(left, readLimit - readPos);
      keep(readPos, take);
      readPos += take;
      left -= take;
    }
  }

  /**
   * The status of the 2xx answer whose body {@link #get} keeps, or 0: the body of a {@code POST}'s
   * answer, or of another status, is dropped.
   */
  private int keepFrom;

  /** Adds {@code n} bytes of the read buffer to the body a {@link #get} keeps, if it keeps one. */
  private void keep(int from, int n) throws IOException {
    if (keepFrom == 0) {
      return;
    }
    if (body.size() + (long) n > maxBodyBytes) {
      throw new BodyTooLarge(keepFrom);
    }
    body.write(read, from, n);
  }

  /**
   * One line of the response's head, without its CRLF (a bare LF ends a line too); ISO-8859-1.
   * {@code headBytes[0]} counts what the head has taken, up to {@link #MAX_HEAD_BYTES}.
   */
  private String readLine(int[] headBytes) throws IOException {
    StringBuilder line = null;
    while (true) {
      if (readPos == readLimit && fill() < 0) {
        throw new IOException("the response ended in its head");
      }
      int start = readPos;
      int end = start;
      while (end < readLimit && read[end] != '\n') {
        end++;
      }
      headBytes[0] += end - start + 1;
      if (headBytes[0] > MAX_HEAD_BYTES) {
        throw new IOException("a response head over " + MAX_HEAD_BYTES + " bytes");
      }
      boolean found = end < readLimit;
      readPos = found ? end + 1 : end;
      String piece = new String(read, start, end - start, StandardCharsets.ISO_8859_1);
      if (line == null && found) {
        return stripCr(piece);
      }
      if (line == null) {
        line = new StringBuilder();
      }
      line.append(piece);
      if (found) {
        return stripCr(line.toString());
      }
    }
  }

  private static String stripCr(String line) {
    return line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
  }

  /** Reads more into the buffer (emptied first); the bytes read, or -1 at the end. */
  private int fill() throws IOException {
    readPos = 0;
    readLimit = 0;
    int n = in.read(read, 0, read.length);
    if (n > 0) {
      readLimit = n;
    }
    return n;
  }

  // ---- https, and what cannot be a header: the JDK's HttpURLConnection ----

  private Response postWithUrlConnection(byte[] body, int offset, int length)
      throws IOException {
    HttpURLConnection c = (HttpURLConnection) endpoint.openConnection(Proxy.NO_PROXY);
    boolean done = false;
    try {
      c.setRequestMethod("POST");
      c.setDoOutput(true);
      c.setUseCaches(false);
      c.setConnectTimeout(connectTimeoutMillis);
      c.setReadTimeout(readTimeoutMillis);
      c.setRequestProperty("Content-Type", "application/x-protobuf");
      if (apiKey != null) {
        c.setRequestProperty("X-Flowcost-Api-Key", apiKey);
      }
      c.setFixedLengthStreamingMode(length);
      try (OutputStream o = c.getOutputStream()) {
        o.write(body, offset, length);
      }
      int status = c.getResponseCode();
      long retryAfter = retryAfterMillis(c.getHeaderField("Retry-After"));
      try (InputStream i = status >= 400 ? c.getErrorStream() : c.getInputStream()) {
        if (i != null) {
          // read to the end and dropped, which lets the JDK keep the connection: through a
          // small array rather than readAllBytes, which makes an 8 KiB one (and more)
          byte[] drain = new byte[DRAIN_BYTES];
          while (i.read(drain) >= 0) {
            // discarded
          }
        }
      }
      done = true;
      return new Response(status, retryAfter);
    } finally {
      if (!done) {
        c.disconnect(); // a connection that failed is not kept (disconnect would close a kept one)
      }
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
