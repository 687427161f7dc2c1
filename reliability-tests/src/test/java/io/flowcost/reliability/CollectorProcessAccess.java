package io.flowcost.reliability;

import java.nio.file.Path;
import java.util.List;

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

  /**
   * A collector with its default settings running {@code jar} (null: this build's) with extra
   * JVM options; {@link Running#pid()} lets a benchmark read its memory.
   */
  public static Running start(Path jar, List<String> jvmOptions, int port, Path lake, Path data,
      Path log) throws Exception {
    return start(jar, jvmOptions, List.of(), port, lake, data, log);
  }

  /** {@link #start(Path, List, int, Path, Path, Path)} with extra {@code serve} options. */
  public static Running start(Path jar, List<String> jvmOptions, List<String> serveOptions,
      int port, Path lake, Path data, Path log) throws Exception {
    String[] extra = serveOptions.toArray(new String[0]);
    CollectorProcess p = jar != null ? CollectorProcess.of(jar, port, lake, data, log, extra)
        : CollectorProcess.of(port, lake, data, log, extra);
    p.withJvmOptions(jvmOptions).start();
    return new Running(p);
  }

  /** A started collector process. */
  public static final class Running implements AutoCloseable {
    private final CollectorProcess process;

    private Running(CollectorProcess process) {
      this.process = process;
    }

    /** The operating-system process id. */
    public long pid() {
      return process.pid();
    }

    /**
     * SIGTERM and wait for the orderly shutdown (which flushes the lake); a shutdown slower than
     * 60 s (a loaded machine flushing a large buffer) is ended with SIGKILL and reported on
     * stdout, not as an error: a benchmark's figures are taken before it.
     */
    @Override
    public void close() throws Exception {
      try {
        process.stop();
      } catch (IllegalStateException slow) {
        System.out.println("note: " + slow.getMessage() + "; killed");
      }
    }
  }

  public static byte[] chatSpans(int request, int spans) {
    return OtlpRequests.chatSpans(request, spans, "bench");
  }

  /** {@link OtlpRequests#workflowSpans}: whole workflows, each in a trace of its own. */
  public static byte[] workflowSpans(long firstWorkflow, int workflows, int callsPerWorkflow,
      long sequence) {
    return OtlpRequests.workflowSpans(firstWorkflow, workflows, callsPerWorkflow, sequence,
        "bench");
  }

  /** The workflow id of workflow number {@code workflow} of {@link #workflowSpans}. */
  public static String workflowId(long workflow) {
    return OtlpRequests.workflowId(workflow);
  }
}
