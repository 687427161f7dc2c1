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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import io.flowcost.agent.testing.BuildLoaders;
import org.junit.jupiter.api.Test;

/**
 * {@link InvocationPathBenchmark}'s invocation (every hook of one side-by-side invocation, 9
 * spans), an earlier build's agent classes against this module's, in one JVM with their blocks
 * interleaved (the order alternating from round to round): a change of a few percent is lost in
 * the spread of separate JMH runs on a loaded box, where two builds' blocks seconds apart share
 * the load. Each build runs in a class loader of its own: its agent classes ({@code
 * -Dbench.before}, e.g. another clone's {@code tracer-agent/target/classes}, and this module's
 * {@code target/classes}), the same benchmark code (this module's test classes) and every other
 * entry of this JVM's class path (OpenTelemetry, LangChain4j: loaded once per build). A block is
 * its invocations, each 500 followed by a flush of its build's batch processor, whose thread
 * encodes their spans ({@link InvocationPathBenchmark.Installed}): reports per invocation the calling thread's
 * CPU time and allocated bytes, and those of all threads (the export thread's encoding with them),
 * median of the blocks after the first quarter (warm-up), and the per-round ratios. Not a test (its name does not end in {@code Test}); run it with the
 * command in {@code docs/benchmarks.md}, which prints a table and writes it to {@code
 * target/invocation-path-before-after.txt}.
 */
public class InvocationPathBeforeAfterBenchmark {

  @Test
  void runsBothBuildsInTurn() throws Throwable {
    String before = System.getProperty("bench.before", "");
    if (before.isEmpty()) {
      throw new IllegalArgumentException(
          "-Dbench.before=<an earlier build's tracer-agent/target/classes> is required");
    }
    Path after = Path.of("target", "classes").toAbsolutePath();
    ClassLoader[] loaders = {BuildLoaders.of(Path.of(before)), BuildLoaders.of(after)};
    MethodHandle[][] build = {path(loaders[0]), path(loaders[1])};
    int rounds = Integer.getInteger("bench.rounds", 60);
    int perBlock = Integer.getInteger("bench.invocations", 5_000);
    // the queue holds 8,192 spans: flushed every 500 invocations (4,500 spans), none is dropped
    // (a dropped span is never encoded, nor its answer read: the export's work would be missing)
    int perFlush = Integer.getInteger("bench.flushEvery", 500);
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long self = Thread.currentThread().getId();
    // per build: app thread CPU, all threads' CPU, app thread bytes, all threads' bytes
    List<List<List<Double>>> figures = List.of(figures(), figures());
    for (int round = 0; round < rounds; round++) {
      for (int turn = 0; turn < 2; turn++) {
        int b = (round + turn) % 2;
        MethodHandle run = build[b][0];
        // OpenTelemetry finds its context storage with ServiceLoader, through this loader
        Thread.currentThread().setContextClassLoader(loaders[b]);
        Map<Long, long[]> allAtStart = allThreads(threads);
        long cpuNanos = 0;
        long allocatedBytes = 0;
        for (int done = 0; done < perBlock; done += perFlush) {
          long cpuAt = threads.getCurrentThreadCpuTime();
          long allocatedAt = threads.getThreadAllocatedBytes(self);
          for (int i = 0; i < perFlush; i++) {
            Object ignored = (Object) run.invokeExact();
          }
          cpuNanos += threads.getCurrentThreadCpuTime() - cpuAt;
          allocatedBytes += threads.getThreadAllocatedBytes(self) - allocatedAt;
          // these spans encoded by the build's export thread (its work counts in all threads)
          build[b][1].invokeExact();
        }
        long[] all = since(allThreads(threads), allAtStart);
        if (round >= rounds / 4) {
          List<List<Double>> f = figures.get(b);
          f.get(0).add(cpuNanos / (double) perBlock);
          f.get(1).add(all[0] / (double) perBlock);
          f.get(2).add(allocatedBytes / (double) perBlock);
          f.get(3).add(all[1] / (double) perBlock);
          f.get(4).add(all[2] / (double) perBlock);
        }
      }
    }
    String[] what = {"CPU ns, application thread", "CPU ns, all threads (with the export)",
        "bytes allocated, application thread", "bytes allocated, all threads",
        "CPU ns, the agent's threads (flowcost-*: the export)"};
    StringBuilder table = new StringBuilder(String.format("%s; before: %s, %d rounds of %d"
        + " invocations a build (the first quarter not counted)%n%n| per invocation (median of"
        + " blocks) | before | after | after ÷ before, per round (median; quartiles) |%n"
        + "|---|---|---|---|%n", System.getProperty("bench.benchmark", "InvocationPathBenchmark"),
        before, rounds, perBlock));
    for (int k = 0; k < what.length; k++) {
      List<Double> b = figures.get(0).get(k);
      List<Double> a = figures.get(1).get(k);
      double[] ratios = new double[b.size()];
      for (int i = 0; i < ratios.length; i++) {
        ratios[i] = a.get(i) / b.get(i); // each after-block against the same round's before-block
      }
      Arrays.sort(ratios);
      table.append(String.format("| %s | %,.0f | %,.0f | %.3f (%.3f–%.3f) |%n", what[k],
          median(b), median(a), ratios[ratios.length / 2], ratios[ratios.length / 4],
          ratios[3 * ratios.length / 4]));
    }
    for (int b = 0; b < 2; b++) {
      table.append(String.format("%n%s: spans dropped unexported %d", b == 0 ? "before" : "after",
          (long) build[b][2].invokeExact()));
    }
    table.append(System.lineSeparator());
    System.out.print(table);
    Files.writeString(Path.of("target", "invocation-path-before-after.txt"), table);
    assertThat(figures.get(0).get(0)).isNotEmpty();
  }

