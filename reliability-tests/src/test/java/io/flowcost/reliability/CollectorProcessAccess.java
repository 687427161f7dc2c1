package io.flowcost.reliability;

import java.nio.file.Path;

/** Lets the benchmarks (another package) start the packaged collector and build requests. */
public final class CollectorProcessAccess {

  private CollectorProcessAccess() {}

  public static int freePort() throws java.io.IOException {
    return CollectorProcess.freePort();
  }

  /** A collector with its default settings (60 s flush interval) on {@code port}. */
  public static AutoCloseable start(int port, Path lake, Path data, Path log) throws Exception {
    CollectorProcess p = CollectorProcess.of(port, lake, data, log).start();
    return p::stop;
  }

  public static byte[] chatSpans(int request, int spans) {
    return OtlpRequests.chatSpans(request, spans, "bench");
  }
}
