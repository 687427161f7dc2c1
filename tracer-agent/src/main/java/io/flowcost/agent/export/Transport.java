package io.flowcost.agent.export;

import java.io.IOException;

/** Sends one encoded OTLP/HTTP protobuf request to the collector. */
interface Transport {

  /**
   * The collector's answer.
   *
   * @param retryAfterMillis the {@code Retry-After} the collector asked for, or {@code -1}
   */
  record Response(int status, long retryAfterMillis) {

    boolean ok() {
      return status >= 200 && status < 300;
    }

    /** Worth sending again: throttled, timed out or a server-side failure. */
    boolean retriable() {
      return status == 408 || status == 429 || status >= 500;
    }
  }

  /** The URL requests go to, for messages ({@code <endpoint>/v1/traces}). */
  default String url() {
    return "the collector";
  }

  /**
   * Posts the request {@code body[offset .. offset + length)} (the array may be longer: a reused
   * buffer); an {@link IOException} means the collector could not be reached. The array is not
   * kept after the call returns.
   */
  Response post(byte[] body, int offset, int length) throws IOException;

  /** Posts the request {@code body[0 .. length)}. */
  default Response post(byte[] body, int length) throws IOException {
    return post(body, 0, length);
  }

  /** Posts the whole of {@code body}. */
  default Response post(byte[] body) throws IOException {
    return post(body, 0, body.length);
  }
}
