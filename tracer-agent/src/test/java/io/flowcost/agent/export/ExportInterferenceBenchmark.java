package io.flowcost.agent.export;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.flowcost.agent.trace.OtlpEncoderBenchmark;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * What the agent's export path does to the application's time per invocation, in one JVM: an
 * application-like thread runs invocations shaped like the side-by-side benchmark's (3 model
 * calls, each some CPU on the application's thread, then a request handed to a "client" thread
 * that does some CPU of its own and wakes the application's thread with the answer, as the JDK
 * {@code HttpClient}'s threads do), ending the invocation's 9 spans as the agent's hooks do.
 * Two variants take turns in blocks, the order alternating: {@code export} (the spans go to the
 * agent's {@link SpanBatcher}, whose thread encodes each batch of {@link BatchSettings#DEFAULT_MAX_EXPORT_BATCH_SIZE}
 * and hands it to the {@link SpanShipper}'s thread, which posts it to a sink on 127.0.0.1) and
 * {@code none} (the spans are ended into a processor that drops them). Per block and variant:
 * the median and mean invocation time; the application thread's CPU, run-queue wait, voluntary
 * and involuntary context switches (Linux {@code /proc/thread-self}) and the monitor entries it
 * blocked on (the batcher's lock); the export threads' CPU and voluntary switches (their
 * wake-ups); all per invocation. The figure that compares
 * is the per-round ratio export ÷ none of the median time (median and quartiles over rounds):
 * the export path's whole effect on the application's latency, with the same hooks' work on the
 * application thread in both.
 *
 * <p>Not a test (its name does not end in {@code Test}); Linux only (the {@code /proc} figures):
 *
 * <pre>
 * mvn -B -o -q -pl tracer-agent -am test -Dtest=ExportInterferenceBenchmark -Dsurefire.failIfNoSpecifiedTests=false \
 *     [-Dbench.rounds=40 -Dbench.block=400 -Dbench.app.us=60 -Dbench.client.us=50]
 * # table in tracer-agent/target/export-interference-benchmark.txt
 * </pre>
 */
public class ExportInterferenceBenchmark {

  private static final int SPANS_PER_INVOCATION = 9;
  private static final int CALLS_PER_INVOCATION = 3;

  /** The "client" thread: waits for a request, burns its CPU, answers by waking the caller. */
  private static final class Client implements AutoCloseable {
    private final long workNanos;
    private final Thread thread;
    private volatile Thread caller;
    private volatile boolean requested;
    private volatile boolean answered;
    private volatile boolean stop;

    Client(long workNanos) {
      this.workNanos = workNanos;
      this.thread = new Thread(this::serve, "bench-client");
      this.thread.setDaemon(true);
      this.thread.start();
    }

    /** One call: the request handed over, parked until the answer (as {@code send} does). */
    void call() {
      caller = Thread.currentThread();
      answered = false;
      requested = true;
      LockSupport.unpark(thread);
      while (!answered) {
        LockSupport.park(this);
      }
    }

    private void serve() {
      while (!stop) {
        if (!requested) {
          LockSupport.park(this);
          continue;
        }
        requested = false;
        burn(workNanos);
        answered = true;
        LockSupport.unpark(caller);
      }
    }

    @Override
    public void close() throws InterruptedException {
      stop = true;
      LockSupport.unpark(thread);
      thread.join(10_000);
    }
  }

  /** Sink for the unused result of {@link #burn}, so that no compiler drops the loop. */
  static volatile long blackhole;

  /** Burns about {@code nanos} of this thread's CPU (a loop checked against the thread clock). */
  static void burn(long nanos) {
    var mx = java.lang.management.ManagementFactory.getThreadMXBean();
    long until = mx.getCurrentThreadCpuTime() + nanos;
    long x = blackhole;
    do {
      for (int i = 0; i < 2_000; i++) {
        x = x * 6364136223846793005L + 1442695040888963407L;
      }
    } while (mx.getCurrentThreadCpuTime() < until);
    blackhole = x;
  }

  /** /proc figures of a thread: CPU ns, run-queue wait ns, voluntary, involuntary switches. */
  static long[] sched(Path task) throws IOException {
    String[] stat = Files.readString(task.resolve("schedstat")).trim().split(" ");
    long voluntary = 0;
    long involuntary = 0;
    for (String l : Files.readAllLines(task.resolve("status"))) {
      if (l.startsWith("voluntary_ctxt_switches:")) {
        voluntary = Long.parseLong(l.substring(l.indexOf(':') + 1).trim());
      } else if (l.startsWith("nonvoluntary_ctxt_switches:")) {
        involuntary = Long.parseLong(l.substring(l.indexOf(':') + 1).trim());
      }
    }
    return new long[] {Long.parseLong(stat[0]), Long.parseLong(stat[1]), voluntary, involuntary};
  }

  /** The summed /proc figures of this process's threads whose name starts with {@code prefix}. */
  static long[] schedOfThreads(String prefix) throws IOException {
    long[] sum = new long[4];
    try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc/self/task"))) {
      for (Path task : tasks) {
        try {
          if (Files.readString(task.resolve("comm")).trim().startsWith(prefix)) {
            long[] v = sched(task);
            for (int i = 0; i < 4; i++) {
              sum[i] += v[i];
            }
          }
        } catch (IOException e) {
          // the thread ended while being read
        }
      }
    }
    return sum;
  }

  /**
   * How often this thread has blocked entering a monitor (the batcher's lock held by its export
   * thread, in the {@code export} variant).
   */
  static long monitorBlocked() {
    var mx = java.lang.management.ManagementFactory.getThreadMXBean();
    return mx.getThreadInfo(Thread.currentThread().getId()).getBlockedCount();
  }

  /** One variant's figures for one block, per invocation. */
  record Block(double medianNanos, double meanNanos, double appCpu, double appRunq,
      double appVoluntary, double appInvoluntary, double appMonitorBlocked, double exportCpu,
      double exportVoluntary, double clientVoluntary) {}

  @Test
  void run() throws Exception {
    Assumptions.assumeTrue(Files.isReadable(Path.of("/proc/thread-self/schedstat")),
        "Linux /proc figures");
    int rounds = Integer.getInteger("bench.rounds", 40);
    int block = Integer.getInteger("bench.block", 400);
    long appNanos = TimeUnit.MICROSECONDS.toNanos(Long.getLong("bench.app.us", 60));
    long clientNanos = TimeUnit.MICROSECONDS.toNanos(Long.getLong("bench.client.us", 50));
    int warmupRounds = Math.max(1, rounds / 4);

    AtomicLong requests = new AtomicLong();
    HttpServer sink = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 50);
    sink.createContext("/v1/traces", exchange -> {
      try (InputStream in = exchange.getRequestBody()) {
        in.readAllBytes(); // the collector decodes; a sink only reads
      }
      requests.incrementAndGet();
      exchange.sendResponseHeaders(200, -1);
      exchange.close();
    });
    sink.start();
    Path spoolRoot = Files.createTempDirectory("export-interference-benchmark");
    SpanShipper shipper = new SpanShipper(new HttpTransport(
        "http://127.0.0.1:" + sink.getAddress().getPort() + "/v1/traces", null),
        Spool.open(spoolRoot, 64L << 20), ExportSettings.DEFAULT_MEMORY_MAX_BYTES, "bench");
    SpanBatcher batcher = new SpanBatcher(new SpoolingSpanExporter(shipper), shipper);
    batcher.start();
    List<ReadableSpan> spans = new ArrayList<>();
    for (SpanData span : OtlpEncoderBenchmark.invocations(BatchSettings.DEFAULT_MAX_EXPORT_BATCH_SIZE * 4)) {
      spans.add((ReadableSpan) span); // the agent's span is its own SpanData
    }
    long handed = 0;
    List<double[]> ratios = new ArrayList<>();
    List<Block> exportBlocks = new ArrayList<>();
    List<Block> noneBlocks = new ArrayList<>();
    int next = 0;
    try (Client client = new Client(clientNanos)) {
      for (int r = 0; r < warmupRounds + rounds; r++) {
        Block[] pair = new Block[2];
        for (int k = 0; k < 2; k++) {
          boolean export = (r + k) % 2 == 0;
          long[] app0 = sched(Path.of("/proc/thread-self"));
          long blocked0 = monitorBlocked();
          long[] exp0 = schedOfThreads("flowcost-");
          long[] cli0 = schedOfThreads("bench-client");
          long[] nanos = new long[block];
          for (int i = 0; i < block; i++) {
            long t0 = System.nanoTime();
            for (int c = 0; c < CALLS_PER_INVOCATION; c++) {
              burn(appNanos);
              client.call();
              for (int s = 0; s < SPANS_PER_INVOCATION / CALLS_PER_INVOCATION; s++) {
                ReadableSpan span = spans.get(next);
                next = (next + 1) % spans.size();
                if (export) {
                  batcher.onEnd(span);
                  handed++;
                } else if (span.hasEnded()) {
                  blackhole++; // as cheap as the hooks' own end: nothing queued
                }
              }
            }
            nanos[i] = System.nanoTime() - t0;
          }
          long[] app1 = sched(Path.of("/proc/thread-self"));
          long blocked1 = monitorBlocked();
          long[] exp1 = schedOfThreads("flowcost-");
          long[] cli1 = schedOfThreads("bench-client");
          Arrays.sort(nanos);
          double n = block;
          pair[export ? 0 : 1] = new Block(nanos[block / 2], Arrays.stream(nanos).sum() / n,
              (app1[0] - app0[0]) / n,
              (app1[1] - app0[1]) / n, (app1[2] - app0[2]) / n, (app1[3] - app0[3]) / n,
              (blocked1 - blocked0) / n,
              (exp1[0] - exp0[0]) / n, (exp1[2] - exp0[2]) / n, (cli1[2] - cli0[2]) / n);
        }
        if (r >= warmupRounds) {
          exportBlocks.add(pair[0]);
          noneBlocks.add(pair[1]);
          ratios.add(new double[] {pair[0].medianNanos() / pair[1].medianNanos(),
              pair[0].appCpu() / pair[1].appCpu(),
              pair[0].medianNanos() - pair[1].medianNanos()});
        }
      }
    }
    batcher.shutdown().join(30, TimeUnit.SECONDS);
    shipper.shutdown(30_000);
    sink.stop(0);
    try (var files = Files.walk(spoolRoot)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }

    StringBuilder out = new StringBuilder(String.format(Locale.ROOT,
        "export interference: %d rounds (after %d warm-up) of 2 blocks of %d invocations, each 3 x"
            + " (%d µs app CPU, a call to a client thread burning %d µs), %d spans ended;"
            + " load average at the end %s%n%n",
        rounds, warmupRounds, block, appNanos / 1000, clientNanos / 1000, SPANS_PER_INVOCATION,
        Files.readString(Path.of("/proc/loadavg")).trim()));
    out.append("| per invocation (median of blocks; quartiles) | none | export |\n|---|---|---|\n");
    row(out, "median time µs", noneBlocks, exportBlocks, b -> b.medianNanos() / 1e3);
    row(out, "mean time µs", noneBlocks, exportBlocks, b -> b.meanNanos() / 1e3);
    row(out, "app thread CPU µs", noneBlocks, exportBlocks, b -> b.appCpu() / 1e3);
    row(out, "app thread run-queue wait µs", noneBlocks, exportBlocks, b -> b.appRunq() / 1e3);
    row(out, "app thread voluntary switches", noneBlocks, exportBlocks, Block::appVoluntary);
    row(out, "app thread involuntary switches", noneBlocks, exportBlocks,
        Block::appInvoluntary);
    row(out, "app thread blocked entering a monitor", noneBlocks, exportBlocks,
        Block::appMonitorBlocked);
    row(out, "client thread voluntary switches", noneBlocks, exportBlocks,
        Block::clientVoluntary);
    row(out, "export threads CPU µs", noneBlocks, exportBlocks, b -> b.exportCpu() / 1e3);
    row(out, "export threads voluntary switches (wake-ups)", noneBlocks, exportBlocks,
        Block::exportVoluntary);
    out.append(String.format(Locale.ROOT, "%nexport ÷ none per round, median (quartiles): median"
            + " time %s, app thread CPU %s; export − none, median time: %s µs%n",
        quartiles(ratios, 0, 1), quartiles(ratios, 1, 1), quartiles(ratios, 2, 1e3)));
    out.append(String.format(Locale.ROOT, "requests %d, spans acknowledged %d of %d handed over%n",
        requests.get(), shipper.sentSpans.get(), handed));
    System.out.println(out);
    Files.writeString(Path.of("target", "export-interference-benchmark.txt"), out,
        StandardCharsets.UTF_8);
    // every span handed over was acknowledged: the path measured is the steady state's
    assertThat(shipper.sentSpans.get()).isEqualTo(handed);
  }

  private static void row(StringBuilder out, String name, List<Block> none, List<Block> export,
      java.util.function.ToDoubleFunction<Block> f) {
    out.append("| ").append(name).append(" | ").append(quartiles(none, f)).append(" | ")
        .append(quartiles(export, f)).append(" |\n");
  }

  private static String quartiles(List<Block> blocks, java.util.function.ToDoubleFunction<Block> f) {
    double[] v = blocks.stream().mapToDouble(f).sorted().toArray();
    return format(v);
  }

  private static String quartiles(List<double[]> rows, int column, double unit) {
    double[] v = rows.stream().mapToDouble(r -> r[column] / unit).sorted().toArray();
    return format(v);
  }

  private static String format(double[] sorted) {
    int n = sorted.length;
    return String.format(Locale.ROOT, "%.3f (%.3f–%.3f)", sorted[n / 2], sorted[n / 4],
        sorted[(3 * n) / 4]);
  }
}
