package io.flowcost.agent.langchain4j;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.management.ManagementFactory;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link InvocationPathBenchmark}'s invocation (every hook of one side-by-side invocation, 9
 * spans), an earlier build's agent classes against this module's, in one JVM with their blocks
 * interleaved (the order alternating from round to round): a change of a few percent is lost in
 * the spread of separate JMH runs on a loaded box, where two builds' blocks seconds apart share
 * the load. Each build runs in a class loader of its own: its agent classes ({@code
 * -Dbench.before}, e.g. another clone's {@code tracer-agent/target/classes}, and this module's
 * {@code target/classes}), the same benchmark code (this module's test classes) and every other
 * entry of this JVM's class path (OpenTelemetry, LangChain4j: loaded once per build). Reports the
 * calling thread's CPU time and allocated bytes per invocation, median of the blocks after the
 * first quarter (warm-up). Not a test (its name does not end in {@code Test}); run it with the
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
    ClassLoader[] loaders = {loader(Path.of(before)), loader(after)};
    MethodHandle[] invocation = {path(loaders[0]), path(loaders[1])};
    int rounds = Integer.getInteger("bench.rounds", 60);
    int perBlock = Integer.getInteger("bench.invocations", 5_000);
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long self = Thread.currentThread().getId();
    List<List<Double>> cpu = List.of(new ArrayList<>(), new ArrayList<>());
    List<List<Double>> bytes = List.of(new ArrayList<>(), new ArrayList<>());
    for (int round = 0; round < rounds; round++) {
      for (int turn = 0; turn < 2; turn++) {
        int build = (round + turn) % 2;
        MethodHandle run = invocation[build];
        // OpenTelemetry finds its context storage with ServiceLoader, through this loader
        Thread.currentThread().setContextClassLoader(loaders[build]);
        long allocated = threads.getThreadAllocatedBytes(self);
        long start = threads.getCurrentThreadCpuTime();
        for (int i = 0; i < perBlock; i++) {
          Object ignored = (Object) run.invokeExact();
        }
        long cpuNanos = threads.getCurrentThreadCpuTime() - start;
        long allocatedBytes = threads.getThreadAllocatedBytes(self) - allocated;
        if (round >= rounds / 4) {
          cpu.get(build).add(cpuNanos / (double) perBlock);
          bytes.get(build).add(allocatedBytes / (double) perBlock);
        }
      }
    }
    double[] cb = sorted(cpu.get(0));
    double[] ca = sorted(cpu.get(1));
    double[] ab = sorted(bytes.get(0));
    double[] aa = sorted(bytes.get(1));
    // per-round ratios: each after-block against the before-block of the same round
    double[] ratios = new double[cpu.get(0).size()];
    for (int i = 0; i < ratios.length; i++) {
      ratios[i] = cpu.get(1).get(i) / cpu.get(0).get(i);
    }
    Arrays.sort(ratios);
    String table = String.format("| build | thread CPU ns per invocation (median; min–max) |"
            + " bytes allocated per invocation (median) |%n|---|---|---|%n"
            + "| before (%s) | %,.0f (%,.0f–%,.0f) | %,.0f |%n"
            + "| after (this module) | %,.0f (%,.0f–%,.0f) | %,.0f |%n"
            + "| after ÷ before, per round | %.3f (quartiles %.3f–%.3f) | %.3f |%n",
        before, cb[cb.length / 2], cb[0], cb[cb.length - 1], ab[ab.length / 2],
        ca[ca.length / 2], ca[0], ca[ca.length - 1], aa[aa.length / 2],
        ratios[ratios.length / 2], ratios[ratios.length / 4], ratios[3 * ratios.length / 4],
        aa[aa.length / 2] / ab[ab.length / 2]);
    System.out.print(table);
    Files.writeString(Path.of("target", "invocation-path-before-after.txt"), table);
    assertThat(ratios).isNotEmpty();
  }

  /** A build's own loader: its agent classes, then the benchmark and every dependency. */
  private static ClassLoader loader(Path agentClasses) throws Exception {
    Path tests = Path.of("target", "test-classes").toAbsolutePath();
    Path mine = Path.of("target", "classes").toAbsolutePath();
    List<URL> urls = new ArrayList<>();
    urls.add(agentClasses.toUri().toURL());
    urls.add(tests.toUri().toURL());
    // surefire starts the JVM through a manifest-only jar; the class path is in its property
    String classPath = System.getProperty("surefire.test.class.path",
        System.getProperty("java.class.path"));
    for (String entry : classPath.split(File.pathSeparator)) {
      Path p = Path.of(entry).toAbsolutePath();
      if (!p.equals(mine) && !p.equals(tests) && !entry.endsWith("surefirebooter.jar")) {
        urls.add(p.toUri().toURL());
      }
    }
    return new URLClassLoader(urls.toArray(new URL[0]), ClassLoader.getPlatformClassLoader());
  }

  /**
   * One build's invocation, typed {@code ()Object}: its own {@link InvocationPathBenchmark}
   * installed (the agent with a batch processor whose exporter drops the spans).
   */
  private static MethodHandle path(ClassLoader loader) throws Throwable {
    ClassLoader previous = Thread.currentThread().getContextClassLoader();
    Thread.currentThread().setContextClassLoader(loader);
    try {
      return install(loader);
    } finally {
      Thread.currentThread().setContextClassLoader(previous);
    }
  }

  private static MethodHandle install(ClassLoader loader) throws Throwable {
    Class<?> benchmark = Class.forName(InvocationPathBenchmark.class.getName(), true, loader);
    Class<?> installed = Class.forName(InvocationPathBenchmark.Installed.class.getName(), true,
        loader);
    MethodHandles.Lookup lookup = MethodHandles.publicLookup();
    Object state = lookup.findConstructor(installed, MethodType.methodType(void.class)).invoke();
    lookup.findVirtual(installed, "install", MethodType.methodType(void.class)).invoke(state);
    Object bench = lookup.findConstructor(benchmark, MethodType.methodType(void.class)).invoke();
    return lookup.findVirtual(benchmark, "invocation", MethodType.methodType(Object.class,
            installed))
        .bindTo(bench).bindTo(state).asType(MethodType.methodType(Object.class));
  }

  private static double[] sorted(List<Double> values) {
    double[] out = values.stream().mapToDouble(Double::doubleValue).toArray();
    Arrays.sort(out);
    return out;
  }
}
