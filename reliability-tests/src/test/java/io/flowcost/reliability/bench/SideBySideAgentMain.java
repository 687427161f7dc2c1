package io.flowcost.reliability.bench;

import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.service.AiServices;
import io.flowcost.examples.demo.PolicyTools;
import io.flowcost.examples.demo.RepairTools;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The application of the side-by-side agent benchmark ({@link SideBySideAgentBenchmark}): a
 * LangChain4j AI service whose every invocation makes 3 model calls and 2 tool calls against the
 * fake provider (a separate process, so its CPU is not this JVM's), timed per invocation, with the
 * process's CPU time and the bytes allocated by all its threads over the measured invocations.
 *
 * <p>Arguments: {@code BASE_URL LAUNCH_EPOCH_MILLIS}. After the first invocation it prints {@code
 * STARTED first_ms=…} ({@code first_ms}: from the launcher's {@code LAUNCH_EPOCH_MILLIS} to the end
 * of the first invocation), then warms up as standard input asks ({@code WARMUP n}: n invocations,
 * answered by a {@code WARMUP done=… cpu_us=… jit_us=… jit_share=…} line; the benchmark decides
 * when the warm-up ends, {@link #warmUp}), then on {@code MEASURE} prints {@code READY first_ms=…
 * warmup=…} and measures block by block
 * as standard input asks ({@link Blocks}: {@code BLOCK n} lines, then {@code END}), answering one
 * {@code BLOCK …} line per block and, at the end, {@code RESULT median_ns=… cpu_ns=…
 * alloc_bytes=… invocations=…} (per measured invocation, except {@code invocations}: all
 * invocations made, warm-up included). On Linux each block's line and a last {@code THREADS
 * group=ns …} line split the CPU time per invocation by thread group ({@link ThreadGroupCpu}):
 * where an agent's added CPU goes (the app's thread, the JIT, the GC, an export thread), which
 * the process total cannot say. Allocation is counted thread by thread ({@link
 * ThreadAllocation}): each block's line has the bytes per invocation by thread group ({@code
 * a.app=… a.agent_export=…}; for the application's thread, its invocations alone). On Linux a
 * block's line also has the scheduler's view ({@link ThreadSched}): the mean wall time per
 * invocation ({@code mean_ns}), the application thread's own CPU, run-queue wait and context
 * switches over its invocations ({@code self_cpu_ns self_runq_ns self_vcsw_milli
 * self_icsw_milli}; switches per 1,000 invocations), and by thread group the run-queue wait
 * ({@code q.GROUP}, ns) and voluntary and involuntary switches per 1,000 invocations ({@code
 * v.GROUP i.GROUP}). The end an {@code ALLOC group=bytes …} line for the whole measured
 * phase and one {@code ALLOC_THREAD bytes name} line per thread (for reading, not parsed). With {@code -Dbench.jfr.measured=FILE} the measured phase alone
 * (no start-up, no warm-up) is recorded by JFR ({@code profile}).
 */
public final class SideBySideAgentMain {

  /** The AI service: one method, the two demo tool classes. */
  public interface ClaimAssistant {
    /** Answers a question about a claim, calling the tools the model asks for. */
    String answer(String question);
  }

  private SideBySideAgentMain() {}

