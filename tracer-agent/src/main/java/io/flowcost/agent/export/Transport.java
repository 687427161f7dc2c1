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

  /** Posts {@code body}; an {@link IOException} means the collector could not be reached. */
  Response post(byte[] body) throws IOException;
}
