package io.flowcost.agent.export;

import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayDeque;
import java.util.Arrays;

/**
 * One encoded OTLP request, in a byte array that serves a later request once the shipper is done
 * with this one: the exporter encodes a batch into a buffer taken from its {@link Pool}, the
 * {@link SpanShipper} sends or spools those bytes as they are (no copy), and gives the buffer back
 * when nothing reads it any more. In the steady state (the collector keeping up) two buffers take
 * turns — one being encoded, one being sent — and no body is allocated per batch.
 *
 * <p>Only {@code array()[offset() .. offset() + length())} is the request; the array may be
 * longer.
 */
final class RequestBuffer {

  /**
   * Buffers whose array is larger than this (1 MiB, about 2,000 typical spans) are not kept for
   * reuse: an unusually large batch should not pin its memory for the rest of the process.
   */
  static final int MAX_POOLED_CAPACITY = 1 << 20;

  private final Pool pool;
  private final Writer writer = new Writer();
  private byte[] bytes;
  private int offset;
  private int length;
  /** Whether it is in its pool (a second release is ignored rather than handing it out twice). */
  private boolean idle;

  private RequestBuffer(Pool pool, byte[] bytes, int length) {
    this.pool = pool;
    this.bytes = bytes;
    this.length = length;
  }

  /** A request already encoded elsewhere (a spooled file, a report); never reused. */
  static RequestBuffer of(byte[] body) {
    return new RequestBuffer(null, body, body.length);
  }

  /** The array holding the request: {@link #length()} bytes from {@link #offset()}. */
  byte[] array() {
    return bytes;
  }

  /** Where the request starts in {@link #array()}. */
  int offset() {
    return offset;
  }

  /** Bytes of the request. */
  int length() {
    return length;
  }

  /** A copy of the request's bytes (tests, diagnostics). */
  byte[] toByteArray() {
    return Arrays.copyOfRange(bytes, offset, offset + length);
  }

  /**
   * Takes {@code request[offset .. offset + length)} as this buffer's request, without copying
   * it (the encoder hands over the array it has just encoded into); returns the array this buffer
   * held before, for the encoder to encode the next request into.
   */
  byte[] adopt(byte[] request, int offset, int length) {
    if (offset < 0 || length < 0 || offset + length > request.length) {
      throw new IllegalArgumentException("no request of " + length + " bytes at " + offset);
    }
    byte[] previous = bytes;
    bytes = request;
    this.offset = offset;
    this.length = length;
    return previous;
  }

  /**
   * Empties the buffer for a request of exactly {@code size} bytes and returns the stream to
   * write it with; writing more than {@code size} bytes is an error, not a resize.
   */
  OutputStream start(int size) {
    if (size < 0) {
      throw new IllegalArgumentException("negative size " + size);
    }
    if (bytes.length < size) {
      // a little headroom: batches of a similar size then fit without growing again
      bytes = new byte[(int) Math.min(Integer.MAX_VALUE - 8, size + (long) size / 8)];
    }
    offset = 0;
    length = 0;
    writer.limit = size;
    return writer;
  }

  /**
   * The shipper is done with the request (sent, refused for good, spooled or dropped): the
   * buffer may serve another one. Buffers not from a pool are left to the garbage collector.
   */
  void release() {
    if (pool != null) {
      pool.give(this);
    }
  }

  /** Appends to the buffer up to the size announced by {@link #start}. */
  private final class Writer extends OutputStream {
    int limit;

    @Override
    public void write(int b) throws IOException {
      if (length >= limit) {
        throw new IOException("encoding longer than its announced size " + limit);
      }
      bytes[length++] = (byte) b;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      if (len > limit - length) {
        throw new IOException("encoding longer than its announced size " + limit);
      }
      System.arraycopy(b, off, bytes, length, len);
      length += len;
    }
  }

  /**
   * The exporter's buffers not in use. Taken on the exporter's thread, given back on the
   * shipper's (or the exporter's, when a batch is spooled at once); holds at most {@link
   * #MAX_IDLE} of them, each at most {@link #MAX_POOLED_CAPACITY}.
   */
  static final class Pool {

    /** One buffer being encoded while another is sent; a third absorbs a short backlog. */
    static final int MAX_IDLE = 2;

    private final ArrayDeque<RequestBuffer> idle = new ArrayDeque<>(MAX_IDLE);
    /** Buffers created by {@link #take} (tests: reuse means this stops growing). */
    private long created;

    /** A buffer no one else uses, emptied; a new one when none is idle. */
    synchronized RequestBuffer take() {
      RequestBuffer buffer = idle.pollFirst();
      if (buffer == null) {
        created++;
        return new RequestBuffer(this, new byte[0], 0);
      }
      buffer.idle = false;
      buffer.offset = 0;
      buffer.length = 0;
      return buffer;
    }

    private synchronized void give(RequestBuffer buffer) {
      if (buffer.idle || idle.size() >= MAX_IDLE || buffer.bytes.length > MAX_POOLED_CAPACITY) {
        return;
      }
      buffer.idle = true;
      idle.addLast(buffer);
    }

    synchronized long created() {
      return created;
    }

    synchronized int idle() {
      return idle.size();
    }
  }
}
