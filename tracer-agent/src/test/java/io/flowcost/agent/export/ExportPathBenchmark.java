package io.flowcost.agent.export;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.flowcost.agent.trace.OtlpEncoderBenchmark;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * JMH: the agent's export threads' work per span — the whole path the side-by-side benchmark's
 * {@code agent_export} thread group runs: spans ended into the agent's {@link SpanBatcher}, its
 * thread ({@code flowcost-batch}) encoding each batch of {@link BatchSettings#DEFAULT_MAX_EXPORT_BATCH_SIZE} into a
 * request buffer ({@link SpoolingSpanExporter}), the {@link SpanShipper}'s thread ({@code
 * flowcost-export}) posting it through {@link HttpTransport} to a sink on 127.0.0.1 that reads
 * the body and answers 200, as the collector does. One operation is one batch, handed over and
 * waited for until acknowledged; the spans are those of the side-by-side invocation (a workflow,
 * 3 calls, 3 attempts, 2 tools; {@link OtlpEncoderBenchmark#invocations}).
 *
 * <p>The figure that compares is the export threads' own CPU per span ({@link ThreadMXBean},
 * summed over the two threads, and each thread's share): wall time includes the sink's reading
 * and the hand-overs, and on a loaded machine everything else. Not a test (its name does not end
 * in {@code Test}):
 *
 * <pre>
 * mvn -B -o -q -pl tracer-agent -am test -Dtest=ExportPathBenchmark -Dsurefire.failIfNoSpecifiedTests=false
 * # table in tracer-agent/target/export-path-benchmark.txt
 * </pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 8, time = 2)
// in this JVM: the export threads' CPU is collected in static lists (see Pipeline)
@Fork(0)
public class ExportPathBenchmark {

  static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
  /** Per measured or warm-up iteration: the batch thread's CPU ns per span. */
  static final List<Double> BATCH_CPU_PER_SPAN = new CopyOnWriteArrayList<>();
  /** Per iteration: the sending thread's CPU ns per span. */
  static final List<Double> SEND_CPU_PER_SPAN = new CopyOnWriteArrayList<>();
  /** Per trial: requests the sink received, and the spans acknowledged. */
  static final List<long[]> REQUESTS_AND_SPANS = new CopyOnWriteArrayList<>();

  /** The agent's export pipeline against a sink on 127.0.0.1. */
  @State(Scope.Thread)
  public static class Pipeline {
    HttpServer sink;
    final AtomicLong requests = new AtomicLong();
    Path spoolRoot;
    SpanShipper shipper;
    SpanBatcher batcher;
    List<ReadableSpan> spans;
    long handed;
    long batchThread;
    long sendThread;
    long batchCpuAtStart;
    long sendCpuAtStart;
    long sentAtStart;

    @Setup(Level.Trial)
    public void start() throws IOException {
      sink = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 50);
      sink.createContext("/v1/traces", exchange -> {
        try (InputStream in = exchange.getRequestBody()) {
          byte[] drain = new byte[16384];
          while (in.read(drain) >= 0) {
            // the collector decodes; a sink only reads
          }
        }
        requests.incrementAndGet();
        exchange.sendResponseHeaders(200, -1);
        exchange.close();
      });
      sink.start();
      spoolRoot = Files.createTempDirectory("export-path-benchmark");
      Transport transport = new HttpTransport(
          "http://127.0.0.1:" + sink.getAddress().getPort() + "/v1/traces", null);
      shipper = new SpanShipper(transport, Spool.open(spoolRoot, 64L << 20),
          ExportSettings.DEFAULT_MEMORY_MAX_BYTES, "bench");
      batcher = new SpanBatcher(new SpoolingSpanExporter(shipper), shipper);
      spans = new ArrayList<>();
      for (SpanData span : OtlpEncoderBenchmark.invocations(BatchSettings.DEFAULT_MAX_EXPORT_BATCH_SIZE)) {
        spans.add((ReadableSpan) span); // the agent's span is its own SpanData
      }
      batcher.start();
      batchThread = threadNamed("flowcost-batch");
      sendThread = threadNamed("flowcost-export");
    }

    private static long threadNamed(String name) {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (System.nanoTime() < deadline) {
        for (Thread t : Thread.getAllStackTraces().keySet()) {
          if (t.getName().equals(name)) {
            return t.getId();
          }
        }
        LockSupport.parkNanos(1_000_000);
      }
      throw new IllegalStateException("no thread " + name);
    }

    @Setup(Level.Iteration)
    public void mark() {
      batchCpuAtStart = THREADS.getThreadCpuTime(batchThread);
      sendCpuAtStart = THREADS.getThreadCpuTime(sendThread);
      sentAtStart = shipper.sentSpans.get();
    }

    @TearDown(Level.Iteration)
    public void collect() {
      long spansSent = shipper.sentSpans.get() - sentAtStart;
      if (spansSent > 0) {
        BATCH_CPU_PER_SPAN.add(
            (THREADS.getThreadCpuTime(batchThread) - batchCpuAtStart) / (double) spansSent);
        SEND_CPU_PER_SPAN.add(
            (THREADS.getThreadCpuTime(sendThread) - sendCpuAtStart) / (double) spansSent);
      }
    }

    @TearDown(Level.Trial)
    public void stop() throws IOException {
      batcher.shutdown().join(10, TimeUnit.SECONDS);
      shipper.shutdown(10_000);
      REQUESTS_AND_SPANS.add(new long[] {requests.get(), shipper.sentSpans.get(), handed,
          shipper.spooledSpans.get() + shipper.rejectedSpans.get()});
      sink.stop(0);
      try (var files = Files.walk(spoolRoot)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  /**
   * One full batch: ended into the queue on this thread (the application's share, not the
   * figure), then waited for until the sink has acknowledged it.
   */
  @Benchmark
  public long batch(Pipeline p) {
    for (int i = 0, n = p.spans.size(); i < n; i++) {
      p.batcher.onEnd(p.spans.get(i));
    }
    p.handed += p.spans.size();
    // parked, not spinning: on 2 cores a spinning thread would take CPU from the export threads
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (p.shipper.sentSpans.get() < p.handed) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the batch was not acknowledged in 30 s");
      }
      LockSupport.parkNanos(20_000);
    }
    return p.handed;
  }

  /** Runs the benchmark (JUnit entry point, only when named with -Dtest). */
  @Test
  void run() throws Exception {
    Collection<RunResult> results = new Runner(new OptionsBuilder()
        .include(ExportPathBenchmark.class.getName() + "\\.")
        .addProfiler("gc")
        .build()).run();
    int measured = 8;
    double[] batch = lastSorted(BATCH_CPU_PER_SPAN, measured);
    double[] send = lastSorted(SEND_CPU_PER_SPAN, measured);
    // the two threads' sum per iteration, then sorted
    double[] both = new double[batch.length];
    int from = BATCH_CPU_PER_SPAN.size() - batch.length;
    for (int i = 0; i < batch.length; i++) {
      both[i] = BATCH_CPU_PER_SPAN.get(from + i) + SEND_CPU_PER_SPAN.get(from + i);
    }
    java.util.Arrays.sort(both);
    StringBuilder table = new StringBuilder("| export threads' CPU ns per span (median of "
        + "iterations; min–max) | flowcost-batch (encode) | flowcost-export (send) |"
        + " wall µs per batch of " + BatchSettings.DEFAULT_MAX_EXPORT_BATCH_SIZE + " (mean ± 99.9%) |"
        + " bytes allocated per batch, benchmark thread |\n|---|---|---|---|---|\n");
    for (RunResult r : results) {
      var alloc = r.getSecondaryResults().entrySet().stream()
          .filter(e -> e.getKey().endsWith("gc.alloc.rate.norm")).map(Map.Entry::getValue)
          .findFirst().orElse(null);
      table.append("| ").append(range(both))
          .append(" | ").append(range(batch))
          .append(" | ").append(range(send))
          .append(" | ").append(String.format("%.0f ± %.0f", r.getPrimaryResult().getScore(),
              r.getPrimaryResult().getScoreError()))
          .append(" | ").append(alloc == null ? "?" : String.format("%.0f", alloc.getScore()))
          .append(" |\n");
    }
    long[] counts = REQUESTS_AND_SPANS.get(REQUESTS_AND_SPANS.size() - 1);
    table.append("\nrequests ").append(counts[0]).append(", spans acknowledged ")
        .append(counts[1]).append(" of ").append(counts[2]).append(" handed over\n");
    System.out.println(table);
    Files.writeString(Path.of("target", "export-path-benchmark.txt"), table,
        StandardCharsets.UTF_8);
    assertThat(results).hasSize(1);
    // every span handed over was acknowledged, none spooled or refused: the path measured is
    // the steady state's
    assertThat(counts[1]).isEqualTo(counts[2]);
    assertThat(counts[3]).isZero();
  }

  private static double[] lastSorted(List<Double> values, int n) {
    return values.subList(Math.max(0, values.size() - n), values.size()).stream()
        .mapToDouble(Double::doubleValue).sorted().toArray();
  }

  private static String range(double[] sorted) {
    return String.format("%.0f (%.0f–%.0f)", sorted[sorted.length / 2], sorted[0],
        sorted[sorted.length - 1]);
  }
}
