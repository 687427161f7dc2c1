package io.flowcost.agent.testing;

import com.sun.management.ThreadMXBean;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the in-process benchmarks that count other threads' CPU share ({@code
 * TrustedSubscriberBenchmark}, {@code ClientTaskContextBenchmark}, {@code HeaderCopyBenchmark};
 * the first two's client is a {@link CountingClient}): a snapshot of some threads' CPU, the CPU
 * they used since, and the median of one column of a benchmark's per-block figures.
 */
public final class ThreadCpu {

  private ThreadCpu() {}

  /** Each thread's CPU nanoseconds now (0 for a thread that has ended). */
  public static Map<Thread, Long> cpu(ThreadMXBean threads, Set<Thread> of) {
    Map<Thread, Long> cpu = new HashMap<>();
    for (Thread t : of) {
      cpu.put(t, Math.max(0, threads.getThreadCpuTime(t.getId())));
    }
    return cpu;
  }

  /** CPU nanoseconds the threads used since {@code before} (a thread started since: all its CPU). */
  public static long cpuSince(ThreadMXBean threads, Set<Thread> of, Map<Thread, Long> before) {
    long sum = 0;
    for (Thread t : of) {
      long now = threads.getThreadCpuTime(t.getId());
      if (now >= 0) {
        sum += now - before.getOrDefault(t, 0L);
      }
    }
    return sum;
  }

  /** The median (the upper one of an even count) of {@code rows}' values in {@code column}. */
  public static double median(List<double[]> rows, int column) {
    double[] values = rows.stream().mapToDouble(r -> r[column]).sorted().toArray();
    return values[values.length / 2];
  }
}