  public static void main(String[] args) throws IOException {
    String baseUrl = args[0];
    long launchedAt = Long.parseLong(args[1]);

    OpenAiChatModel model = OpenAiChatModel.builder().baseUrl(baseUrl).apiKey("bench-key")
        .modelName("gpt-4o-mini").build();
    ClaimAssistant assistant = AiServices.builder(ClaimAssistant.class).chatModel(model)
        .tools(new PolicyTools(), new RepairTools()).build();

    invoke(assistant, 0);
    long firstMillis = System.currentTimeMillis() - launchedAt;
    // start-up's steadier proxies, read after the clock above (docs/benchmarks.md, fifth round,
    // start-up): the classes loaded and the CPU nanoseconds of the live threads since the JVM
    // started, by group, to the end of the first invocation
    StringBuilder startup = new StringBuilder("STARTUP classes=")
        .append(ManagementFactory.getClassLoadingMXBean().getTotalLoadedClassCount());
    ThreadGroupCpu.since(Map.of()).forEach((group, ns) -> startup.append(' ').append(group)
        .append('=').append(ns));
    System.out.println(startup);
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    com.sun.management.OperatingSystemMXBean os =
        (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    System.out.printf("STARTED first_ms=%d%n", firstMillis);
    System.out.flush();
    java.io.BufferedReader in = new java.io.BufferedReader(new java.io.InputStreamReader(System.in,
        java.nio.charset.StandardCharsets.UTF_8));
    int warmedUp = 0;
    for (String line; (line = in.readLine()) != null && !line.trim().equals("MEASURE"); ) {
      if (!line.startsWith("WARMUP ")) {
        throw new IllegalArgumentException("unknown command before MEASURE: " + line);
      }
      warmedUp = warmUp(assistant, os, warmedUp, Integer.parseInt(line.substring(7).trim()));
    }
    System.out.printf("READY first_ms=%d warmup=%d%n", firstMillis, warmedUp);
    System.out.flush();
    new Blocks(assistant, threads, os, warmedUp + 1).serve(in);
  }

  /**
   * The measured phase, driven block by block from standard input so that the benchmark can
   * interleave the JVMs of a round in small blocks ({@code BLOCK n}: run n invocations, answer one
   * {@code BLOCK …} line; {@code END}: answer the {@code RESULT} and {@code THREADS} lines of all
   * blocks together and return). Why: the figures of one JVM drift with the machine's load over
   * minutes far more than an agent adds, so the benchmark compares blocks measured seconds apart
   * rather than JVMs measured minutes apart.
   *
   * <p>A block's CPU, allocation and per-thread-group CPU run from the end of this JVM's previous
   * block (or the start of the measured phase) to the end of this one: what the JVM did while it
   * waited for the others' blocks (an exporter sending the spans of the last block, a timer) is
   * counted in its next block, so the blocks add up to the whole measured phase and nothing
   * escapes between them.
   */
  static final class Blocks {
    private final ClaimAssistant assistant;
    private final com.sun.management.ThreadMXBean threads;
    private final com.sun.management.OperatingSystemMXBean os;
    private int next;
    private final java.util.List<long[]> allNanos = new java.util.ArrayList<>();
    private int measured;

    Blocks(ClaimAssistant assistant, com.sun.management.ThreadMXBean threads,
        com.sun.management.OperatingSystemMXBean os, int next) {
      this.assistant = assistant;
      this.threads = threads;
      this.os = os;
      this.next = next;
    }

    void serve(java.io.BufferedReader in) throws IOException {
      // bench.jfr.measured=FILE: a JFR recording (profile settings) of the measured phase only,
      // the steady state without start-up and warm-up
      String measuredJfr = System.getProperty("bench.jfr.measured", "");
      jdk.jfr.Recording recording = null;
      if (!measuredJfr.isEmpty()) {
        try {
          recording = new jdk.jfr.Recording(jdk.jfr.Configuration.getConfiguration("profile"));
          // every compilation (profile keeps those over 100 ms): the JIT's share of the CPU
          recording.enable("jdk.Compilation").withThreshold(java.time.Duration.ZERO);
          // CPU samples every bench.jfr.period ms (default 2; profile's 10 ms left a run of
          // 8,000 invocations with 33 samples in agent frames: pointers, not figures)
          recording.enable("jdk.ExecutionSample").withPeriod(java.time.Duration.ofMillis(
              Long.getLong("bench.jfr.period", 2)));
          // bench.jfr.allocation.throttle=100000/s: allocation samples at that rate instead of
          // profile's 300/s, for steady figures per allocation site (jfr-agent-summary.py --sites)
          String throttle = System.getProperty("bench.jfr.allocation.throttle", "");
          if (!throttle.isEmpty()) {
            recording.enable("jdk.ObjectAllocationSample").with("throttle", throttle);
          }
          recording.setDestination(Path.of(measuredJfr));
          recording.start();
        } catch (IOException | java.text.ParseException e) {
          throw new IllegalStateException("cannot record " + measuredJfr, e);
        }
      }
      // bench.asprof.measured=FILE (with bench.asprof=/path/to/libasyncProfiler.so and
      // async-profiler's jar on the class path, e.g. -Xbootclasspath/a:): CPU samples of the
      // measured phase alone, collapsed stacks; optional, a user-supplied profiler (reflection,
      // so that the benchmark needs none). Why: it resolves inlined frames, which JFR cannot.
      AsyncProfilerSwitch asprof = AsyncProfilerSwitch.start();
      Map<String, Long> threads0 = ThreadGroupCpu.read();
      Map<String, Long> start = threads0;
      Map<String, long[]> sched0 = ThreadSched.read();
      long cpu0 = os.getProcessCpuTime();
      long cpuStart = cpu0;
      ThreadAllocation allocation = new ThreadAllocation(threads);
      Map<Long, Long> alloc0 = allocation.read();
      Map<String, Long> allocGroups = new TreeMap<>();
      Map<Long, Long> allocThreads = new HashMap<>();
      for (String line; (line = in.readLine()) != null; ) {
        line = line.trim();
        if (line.equals("END")) {
          break;
        } else if (!line.startsWith("BLOCK ")) {
          throw new IllegalArgumentException("unknown command: " + line);
        }
        int n = Integer.parseInt(line.substring(6).trim());
        long[] nanos = new long[n];
        long[] self0 = ThreadSched.self();
        long appStart = threads.getCurrentThreadAllocatedBytes();
        long wall0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
          long t0 = System.nanoTime();
          invoke(assistant, next++);
          nanos[i] = System.nanoTime() - t0;
        }
        long wall = System.nanoTime() - wall0;
        long appEnd = threads.getCurrentThreadAllocatedBytes();
        long[] self1 = ThreadSched.self();
        long cpu1 = os.getProcessCpuTime();
        Map<Long, Long> alloc1 = allocation.read();
        Map<String, Long> groups = ThreadGroupCpu.since(threads0);
        threads0 = ThreadGroupCpu.read();
        Map<String, long[]> sched1 = ThreadSched.read();
        Map<String, long[]> schedGroups = ThreadSched.between(sched0, sched1);
        sched0 = sched1;
        allNanos.add(nanos);
        measured += n;
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        Map<Long, Long> allocated = ThreadAllocation.between(alloc0, alloc1);
        // this thread: its invocations alone, not the benchmark's bookkeeping between blocks
        // (reading /proc and the thread list, printing), which grows with the number of threads
        allocated.put(Thread.currentThread().getId(), appEnd - appStart);
        Map<String, Long> allocByGroup = allocation.byGroup(allocated);
        long allocTotal = allocByGroup.values().stream().mapToLong(Long::longValue).sum();
        StringBuilder out = new StringBuilder(String.format(Locale.ROOT,
            "BLOCK n=%d median_ns=%d cpu_ns=%d alloc_bytes=%d ended=%d", n, sorted[n / 2],
            (cpu1 - cpu0) / n, allocTotal / n, ThreadAllocation.ended(alloc0, alloc1)));
        groups.forEach((g, ns) -> out.append(" t.").append(g).append('=').append(ns / n));
        // where the application thread's time went, read around its invocations alone: on a
        // CPU, runnable but waiting for one, and the rest blocked (waiting for another thread)
        out.append(" mean_ns=").append(wall / n);
        if (self0 != null && self1 != null) {
          out.append(" self_cpu_ns=").append((self1[0] - self0[0]) / n)
              .append(" self_runq_ns=").append((self1[1] - self0[1]) / n)
              .append(" self_vcsw_milli=").append((self1[2] - self0[2]) * 1000 / n)
              .append(" self_icsw_milli=").append((self1[3] - self0[3]) * 1000 / n);
        }
        schedGroups.forEach((g, v) -> out.append(" q.").append(g).append('=').append(v[0] / n)
            .append(" v.").append(g).append('=').append(v[1] * 1000 / n)
            .append(" i.").append(g).append('=').append(v[2] * 1000 / n));
        allocByGroup.forEach((g, b) -> out.append(" a.").append(g).append('=').append(b / n));
        System.out.println(out);
        System.out.flush();
        allocByGroup.forEach((g, b) -> allocGroups.merge(g, b, Long::sum));
        allocated.forEach((id, b) -> allocThreads.merge(id, b, Long::sum));
        cpu0 = cpu1;
        alloc0 = alloc1;
      }
      if (measured == 0) {
        throw new IllegalStateException("END before any BLOCK");
      }
      long cpu = cpu0 - cpuStart;
      long alloc = allocGroups.values().stream().mapToLong(Long::longValue).sum();
      Map<String, Long> threadCpu = ThreadGroupCpu.between(start, threads0);
      if (asprof != null) {
        asprof.stop();
      }
      if (recording != null) {
        recording.stop(); // written to its destination
        recording.close();
      }
      long[] all = allNanos.stream().flatMapToLong(Arrays::stream).sorted().toArray();
      System.out.printf("RESULT median_ns=%d cpu_ns=%d alloc_bytes=%d invocations=%d%n",
          all[all.length / 2], cpu / measured, alloc / measured, next);
      if (!threadCpu.isEmpty()) {
        StringBuilder line = new StringBuilder("THREADS");
        threadCpu.forEach((group, ns) -> line.append(' ').append(group).append('=')
            .append(ns / measured));
        System.out.println(line);
      }
      StringBuilder allocLine = new StringBuilder("ALLOC");
      allocGroups.forEach((group, bytes) -> allocLine.append(' ').append(group).append('=')
          .append(bytes / measured));
      System.out.println(allocLine);
      allocThreads.entrySet().stream()
          .sorted(Map.Entry.<Long, Long>comparingByValue().reversed())
          .forEach(e -> System.out.printf("ALLOC_THREAD %d %s%n", e.getValue() / measured,
              allocation.name(e.getKey())));
      System.out.flush();
    }
  }

