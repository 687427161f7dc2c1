package io.flowcost.collector.server;

import io.flowcost.collector.otlp.BadInputException;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.GZIPInputStream;
import java.util.zip.InflaterInputStream;
import java.util.zip.ZipException;

/**
 * Reads request bodies once a request has been authorised from its headers, within two bounds:
 * {@code --max-body} per request (413) and {@code --max-inflight-bytes} for all requests at once
 * (503 with Retry-After), counting the bytes received and, for a compressed body, the bytes it
 * decompresses to. A request answered before its body has arrived has its connection closed, so
 * the rest of the body is never read.
 *
 * <p>Bodies are decompressed here ({@code Content-Encoding: gzip} or {@code deflate}), not by
 * the HTTP server: a body that is not what its encoding says then gets a 400 with a message,
 * rather than a connection closed without a reply, and the decompressed size is bounded too.
 */
final class RequestBodies implements Handler<RoutingContext> {

  /** How a body is encoded. */
  enum Encoding { IDENTITY, GZIP, DEFLATE }

  /** A request body as received, and its encoding; decode with {@link #decoded}. */
  record Body(byte[] bytes, Encoding encoding) {}

  /** Refused for its size or for the collector's load: status, message, and whether to retry. */
  static final class Refused extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final int status;

    Refused(int status, String message) {
      super(message, null, false, false);
      this.status = status;
    }
  }

  private static final String BODY = "flowcost.body";
  private static final int CHUNK = 64 * 1024;

  private final long maxBodyBytes;
  private final long maxInFlightBytes;
  private final int retryAfterSeconds;
  private final AtomicLong inFlight = new AtomicLong();

  RequestBodies(long maxBodyBytes, long maxInFlightBytes, int retryAfterSeconds) {
    this.maxBodyBytes = maxBodyBytes;
    this.maxInFlightBytes = maxInFlightBytes;
    this.retryAfterSeconds = retryAfterSeconds;
  }

  /** Bytes of request bodies held now (for tests and diagnostics). */
  long inFlight() {
    return inFlight.get();
  }

  /** The body read for {@code ctx}. */
  static Body body(RoutingContext ctx) {
    return ctx.get(BODY);
  }

  @Override
  public void handle(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    Encoding encoding = encoding(request.getHeader("Content-Encoding"));
    if (encoding == null) {
      CollectorServer.error(ctx, 415, "unsupported Content-Encoding: send gzip, deflate or none");
      return;
    }
    long declared = -1;
    String length = request.getHeader("Content-Length");
    if (length != null) {
      try {
        declared = Long.parseLong(length.trim());
      } catch (NumberFormatException e) {
        declared = -2;
      }
      if (declared < 0) {
        CollectorServer.error(ctx, 400, "malformed Content-Length header");
        return;
      }
      if (declared > maxBodyBytes) {
        CollectorServer.error(ctx, 413, tooLarge(""));
        return;
      }
    }
    Lease lease = new Lease();
    ctx.addEndHandler(v -> lease.release());
    if (declared > 0 && !lease.acquire(declared)) {
      overloaded(ctx);
      return;
    }
    if ("100-continue".equalsIgnoreCase(request.getHeader("Expect"))) {
      ctx.response().writeContinue();
    }
    Accumulator body = new Accumulator(declared > 0 ? (int) declared : CHUNK, maxBodyBytes);
    AtomicBoolean refused = new AtomicBoolean();
    request.handler(chunk -> {
      if (refused.get()) {
        return;
      }
      long size = body.length + (long) chunk.length();
      if (size > maxBodyBytes) {
        refused.set(true);
        CollectorServer.error(ctx, 413, tooLarge(""));
      } else if (size > lease.held && !lease.acquire(size - lease.held)) {
        refused.set(true);
        overloaded(ctx);
      } else {
        body.append(chunk);
      }
    });
    request.endHandler(v -> {
      if (!refused.get() && !ctx.response().ended()) {
        ctx.put(BODY, new Body(body.bytes(), encoding));
        ctx.next();
      }
    });
    request.exceptionHandler(e -> refused.set(true)); // the connection failed: nothing to answer
    request.resume();
  }

  /**
   * The body as the decoder reads it: decompressed when it was compressed, within {@code
   * --max-body} and the in-flight bound. Runs on a worker thread.
   *
   * @throws BadInputException when the body is not what its {@code Content-Encoding} says
   * @throws Refused 413 when it decompresses to more than {@code --max-body}; 503 when the
   *     collector holds too many bodies at once
   */
  byte[] decoded(RoutingContext ctx) {
    Body body = body(ctx);
    if (body.encoding() == Encoding.IDENTITY) {
      return body.bytes();
    }
    Lease lease = new Lease();
    ctx.addEndHandler(v -> lease.release());
    Accumulator out = new Accumulator(CHUNK, maxBodyBytes);
    byte[] buffer = new byte[CHUNK];
    try (InputStream in = body.encoding() == Encoding.GZIP
        ? new GZIPInputStream(new ByteArrayInputStream(body.bytes()), CHUNK)
        : new InflaterInputStream(new ByteArrayInputStream(body.bytes()))) {
      int n;
      while ((n = in.read(buffer)) > 0) {
        if (out.length + (long) n > maxBodyBytes) {
          throw new Refused(413, tooLarge(" decompressed"));
        }
        if (!lease.acquire(n)) {
          throw new Refused(503, overloadedMessage());
        }
        out.append(buffer, n);
      }
    } catch (ZipException | java.io.EOFException e) {
      throw new BadInputException("the body is not valid " + body.encoding().name()
          .toLowerCase(Locale.ROOT) + " data, as its Content-Encoding header says it is");
    } catch (IOException e) {
      throw new BadInputException("the body could not be decompressed ("
          + e.getClass().getSimpleName() + ")");
    }
    return out.bytes();
  }

  private String tooLarge(String how) {
    return "request body" + how + " larger than " + maxBodyBytes
        + " bytes: send smaller batches";
  }

  private String overloadedMessage() {
    return "collector is receiving too many request bodies at once (over " + maxInFlightBytes
        + " bytes); retry later";
  }

  private void overloaded(RoutingContext ctx) {
    ctx.response().putHeader("Retry-After", Integer.toString(retryAfterSeconds));
    ctx.put(CollectorServer.REJECT_REASON, "inflight_full");
    CollectorServer.error(ctx, 503, overloadedMessage());
  }

  private static Encoding encoding(String header) {
    if (header == null) {
      return Encoding.IDENTITY;
    }
    switch (header.trim().toLowerCase(Locale.ROOT)) {
      case "":
      case "identity":
        return Encoding.IDENTITY;
      case "gzip":
      case "x-gzip":
        return Encoding.GZIP;
      case "deflate":
        return Encoding.DEFLATE;
      default:
        return null;
    }
  }

  /** Bytes one request holds against the in-flight bound; released once, when it ends. */
  private final class Lease {
    private long held;
    private boolean released;

    synchronized boolean acquire(long n) {
      if (released) {
        return false;
      }
      long now = inFlight.addAndGet(n);
      if (now > maxInFlightBytes) {
        inFlight.addAndGet(-n);
        return false;
      }
      held += n;
      return true;
    }

    synchronized void release() {
      if (!released) {
        released = true;
        inFlight.addAndGet(-held);
      }
    }
  }

  /** A growing byte array (one copy of the body; sized exactly when its length is declared). */
  private static final class Accumulator {
    private final int cap;
    private byte[] data;
    private int length;

    Accumulator(int capacity, long cap) {
      this.cap = (int) Math.min(cap, Integer.MAX_VALUE - 16);
      data = new byte[Math.max(1, Math.min(capacity, this.cap))];
    }

    void append(Buffer chunk) {
      ensure(chunk.length());
      chunk.getBytes(0, chunk.length(), data, length);
      length += chunk.length();
    }

    void append(byte[] bytes, int n) {
      ensure(n);
      System.arraycopy(bytes, 0, data, length, n);
      length += n;
    }

    private void ensure(int n) {
      if (length + n > data.length) {
        // grows by doubling, but never past the body limit
        data = Arrays.copyOf(data, Math.max(length + n, (int) Math.min(2L * data.length, cap)));
      }
    }

    byte[] bytes() {
      return length == data.length ? data : Arrays.copyOf(data, length);
    }
  }
}
