package io.flowcost.collector.sink;

import io.flowcost.collector.ingest.CallRecord;
import io.flowcost.collector.ingest.LakeRecord;
import io.flowcost.collector.ingest.Usage;
import io.flowcost.lake.LakeWriter;
import io.flowcost.lake.parquet.ParquetWriteOptions;
import io.flowcost.lake.store.LocalDirectoryStore;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * CPU and bytes of the collector's lake flush ({@link LakeFlusher#publish}) on call rows shaped
 * like {@code IngestBenchmark}'s: distinct workflow and span ids, a few models and services.
 * Not a test (the name matches no surefire include): run it with {@code java -cp} on the test
 * class path, {@code [rows per flush] [flushes]} (defaults 50,000 and 12; the first two are
 * warm-up). Prints the flushing thread's CPU per row and the file bytes per call row.
 *
 * <p>System properties: {@code bench.zstd.level} and {@code bench.page.size} (bytes) for other
 * Parquet options than the lake's defaults; {@code bench.keep=DIR} keeps each flush's file there
 * ({@code flush-NN.parquet}) instead of deleting it. The rows are the same on every run (a fixed
 * start time), so the files two builds write can be compared byte for byte. {@code
 * bench.grouped=true} flushes as {@code Pipeline#flush} does: the batch is first grouped into
 * files by {@code Pipeline}'s private {@code filesOf} (called reflectively, so the benchmark runs
 * against an older collector jar too), then each group is published; the grouping's own CPU and
 * allocation per row are printed apart.
 */
public final class LakeFlushBenchmark {

  private LakeFlushBenchmark() {}

  public static void main(String[] args) throws Exception {
    int rows = args.length > 0 ? Integer.parseInt(args[0]) : 50_000;
    int flushes = args.length > 1 ? Integer.parseInt(args[1]) : 12;
    Path dir = Files.createTempDirectory("flowcost-flush-bench");
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    ParquetWriteOptions options = ParquetWriteOptions.defaults();
    if (System.getProperty("bench.zstd.level") != null) {
      options = options.withZstdLevel(Integer.getInteger("bench.zstd.level"));
    }
    if (System.getProperty("bench.page.size") != null) {
      options = options.withPageSize(Integer.getInteger("bench.page.size"));
    }
    String keep = System.getProperty("bench.keep");
    LakeFlusher flusher = new LakeFlusher(
        LakeWriter.builder(new LocalDirectoryStore(dir.resolve("lake")), "bench")
            .parquetOptions(options).build(), "bench", Clock.systemUTC());
    java.lang.reflect.Method filesOf = null;
    if (Boolean.getBoolean("bench.grouped")) {
      filesOf = filesOf();
    }
    List<Double> cpu = new ArrayList<>();
    List<Double> groupCpu = new ArrayList<>();
    List<Double> groupAlloc = new ArrayList<>();
    long bytes = 0;
    long measured = 0;
    for (int f = 0; f < flushes; f++) {
      List<LakeRecord> batch = calls(f, rows);
      long c0 = threads.getCurrentThreadCpuTime();
      long a0 = allocated();
      if (filesOf == null) {
        flusher.publish(batch, Map.of());
      } else {
        @SuppressWarnings("unchecked")
        List<List<LakeRecord>> groups = (List<List<LakeRecord>>) (filesOf.getParameterCount() == 1
            ? filesOf.invoke(null, batch) : filesOf.invoke(null, batch, Integer.MAX_VALUE));
        long cg = threads.getCurrentThreadCpuTime();
        long ag = allocated();
        for (List<LakeRecord> g : groups) {
          flusher.publish(g, Map.of());
        }
        System.out.printf("  grouping: %.3f µs CPU/row, %.1f B allocated/row%n",
            (cg - c0) / 1e3 / rows, (ag - a0) / (double) rows);
        if (f >= 2) {
          groupCpu.add((cg - c0) / 1e3 / rows);
          groupAlloc.add((ag - a0) / (double) rows);
        }
      }
      long c1 = threads.getCurrentThreadCpuTime();
      long a1 = allocated();
      long size = sizeAndClear(dir.resolve("lake"),
          keep == null ? null : Path.of(keep).resolve(String.format("flush-%02d.parquet", f)));
      System.out.printf("flush %2d: %,d rows, %.2f µs CPU/row, %.0f B allocated/row,"
              + " %.1f B/row on disk%n", f, rows, (c1 - c0) / 1e3 / rows,
          (a1 - a0) / (double) rows, size / (double) rows);
      if (f >= 2) {
        cpu.add((c1 - c0) / 1e3 / rows);
        bytes += size;
        measured += rows;
      }
    }
    double[] s = cpu.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    System.out.printf("median %.2f µs CPU per call row, %.1f bytes per call row (%d flushes of"
        + " %,d rows after 2 warm-up)%n", s[s.length / 2], bytes / (double) measured, s.length,
        rows);
    if (!groupCpu.isEmpty()) {
      double[] g = groupCpu.stream().mapToDouble(Double::doubleValue).sorted().toArray();
      double[] ga = groupAlloc.stream().mapToDouble(Double::doubleValue).sorted().toArray();
      System.out.printf("grouping: median %.3f µs CPU, %.1f B allocated per call row%n",
          g[g.length / 2], ga[ga.length / 2]);
    }
  }