  /**
   * async-profiler around the measured phase ({@code bench.asprof.measured=FILE}, {@code
   * bench.asprof=LIBRARY}, {@code bench.asprof.options}, default {@code
   * event=cpu,interval=1ms,threads}), driven through its Java API by reflection: the benchmark
   * compiles and runs without it.
   */
  static final class AsyncProfilerSwitch {
    private final Object profiler;
    private final java.lang.reflect.Method execute;
    private final String file;

    private AsyncProfilerSwitch(Object profiler, java.lang.reflect.Method execute, String file) {
      this.profiler = profiler;
      this.execute = execute;
      this.file = file;
    }

    /** Started, or null when not asked for. */
    static AsyncProfilerSwitch start() {
      String file = System.getProperty("bench.asprof.measured", "");
      if (file.isEmpty()) {
        return null;
      }
      try {
        Class<?> type = Class.forName("one.profiler.AsyncProfiler");
        Object profiler = type.getMethod("getInstance", String.class)
            .invoke(null, System.getProperty("bench.asprof"));
        java.lang.reflect.Method execute = type.getMethod("execute", String.class);
        execute.invoke(profiler, "start," + System.getProperty("bench.asprof.options",
            "event=cpu,interval=1ms,threads"));
        return new AsyncProfilerSwitch(profiler, execute, file);
      } catch (ReflectiveOperationException e) {
        throw new IllegalStateException("cannot start async-profiler", e);
      }
    }

