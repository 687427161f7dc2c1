package io.flowcost.examples.httpclients;

/** One HTTP client: posts a JSON body and returns the status and the whole response text. */
interface Transport extends AutoCloseable {

  /** A response: its status and its body as text (the SSE text of a stream, read as it came). */
  record Reply(int status, String body) {}

  /** Posts {@code json} to {@code url} as {@code application/json}. */
  Reply post(String url, String json) throws Exception;

  @Override
  default void close() throws Exception {}
}