  /**
   * {@code Pipeline}'s grouping: {@code filesOf(rows, maxRows)} (called with no bound, as a
   * flush that is not stopping does) or, in builds before the bounded stop, {@code filesOf(rows)}.
   */
  private static java.lang.reflect.Method filesOf() throws NoSuchMethodException {
    java.lang.reflect.Method m;
    try {
      m = io.flowcost.collector.pipeline.Pipeline.class.getDeclaredMethod("filesOf", List.class,
          int.class);
    } catch (NoSuchMethodException e) {
      m = io.flowcost.collector.pipeline.Pipeline.class.getDeclaredMethod("filesOf", List.class);
    }
    m.setAccessible(true);
    return m;
  }

  private static long allocated() {
    return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean())
        .getCurrentThreadAllocatedBytes();
  }

  /** The bytes of the files under {@code lake}, deleted or, with {@code keepAs}, moved there. */
  private static long sizeAndClear(Path lake, Path keepAs) throws IOException {
    long size = 0;
    try (Stream<Path> files = Files.walk(lake)) {
      for (Path p : files.filter(Files::isRegularFile).toList()) {
        size += Files.size(p);
        if (keepAs != null) {
          Files.createDirectories(keepAs.getParent());
          Files.move(p, keepAs, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } else {
          Files.delete(p);
        }
      }
    }
    return size;
  }

  /** Call rows like the load generator's: request {@code n / 100} is one workflow of 100 calls. */
  static List<LakeRecord> calls(int flush, int rows) {
    List<LakeRecord> out = new ArrayList<>(rows);
    // fixed, so that two runs (two builds) flush identical rows
    Instant now = Instant.parse("2026-12-07T04:00:00.123456789Z");
    String[] models = {"gpt-4o-mini", "gpt-4o", "claude-sonnet-4-5", "gemini-2.5-flash"};
    String[] services = {"checkout-svc", "support-bot", "search", "triage"};
    for (int i = 0; i < rows; i++) {
      long n = (long) flush * rows + i;
      // ids are random in real traffic: hashed here, so the files compress like real ones
      String workflow = String.format("%016x%016x", mix(n / 100), mix(~(n / 100)));
      String span = String.format("%016x", mix(n));
      String model = models[(int) (n % models.length)];
      Instant start = now.plusNanos(n * 1_234_567L);
      long input = 1000 + n % 977;
      long output = 100 + n % 331;
      BigDecimal cost = BigDecimal.valueOf(input * 150 + output * 600, 9);
      out.add(new CallRecord(workflow, span, span, String.format("%016x", mix(-1 - n / 100)), "model", "chat",
          services[(int) (n / 100 % services.length)], "openai", model, model + "-2024-07-18", 1,
          "ok", null, 200, "stop", false,
          new Usage(input, n % 3 == 0 ? 512 : 0, 0, 0, output, 0, false, null), cost,
          n % 3 == 0 ? BigDecimal.valueOf(512 * 75, 9) : BigDecimal.ZERO.setScale(9),
          n % 3 == 0 ? BigDecimal.valueOf(512 * 75, 9) : BigDecimal.ZERO.setScale(9), false,
          false, null, null, "api.openai.com", "/v1/chat/completions", start,
          start.plusMillis(250 + n % 500), "2026-11-01", "openai/" + model, start.plusSeconds(1)));
    }
    return out;
  }

  /** A fixed 64-bit mix (SplitMix64's finaliser): distinct inputs, random-looking outputs. */
  static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
    z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
    return z ^ (z >>> 31);
  }
}