    void stop() {
      try {
        // ann: frame types (_[j] compiled, _[i] inlined, _[0] interpreted, _[1] C1, _[k] kernel)
        execute.invoke(profiler, "stop,collapsed,ann,file=" + file);
      } catch (ReflectiveOperationException e) {
        throw new IllegalStateException("cannot stop async-profiler", e);
      }
    }
  }

  /**
   * Bytes allocated, thread by thread ({@code ThreadMXBean#getThreadAllocatedBytes}), grouped as
   * {@link ThreadGroupCpu#group} groups CPU. Why per thread and not one sum over the live
   * threads: a thread that ends between two readings takes everything it ever allocated out of
   * the second sum, so a block in which an idle pool thread of the JDK {@code HttpClient} timed
   * out (one that had handled the warm-up's responses) read as hundreds of KB per invocation
   * <em>less</em> than nothing, and the blocks' mean swung by 30 % from round to round. Here a
   * thread counts what it allocated between the two readings it appears in (all of it if it
   * started in between); a thread that ended in between loses only what it allocated since the
   * first reading (counted in {@code ended=}: idle pool threads, in practice nothing).
   */
  static final class ThreadAllocation {
    private final com.sun.management.ThreadMXBean threads;
    /** Each thread's name, looked up once (thread ids are never reused within a JVM). */
    private final Map<Long, String> names = new HashMap<>();

