package io.flowcost.agent.langchain4j;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import io.flowcost.agent.testing.BuildLoaders;
import org.junit.jupiter.api.Test;

/**
 * What the JDK client's hooks cost the application's thread inside a LangChain4j call, an earlier
 * build's agent classes ({@code -Dbench.before}, e.g. another clone's {@code
 * tracer-agent/target/classes}) against this module's, in one JVM: {@link JdkSendPath}'s
 * invocation (9 spans; each model call's attempt through the JDK hooks as {@code sendAsync}'s
 * advice calls them) with and without those hooks, for each build: four block kinds taking turns,
 * the order rotating from round to round (blocks seconds apart share a loaded box's load). Each
 * build runs in a class loader of its own, as in {@link InvocationPathBeforeAfterBenchmark}.
 * Reports per invocation the application thread's CPU time and allocated bytes (median of the
 * blocks after the first quarter), the JDK hooks' share (with − without, per build), and the
 * per-round ratio after ÷ before of the JDK hooks' share. Not a test (its name does not end in
 * {@code Test}); run it with the command in {@code docs/benchmarks.md}, which prints a table and
 * writes it to {@code target/jdk-send-before-after.txt}.
 */
public class JdkSendBeforeAfterBenchmark {

  @Test
  void runsBothBuildsInTurn() throws Throwable {
    String before = System.getProperty("bench.before", "");
    if (before.isEmpty()) {
      throw new IllegalArgumentException(
          "-Dbench.before=<an earlier build's tracer-agent/target/classes> is required");
    }
    Path after = Path.of("target", "classes").toAbsolutePath();
    ClassLoader[] loaders = {BuildLoaders.of(Path.of(before)), BuildLoaders.of(after)};
    Object[] paths = {path(loaders[0]), path(loaders[1])};
    MethodHandle[] invocation = new MethodHandle[2];
    MethodHandle[] flush = new MethodHandle[2];
    MethodHandle[] headers = new MethodHandle[2];
    MethodHandles.Lookup lookup = MethodHandles.publicLookup();
    for (int b = 0; b < 2; b++) {
      Class<?> type = paths[b].getClass();
      invocation[b] = lookup.findVirtual(type, "invocation",
          MethodType.methodType(Object.class, boolean.class)).bindTo(paths[b]);
      flush[b] = lookup.findVirtual(type, "flush", MethodType.methodType(void.class))
          .bindTo(paths[b]);
      headers[b] = lookup.findVirtual(type, "headers", MethodType.methodType(long.class))
          .bindTo(paths[b]);
    }
    int rounds = Integer.getInteger("bench.rounds", 40);
    int perBlock = Integer.getInteger("bench.invocations", 4_000);
    int perFlush = 500; // the batch queue holds 8,192 spans: none dropped
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long self = Thread.currentThread().getId();
    // kind k = build * 2 + (jdk hooks ? 1 : 0): [cpu ns, bytes] per block
    List<List<double[]>> figures = new ArrayList<>();
    for (int k = 0; k < 4; k++) {
      figures.add(new ArrayList<>());
    }
    for (int round = 0; round < rounds; round++) {
      for (int turn = 0; turn < 4; turn++) {
        int k = (round + turn) % 4;
        int b = k / 2;
        boolean jdk = k % 2 == 1;
        Thread.currentThread().setContextClassLoader(loaders[b]);
        long cpuNanos = 0;
        long bytes = 0;
        for (int done = 0; done < perBlock; done += perFlush) {
          long cpuAt = threads.getCurrentThreadCpuTime();
          long allocatedAt = threads.getThreadAllocatedBytes(self);
          for (int i = 0; i < perFlush; i++) {
            Object ignored = (Object) invocation[b].invokeExact(jdk);
          }
          cpuNanos += threads.getCurrentThreadCpuTime() - cpuAt;
          bytes += threads.getThreadAllocatedBytes(self) - allocatedAt;
          flush[b].invokeExact();
        }
        if (round >= rounds / 4) {
          figures.get(k).add(new double[] {cpuNanos / (double) perBlock, bytes / (double) perBlock});
        }
      }
    }
    StringBuilder table = new StringBuilder(String.format("before: %s, %d rounds of %d"
        + " invocations per block kind (the first quarter not counted)%n%n| per invocation,"
        + " application thread (median of blocks) | before | after | after ÷ before, per round"
        + " (median; quartiles) |%n|---|---|---|---|%n", before, rounds, perBlock));
    String[] what = {"CPU ns", "bytes allocated"};
    for (int m = 0; m < 2; m++) {
      row(table, what[m] + ", without the JDK hooks", figures.get(0), figures.get(2), m, null, null);
      row(table, what[m] + ", with the JDK hooks", figures.get(1), figures.get(3), m, null, null);
      row(table, what[m] + ", the JDK hooks' share (with − without, same round)", figures.get(1),
          figures.get(3), m, figures.get(0), figures.get(2));
    }
    table.append(String.format("%nJDK copies' header count, before %d, after %d (the same: the"
        + " same headers reach the JDK's copy)%n", (long) headers[0].invokeExact(),
        (long) headers[1].invokeExact()));
    System.out.print(table);
    Files.writeString(Path.of("target", "jdk-send-before-after.txt"), table);
    assertThat(figures.get(0)).isNotEmpty();
  }

  /**
   * A table row: medians of the blocks of build before ({@code b}) and after ({@code a}), minus
   * the same round's block of {@code b0} / {@code a0} when given, and the per-round ratios.
   */
  private static void row(StringBuilder table, String what, List<double[]> b, List<double[]> a,
      int m, List<double[]> b0, List<double[]> a0) {
    int n = Math.min(b.size(), a.size());
    double[] bs = new double[n];
    double[] as = new double[n];
    double[] ratios = new double[n];
    for (int i = 0; i < n; i++) {
      bs[i] = b.get(i)[m] - (b0 == null ? 0 : b0.get(i)[m]);
      as[i] = a.get(i)[m] - (a0 == null ? 0 : a0.get(i)[m]);
      ratios[i] = as[i] / bs[i];
    }
    Arrays.sort(ratios);
    table.append(String.format("| %s | %,.0f | %,.0f | %.3f (%.3f–%.3f) |%n", what, median(bs),
        median(as), ratios[n / 2], ratios[n / 4], ratios[3 * n / 4]));
  }

  private static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    return sorted[sorted.length / 2];
  }

  /** A build's {@link JdkSendPath}, made with its loader as the context loader. */
  private static Object path(ClassLoader loader) throws Throwable {
    ClassLoader previous = Thread.currentThread().getContextClassLoader();
    Thread.currentThread().setContextClassLoader(loader);
    try {
      Class<?> type = Class.forName(JdkSendPath.class.getName(), true, loader);
      return MethodHandles.publicLookup()
          .findConstructor(type, MethodType.methodType(void.class)).invoke();
    } finally {
      Thread.currentThread().setContextClassLoader(previous);
    }
  }
}
