package io.flowcost.examples.httpclients;

/** One HTTP client: posts a JSON body and returns the status and the whole response text. */
interface Transport extends AutoCloseable {

  /** A response: its status and its body as text (the SSE text of a stream, read as it came). */
  record Reply(int status, String body) {}

  /** Posts {@code json} to {@code url} as {@code application/json}. */
  Reply post(String url, String json) throws Exception;

  /**
   * How many requests wait for a connection now, or -1 when the client does not say (only the
   * clients {@code --queued} runs say).
   */
  default int waiting() {
    return -1;
  }

  @Override
  default void close() throws Exception {}
}