    ThreadAllocation(com.sun.management.ThreadMXBean threads) {
      this.threads = threads;
    }

    /** Bytes allocated so far by each live thread, by thread id. */
    Map<Long, Long> read() {
      long[] ids = threads.getAllThreadIds();
      long[] bytes = threads.getThreadAllocatedBytes(ids);
      Map<Long, Long> out = new HashMap<>(ids.length * 2);
      for (int i = 0; i < ids.length; i++) {
        if (bytes[i] >= 0) { // -1: ended after getAllThreadIds, or not supported
          out.put(ids[i], bytes[i]);
        }
      }
      return out;
    }

    /** What each thread of {@code after} allocated since {@code before} (all of it if new). */
    static Map<Long, Long> between(Map<Long, Long> before, Map<Long, Long> after) {
      Map<Long, Long> out = new HashMap<>(after.size() * 2);
      after.forEach((id, bytes) -> out.put(id, bytes - before.getOrDefault(id, 0L)));
      return out;
    }

    /** How many threads of {@code before} ended before {@code after}. */
    static int ended(Map<Long, Long> before, Map<Long, Long> after) {
      return (int) before.keySet().stream().filter(id -> !after.containsKey(id)).count();
    }

    /** Per-thread bytes summed by thread group (every group of a live thread, 0 included). */
    Map<String, Long> byGroup(Map<Long, Long> perThread) {
      Map<String, Long> out = new TreeMap<>();
      perThread.forEach((id, bytes) -> out.merge(ThreadGroupCpu.group(name(id)), bytes,
          Long::sum));
      return out;
    }

    /** A thread's name, as first seen ("?" for a thread that ended before its first look-up). */
    String name(long id) {
      String name = names.get(id);
      if (name == null) {
        java.lang.management.ThreadInfo info = threads.getThreadInfo(id, 0);
        if (info == null) {
          return "?";
        }
        name = info.getThreadName();
        names.put(id, name);
      }
      return name;
    }
  }