  private static List<List<Double>> figures() {
    return List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>(), new ArrayList<>(),
        new ArrayList<>());
  }

  /**
   * Each live thread's CPU nanoseconds, allocated bytes, and its CPU again if it is one of the
   * agent's own ({@code flowcost-*}: the block's build's export thread; the other build's is idle
   * meanwhile), by id.
   */
  private static Map<Long, long[]> allThreads(com.sun.management.ThreadMXBean threads) {
    long[] ids = threads.getAllThreadIds();
    long[] cpu = threads.getThreadCpuTime(ids);
    long[] bytes = threads.getThreadAllocatedBytes(ids);
    java.lang.management.ThreadInfo[] infos = threads.getThreadInfo(ids);
    Map<Long, long[]> out = new HashMap<>();
    for (int i = 0; i < ids.length; i++) {
      boolean agent = infos[i] != null && infos[i].getThreadName().startsWith("flowcost-");
      out.put(ids[i], new long[] {Math.max(0, cpu[i]), Math.max(0, bytes[i]),
          agent ? Math.max(0, cpu[i]) : 0});
    }
    return out;
  }

  /**
   * CPU and bytes of every thread between two readings: a thread in both counts the difference, a
   * thread that started in between counts whole, one that ended loses only what it did since.
   */
  private static long[] since(Map<Long, long[]> now, Map<Long, long[]> then) {
    long[] sum = new long[3];
    now.forEach((id, v) -> {
      long[] t = then.getOrDefault(id, new long[3]);
      sum[0] += v[0] - t[0];
      sum[1] += v[1] - t[1];
      sum[2] += v[2] - t[2];
    });
    return sum;
  }

  private static double median(List<Double> values) {
    double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    return sorted[sorted.length / 2];
  }

  /**
   * One build's invocation, typed {@code ()Object}, and its flush, {@code ()void}: its own {@link
   * InvocationPathBenchmark} installed (the agent with a batch processor whose exporter encodes
   * and drops the spans).
   */
  private static MethodHandle[] path(ClassLoader loader) throws Throwable {
    ClassLoader previous = Thread.currentThread().getContextClassLoader();
    Thread.currentThread().setContextClassLoader(loader);
    try {
      return install(loader);
    } finally {
      Thread.currentThread().setContextClassLoader(previous);
    }
  }

  private static MethodHandle[] install(ClassLoader loader) throws Throwable {
    // another path's benchmark of the same shape (-Dbench.benchmark: an Installed state with
    // install, flush, unexported; invocation(Installed)), e.g. the OkHttp path's
    String name = System.getProperty("bench.benchmark", InvocationPathBenchmark.class.getName());
    Class<?> benchmark = Class.forName(name, true, loader);
    Class<?> installed = Class.forName(name + "$Installed", true, loader);
    MethodHandles.Lookup lookup = MethodHandles.publicLookup();
    Object state = lookup.findConstructor(installed, MethodType.methodType(void.class)).invoke();
    lookup.findVirtual(installed, "install", MethodType.methodType(void.class)).invoke(state);
    Object bench = lookup.findConstructor(benchmark, MethodType.methodType(void.class)).invoke();
    MethodHandle invocation = lookup.findVirtual(benchmark, "invocation",
            MethodType.methodType(Object.class, installed))
        .bindTo(bench).bindTo(state).asType(MethodType.methodType(Object.class));
    MethodHandle flush = lookup.findVirtual(installed, "flush", MethodType.methodType(void.class))
        .bindTo(state);
    MethodHandle unexported = lookup.findVirtual(installed, "unexported",
        MethodType.methodType(long.class)).bindTo(state);
    return new MethodHandle[] {invocation, flush, unexported};
  }
}
