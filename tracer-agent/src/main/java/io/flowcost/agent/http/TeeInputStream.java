package io.flowcost.agent.http;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * A response body stream that hands every byte the application reads to its {@link HttpExchange}
 * too. It reads nothing ahead and never blocks beyond the application's own reads. End of stream,
 * an I/O error or {@code close()} finishes the exchange.
 */
public final class TeeInputStream extends FilterInputStream {

  private final HttpExchange exchange;

  /** Tees {@code in} into {@code exchange}. */
  public TeeInputStream(InputStream in, HttpExchange exchange) {
    super(in);
    this.exchange = exchange;
  }

  @Override
  public int read() throws IOException {
    int b;
    try {
      b = super.read();
    } catch (IOException | RuntimeException e) {
      exchange.failed(e);
      throw e;
    }
    if (b < 0) {
      exchange.bodyComplete();
    } else {
      exchange.bodyBytes(new byte[] {(byte) b}, 0, 1);
    }
    return b;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    int n;
    try {
      n = super.read(b, off, len);
    } catch (IOException | RuntimeException e) {
      exchange.failed(e);
      throw e;
    }
    if (n < 0) {
      exchange.bodyComplete();
    } else {
      exchange.bodyBytes(b, off, n);
    }
    return n;
  }

  @Override
  public long skip(long n) throws IOException {
    // skipped bytes are not seen: read them through the tee instead
    byte[] scratch = new byte[(int) Math.min(Math.max(n, 0), 8192)];
    long left = n;
    while (left > 0) {
      int r = read(scratch, 0, (int) Math.min(scratch.length, left));
      if (r < 0) {
        break;
      }
      left -= r;
    }
    return n - left;
  }

  @Override
  public boolean markSupported() {
    return false;
  }

  @Override
  public synchronized void mark(int readlimit) {
    // not supported: a reset would show the tee the same bytes twice
  }

  @Override
  public synchronized void reset() throws IOException {
    throw new IOException("mark/reset not supported");
  }

  @Override
  public void close() throws IOException {
    try {
      super.close();
    } finally {
      // closed before the end (a client that stops at "[DONE]"): keep what was read
      exchange.bodyComplete();
    }
  }
}