  /**
   * One warm-up block of {@code n} invocations after the {@code done} made so far (the first one
   * not counted): prints {@code WARMUP done=… cpu_us=… jit_us=… jit_share=…}, the process's CPU and
   * the JIT compiler threads' per invocation over the block and their share. The benchmark sends
   * these blocks to the JVMs of a round in turns and ends the warm-up when every JVM's last block
   * was quiet ({@link SideBySideAgentBenchmark}): no JVM waits idle for the others between its
   * warm-up and its measured blocks. Returns the invocations made.
   */
  private static int warmUp(ClaimAssistant assistant,
      com.sun.management.OperatingSystemMXBean os, int done, int n) {
    java.lang.management.CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
    Map<String, Long> threads0 = ThreadGroupCpu.read();
    long cpu0 = os.getProcessCpuTime();
    long compile0 = jit == null ? 0 : jit.getTotalCompilationTime();
    for (int i = 0; i < n; i++) {
      invoke(assistant, ++done);
    }
    long cpu = os.getProcessCpuTime() - cpu0;
    Map<String, Long> groups = ThreadGroupCpu.since(threads0);
    // the compiler threads' CPU where /proc has it; else the JVM's compile time (milliseconds)
    long jitNanos = groups.isEmpty()
        ? (jit == null ? 0 : (jit.getTotalCompilationTime() - compile0) * 1_000_000L)
        : groups.getOrDefault("jit", 0L);
    double share = cpu <= 0 ? 0 : (double) jitNanos / cpu;
    System.out.printf(Locale.ROOT, "WARMUP done=%d cpu_us=%.1f jit_us=%.1f jit_share=%.3f%n",
        done, cpu / 1e3 / n, jitNanos / 1e3 / n, share);
    System.out.flush();
    return done;
  }

  /** One invocation: 3 model calls (tool, tool, answer) and 2 tool calls. */
  private static void invoke(ClaimAssistant assistant, int i) {
    String answer = assistant.answer("Claim C-" + i + ": is the windshield covered?"
        + " [tool:lookupPolicy {\"policyId\":\"P-1003\"}]"
        + " [tool:estimateRepair {\"item\":\"windshield\"}]");
    if (answer == null || answer.isEmpty()) {
      throw new IllegalStateException("empty answer at invocation " + i);
    }
  }

  /**
   * The scheduler's view of the process's threads, from Linux's {@code /proc}: the time a thread
   * was runnable but waited for a CPU ({@code schedstat}'s second field, nanoseconds) and its
   * voluntary (it blocked: a lock, a wait, I/O) and involuntary (preempted) context switches
   * ({@code status}). Why: on a 2-core machine an agent's added time per invocation is its added
   * CPU on the application's thread plus whatever makes that thread wait longer — for a CPU
   * (another thread of the process or machine running), or for another thread to wake it — and
   * the CPU figures alone cannot say which.
   */
  static final class ThreadSched {

    private ThreadSched() {}

    /**
     * Per thread ("tid name"): run-queue wait ns, voluntary and involuntary switches; empty where
     * /proc is absent.
     */
    static Map<String, long[]> read() {
      Map<String, long[]> out = new HashMap<>();
      try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc/self/task"))) {
        for (Path task : tasks) {
          try {
            String name = Files.readString(task.resolve("comm")).trim();
            long[] v = of(task);
            out.put(task.getFileName() + " " + name, new long[] {v[1], v[2], v[3]});
          } catch (IOException | RuntimeException e) {
            // the thread ended while being read
          }
        }
      } catch (IOException | RuntimeException e) {
        return Map.of();
      }
      return out;
    }

    /**
     * The calling thread's CPU ns, run-queue wait ns, voluntary and involuntary switches; {@code
     * null} where /proc is absent.
     */
    static long[] self() {
      try {
        return of(Path.of("/proc/thread-self"));
      } catch (IOException | RuntimeException e) {
        return null;
      }
    }

    private static long[] of(Path task) throws IOException {
      String[] stat = Files.readString(task.resolve("schedstat")).trim().split(" ");
      long voluntary = -1;
      long involuntary = -1;
      for (String l : Files.readAllLines(task.resolve("status"))) {
        if (l.startsWith("voluntary_ctxt_switches:")) {
          voluntary = Long.parseLong(l.substring(l.indexOf(':') + 1).trim());
        } else if (l.startsWith("nonvoluntary_ctxt_switches:")) {
          involuntary = Long.parseLong(l.substring(l.indexOf(':') + 1).trim());
        }
      }
      if (voluntary < 0 || involuntary < 0) {
        throw new IOException("no context switch counts in " + task.resolve("status"));
      }
      return new long[] {Long.parseLong(stat[0]), Long.parseLong(stat[1]), voluntary, involuntary};
    }

    /**
     * Summed by thread group ({@link ThreadGroupCpu#group}) between two {@link #read()}s; a thread
     * new in {@code after} counts whole, one gone from it is missing (as for the CPU).
     */
    static Map<String, long[]> between(Map<String, long[]> before, Map<String, long[]> after) {
      Map<String, long[]> groups = new TreeMap<>();
      after.forEach((thread, v) -> {
        long[] b = before.getOrDefault(thread, new long[v.length]);
        long[] sum = groups.computeIfAbsent(
            ThreadGroupCpu.group(thread.substring(thread.indexOf(' ') + 1)), g -> new long[v.length]);
        for (int i = 0; i < v.length; i++) {
          sum[i] += v[i] - b[i];
        }
      });
      return groups;
    }
  }

  /**
   * CPU time of the process's threads by group, from Linux's per-thread {@code schedstat}
   * (nanoseconds on a CPU) and {@code comm} (the thread's name, cut at 15 characters): the JIT's
   * and the GC's threads are native, so {@code ThreadMXBean} does not see them. Threads that ended
   * between two readings are missing from the difference.
   */
  static final class ThreadGroupCpu {

    private ThreadGroupCpu() {}

    /** CPU nanoseconds per thread id ("tid name"), or an empty map where /proc is absent. */
    static Map<String, Long> read() {
      Map<String, Long> cpu = new HashMap<>();
      try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc/self/task"))) {
        for (Path task : tasks) {
          try {
            String name = Files.readString(task.resolve("comm")).trim();
            String first = Files.readString(task.resolve("schedstat")).trim().split(" ")[0];
            cpu.put(task.getFileName() + " " + name, Long.parseLong(first));
          } catch (IOException | RuntimeException e) {
            // the thread ended while being read
          }
        }
      } catch (IOException | RuntimeException e) {
        return Map.of();
      }
      return cpu;
    }

    /** CPU nanoseconds by thread group spent since {@code before} (a {@link #read()}). */
    static Map<String, Long> since(Map<String, Long> before) {
      return between(before, read());
    }

    /** CPU nanoseconds by thread group spent between two {@link #read()}s. */
    static Map<String, Long> between(Map<String, Long> before, Map<String, Long> after) {
      Map<String, Long> groups = new TreeMap<>();
      after.forEach((thread, ns) -> groups.merge(group(thread.substring(thread.indexOf(' ') + 1)),
          ns - before.getOrDefault(thread, 0L), Long::sum));
      return groups;
    }

    /** The group of a thread name: the app's main thread, JIT, GC, JDK HTTP client, agents'. */
    static String group(String name) {
      String n = name.toLowerCase(Locale.ROOT);
      if (n.equals("java") || n.equals("main")) {
        return "app";
      } else if (n.contains("compilerthre") || n.startsWith("c1 ") || n.startsWith("c2 ")) {
        return "jit";
      } else if (n.startsWith("gc ") || n.startsWith("g1 ") || n.startsWith("vm ")) {
        return "gc_vm";
      } else if (n.startsWith("httpclient")) {
        return "jdk_http";
      } else if (n.startsWith("flowcost") || n.startsWith("batchspanproc")
          || n.startsWith("otel") || n.contains("exporter") || n.startsWith("okhttp")) {
        // OkHttp: the application calls the fake through the JDK HttpClient, so OkHttp's threads
        // can only be an agent's exporter's (the OpenTelemetry agent's OTLP sender)
        return "agent_export";
      } else if (n.startsWith("jfr")) {
        return "jfr";
      }
      return "other";
    }
  }
}
