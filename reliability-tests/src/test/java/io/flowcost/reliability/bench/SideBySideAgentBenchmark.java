package io.flowcost.reliability.bench;

import com.sun.net.httpserver.HttpServer;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

/**
 * The side-by-side agent benchmark: the same LangChain4j application ({@link SideBySideAgentMain},
 * 3 model calls and 2 tool calls per invocation against the fake provider in its own process,
 * started with {@code -Dsun.net.httpserver.nodelay=true}) with no agent, with the OpenTelemetry
 * Java agent and with the Flowcost agent, in rounds of one fresh JVM per configuration. A round
 * starts its JVMs one after the other (start-up measured alone), then warms them up and measures
 * them in interleaved blocks (the JVMs take turns, a block each; no JVM waits idle between its
 * warm-up and its measured blocks), so that each agent's figures are compared with the no-agent
 * JVM's measured seconds apart rather than minutes apart. Both agents export OTLP/HTTP protobuf to
 * a local sink per JVM in this process, which counts the spans and bytes it receives; only the
 * application JVM's own CPU is counted (the fake provider and the sinks are other processes).
 *
 * <p>Run by {@code scripts/bench.sh agent}, which builds the jars and the class path and passes:
 * {@code FLOWCOST_AGENT_JAR OTEL_AGENT_JAR WORK_DIR}; system properties {@code bench.rounds}
 * (default 5), {@code bench.warmup} (the least warm-up invocations, default {@value
 * #DEFAULT_WARMUP}), {@code bench.warmup.max} (default {@value #DEFAULT_WARMUP_MAX}; equal to
 * {@code bench.warmup} for a fixed warm-up), {@code bench.warmup.block} (default 1000) and {@code
 * bench.jit.quiet} (default 0.03): between the least and the most, warm-up goes on in turns of
 * blocks until the JIT threads' share of the process's CPU over its block is at most that in every
 * JVM of the round; {@code
 * bench.invocations} (measured, default {@value #DEFAULT_INVOCATIONS}), {@code bench.block}
 * (measured invocations per block, default {@value #DEFAULT_BLOCK}), {@code bench.gc} (the
 * collector's options, default {@value #DEFAULT_GC}; the heap is fixed at 512 MB), {@code
 * bench.jvm.options} (extra options for the application JVMs, space-separated), {@code
 * bench.baseline.agent} (a second Flowcost agent jar, e.g. the build before a change, run as a
 * fourth configuration of the same rounds), {@code bench.baseline.options} (extra options for
 * that fourth configuration only, e.g. one instrumentation unit switched off), {@code bench.java} (the JVM for the application and
 * the fake, default this one's), {@code bench.jfr} (true: a JFR recording, profile settings, of
 * each application JVM in {@code WORK_DIR/round-N-CONFIG/app.jfr}, and one of its measured phase
 * alone, the steady state, in {@code measured.jfr}). Prints a Markdown table of the medians over
 * rounds, then each agent's added amounts from the paired blocks with a 95 % interval and the
 * ratio of Flowcost's to the OpenTelemetry agent's with its interval, then (Linux) the scheduler's
 * view: the application thread's time split into on a CPU, waiting for one and blocked, and each
 * thread group's run-queue wait and context switches. Nothing here asserts a timing.
 */
public final class SideBySideAgentBenchmark {

  /**
   * Defaults: at least 5,000 warm-up invocations, then more in blocks of 1,000 until the JIT
   * threads' share of the process's CPU over a block is at most 3 % in every JVM of the round, or
   * 20,000 in all; then 10,000 measured. Why so long: on this 2-core machine the compiler threads
   * were still the largest CPU item after 1,500 invocations and went quiet only after
   * 14,000–23,000 (loaded machine), and an
   * agent's hot methods reached C2 tens of seconds into a run — a short run measured the JIT's
   * progress more than the steady state, and a 1,500-invocation window was too short for the
   * OpenTelemetry agent's added CPU to stand out of the noise.
   */
  static final int DEFAULT_WARMUP = 5_000;
  static final int DEFAULT_WARMUP_MAX = 20_000;
  static final int DEFAULT_INVOCATIONS = 10_000;
  /**
   * 500 invocations a block (≈ 0.3–0.5 s on a quiet machine): short enough that the load and the
   * CPU's clock barely move between the blocks of one turn, long enough that a block's CPU reading
   * (clock ticks of 10 ms on Linux for the process total) is resolved to a few µs per invocation.
   */
  static final int DEFAULT_BLOCK = 500;
  /**
   * The serial collector by default: on 2 cores G1's concurrent and refinement threads add CPU
   * that varies from JVM to JVM with heap sizing, and an agent's allocation still shows as the
   * young collections it causes (on the VM thread: the {@code gc_vm} group).
   */
  static final String DEFAULT_GC = "-XX:+UseSerialGC";

  /** The three configurations, in the order the first round runs them. */
  enum Config {
    NONE("no agent"), OTEL("OpenTelemetry agent"), FLOWCOST("Flowcost agent"),
    /** Another Flowcost agent jar (an earlier build), only with {@code bench.baseline.agent}. */
    BASELINE("Flowcost baseline");

    final String label;

    Config(String label) {
      this.label = label;
    }
  }

  /**
   * One JVM's figures, all per measured invocation except {@code firstMillis}; {@code threadCpu}:
   * CPU nanoseconds per invocation by thread group (app, jit, gc_vm, jdk_http, agent_export, …),
   * empty where the platform has no per-thread figures; {@code allocBytes}: the bytes its threads
   * allocated, thread by thread ({@link SideBySideAgentMain.ThreadAllocation}), {@code
   * threadAlloc} the same by thread group (app, jdk_http, agent_export, other; Java threads only:
   * the JIT's and the GC's are native and allocate no heap objects); {@code blocks}: the measured
   * blocks in the order they ran, interleaved with the same round's other JVMs' blocks.
   */
  record Run(long firstMillis, long medianNanos, long cpuNanos, long allocBytes, double spans,
      double otlpBytes, Map<String, Long> threadCpu, Map<String, Long> threadAlloc, long warmup,
      List<Block> blocks) {

    /** The process's CPU per invocation less the JIT compiler threads' (all of it without /proc). */
    long cpuWithoutJitNanos() {
      return cpuNanos - threadCpu.getOrDefault("jit", 0L);
    }
  }

  /**
   * One measured block of one JVM, per invocation: the median wall time of its invocations, the
   * process's CPU, the bytes allocated (thread by thread), the CPU and the allocation by thread
   * group, each from the end of the JVM's previous block (see {@link SideBySideAgentMain.Blocks}).
   */
  record Block(long medianNanos, long cpuNanos, long allocBytes, Map<String, Long> threadCpu,
      Map<String, Long> threadAlloc, Map<String, Long> sched) {

    /** A block without the scheduler's figures. */
    Block(long medianNanos, long cpuNanos, long allocBytes, Map<String, Long> threadCpu,
        Map<String, Long> threadAlloc) {
      this(medianNanos, cpuNanos, allocBytes, threadCpu, threadAlloc, Map.of());
    }

    /**
     * The application thread's time per invocation blocked, waiting for another thread (the
     * mean wall time less its CPU and its run-queue wait); {@code NaN} without the figures.
     */
    double selfBlockedNanos() {
      Long mean = sched.get("mean_ns");
      Long cpu = sched.get("self_cpu_ns");
      Long runq = sched.get("self_runq_ns");
      return mean == null || cpu == null || runq == null ? Double.NaN : mean - cpu - runq;
    }

    /** The process's CPU per invocation less the JIT compiler threads'. */
    long cpuWithoutJitNanos() {
      return cpuNanos - threadCpu.getOrDefault("jit", 0L);
    }

    /**
     * Parses a {@code BLOCK n=… median_ns=… cpu_ns=… alloc_bytes=… t.GROUP=… a.GROUP=…} line
     * ({@code t.}: CPU by thread group, {@code a.}: allocation by thread group); the scheduler's
     * figures ({@code mean_ns}, {@code self_…}, {@code q.GROUP}, {@code v.GROUP}, {@code i.GROUP};
     * see {@link SideBySideAgentMain}) go to {@link #sched} under their own names.
     */
    static Block parse(String line) {
      Map<String, Long> f = new java.util.HashMap<>();
      Map<String, Long> groups = new java.util.TreeMap<>();
      Map<String, Long> alloc = new java.util.TreeMap<>();
      Map<String, Long> sched = new java.util.TreeMap<>();
      for (String kv : line.substring("BLOCK ".length()).trim().split(" ")) {
        String key = kv.substring(0, kv.indexOf('='));
        long value = Long.parseLong(kv.substring(kv.indexOf('=') + 1));
        if (key.startsWith("t.")) {
          groups.put(key.substring(2), value);
        } else if (key.startsWith("a.")) {
          alloc.put(key.substring(2), value);
        } else if (key.startsWith("q.") || key.startsWith("v.") || key.startsWith("i.")
            || key.startsWith("self_") || key.equals("mean_ns")) {
          sched.put(key, value);
        } else {
          f.put(key, value);
        }
      }
      return new Block(f.get("median_ns"), f.get("cpu_ns"), f.get("alloc_bytes"),
          Map.copyOf(groups), Map.copyOf(alloc), Map.copyOf(sched));
    }
  }

  /** The thread groups of {@link SideBySideAgentMain.ThreadGroupCpu}, in the table's order. */
  private static final List<String> THREAD_GROUPS =
      List.of("app", "jdk_http", "agent_export", "jit", "gc_vm", "jfr", "other");
  /** The groups allocation is shown by: the Java threads' (JIT, GC and VM threads are native). */
  private static final List<String> ALLOC_GROUPS =
      List.of("app", "jdk_http", "agent_export", "jfr", "other");

  private final Path flowcostAgent;
  private final Path otelAgent;
  private final Path work;
  private final String java;
  private final int warmup = Integer.getInteger("bench.warmup", DEFAULT_WARMUP);
  private final int warmupMax = Math.max(warmup, Integer.getInteger("bench.warmup.max",
      Math.max(warmup, DEFAULT_WARMUP_MAX)));
  private final int warmupBlock = Integer.getInteger("bench.warmup.block", 1000);
  private final String jitQuiet = System.getProperty("bench.jit.quiet", "0.03");
  private final int invocations = Integer.getInteger("bench.invocations", DEFAULT_INVOCATIONS);
  /** Extra options for the application JVMs (space-separated), e.g. -XX:+PrintCompilation. */
  private final List<String> jvmOptions = options(System.getProperty("bench.jvm.options", ""));
  /**
   * Extra options for the baseline column only (space-separated), e.g. a unit switched off
   * ({@code -Dflowcost.instrumentation.executors.enabled=false}) with the same jar as the
   * baseline: what that unit adds, measured in the same rounds as everything else.
   */
  private final List<String> baselineOptions =
      options(System.getProperty("bench.baseline.options", ""));
  private final Path baselineAgent =
      System.getProperty("bench.baseline.agent", "").isEmpty() ? null
          : Path.of(System.getProperty("bench.baseline.agent"));
  private final List<Config> configs = baselineAgent == null
      ? List.of(Config.NONE, Config.OTEL, Config.FLOWCOST) : List.of(Config.values());
  /** Measured invocations per block; the JVMs of a round take turns block by block. */
  private final int blockSize = Math.max(1, Integer.getInteger("bench.block", DEFAULT_BLOCK));
  /**
   * The application JVMs' collector (space-separated options, {@code bench.gc}); with a fixed heap
   * ({@code -Xms} = {@code -Xmx} = 512 MB) so that no JVM resizes its heap in the measured window.
   */
  private final List<String> gcOptions = options(System.getProperty("bench.gc", DEFAULT_GC));

  /** A space-separated list of JVM options as a list, empty entries dropped. */
  private static List<String> options(String spaceSeparated) {
    return Arrays.stream(spaceSeparated.trim().split("\\s+")).filter(o -> !o.isEmpty()).toList();
  }

  private SideBySideAgentBenchmark(Path flowcostAgent, Path otelAgent, Path work) {
    this.flowcostAgent = flowcostAgent;
    this.otelAgent = otelAgent;
    this.work = work;
    this.java = System.getProperty("bench.java",
        Path.of(System.getProperty("java.home"), "bin", "java").toString());
  }

  public static void main(String[] args) throws Exception {
    if (args.length != 3) {
      System.err.println("usage: SideBySideAgentBenchmark FLOWCOST_AGENT_JAR OTEL_AGENT_JAR WORK_DIR");
      System.exit(2);
    }
    new SideBySideAgentBenchmark(Path.of(args[0]), Path.of(args[1]), Path.of(args[2]))
        .run(Integer.getInteger("bench.rounds", 5));
  }

  private void run(int rounds) throws Exception {
    Files.createDirectories(work);
    // a round keeps its application JVMs and fakes alive together: stopping the benchmark (Ctrl-C)
    // must not leave them running
    Runtime.getRuntime().addShutdownHook(new Thread(
        () -> ProcessHandle.current().descendants().forEach(ProcessHandle::destroyForcibly),
        "bench-stop-children"));
    Map<Config, List<Run>> runs = new EnumMap<>(Config.class);
    for (Config c : configs) {
      runs.put(c, new ArrayList<>());
    }
    String jvm = jvmVersion();
    int blocks = (invocations + blockSize - 1) / blockSize;
    System.out.printf("side-by-side agent benchmark: %d rounds; warm-up interleaved (the round's"
        + " JVMs taking turns, a block each): at least %d invocations per JVM, then turns of blocks"
        + " of %d until every JVM's JIT threads' share of the CPU over its block is <= %s (at most"
        + " %d); no JVM waits idle between its warm-up and its measured blocks; %d measured"
        + " invocations per JVM in %d blocks of %d, the round's JVMs taking turns block by block;"
        + " %s, %d CPUs; JVM options -Xms512m -Xmx512m %s%s%n", rounds, warmup, warmupBlock,
        jitQuiet, warmupMax, blocks * blockSize, blocks, blockSize, jvm,
        Runtime.getRuntime().availableProcessors(), String.join(" ", gcOptions),
        jvmOptions.isEmpty() ? "" : " " + String.join(" ", jvmOptions));
    for (int r = 0; r < rounds; r++) {
      Map<Config, Run> round = runRound(r, blocks);
      for (Config c : configs) {
        Run run = round.get(c);
        runs.get(c).add(run);
        System.out.printf(Locale.ROOT, "round %d %-20s first %5d ms  warm-up %6d  median %7.1f"
                + " µs  cpu %7.1f µs  alloc %8.1f KB  spans %.2f  otlp %.0f B%n", r + 1, c.label,
            run.firstMillis(), run.warmup(), run.medianNanos() / 1e3, run.cpuNanos() / 1e3,
            run.allocBytes() / 1e3, run.spans(), run.otlpBytes());
        if (!run.threadCpu().isEmpty()) {
          StringBuilder cpu = new StringBuilder("        cpu by thread (µs):");
          run.threadCpu().forEach((g, ns) -> cpu.append(String.format(Locale.ROOT, " %s %.1f",
              g, ns / 1e3)));
          System.out.println(cpu);
          // the measured phase should be steady: the JIT's CPU block by block shows whether it was
          System.out.println("        jit by measured block (µs): " + run.blocks().stream()
              .map(b -> String.valueOf(Math.round(b.threadCpu().getOrDefault("jit", 0L) / 1e3)))
              .collect(Collectors.joining(" ")));
        }
        StringBuilder alloc = new StringBuilder("        alloc by thread (KB):");
        run.threadAlloc().forEach((g, b) -> alloc.append(String.format(Locale.ROOT, " %s %.2f",
            g, b / 1e3)));
        System.out.println(alloc);
      }
    }
    printTable(runs, jvm);
  }

  /**
   * One round: one fresh JVM per configuration (each with its own fake provider and OTLP sink),
   * started one after the other (the order rotating from round to round, so no configuration
   * always starts first) so that start-up is measured alone; then the warm-up ({@link #warmUp})
   * and the measured blocks, the JVMs taking turns block by block (the order rotating from turn
   * to turn), so that each agent's block is compared with a no-agent block measured seconds
   * before or after it under the same load; then {@code END} to each, and each one's exit (the
   * agents flush their spans at shutdown, and the sink has seen every export once the JVM has
   * exited).
   */
  private Map<Config, Run> runRound(int round, int blocks) throws Exception {
    Map<Config, AppJvm> apps = new EnumMap<>(Config.class);
    try {
      for (int k = 0; k < configs.size(); k++) {
        Config c = configs.get((round + k) % configs.size());
        apps.put(c, start(c, round));
      }
      warmUp(round, apps);
      Map<Config, List<Block>> measured = new EnumMap<>(Config.class);
      for (Config c : configs) {
        measured.put(c, new ArrayList<>());
      }
      for (int b = 0; b < blocks; b++) {
        int n = Math.min(blockSize, invocations - b * blockSize);
        n = n <= 0 ? blockSize : n;
        for (int k = 0; k < configs.size(); k++) {
          Config c = configs.get((round + b + k) % configs.size());
          measured.get(c).add(Block.parse(apps.get(c).ask("BLOCK " + n, "BLOCK ")));
        }
      }
      Map<Config, Run> result = new EnumMap<>(Config.class);
      for (Config c : configs) {
        result.put(c, apps.get(c).finish(measured.get(c)));
      }
      return result;
    } finally {
      for (AppJvm app : apps.values()) {
        app.close();
      }
    }
  }

  /**
   * The round's warm-up, interleaved as the measured blocks are: the JVMs take turns, a block of
   * {@code bench.warmup.block} invocations each (the order rotating from turn to turn), until every
   * JVM has made at least {@code bench.warmup} and every JVM's last block, made wholly after that
   * least, was quiet ({@link #warmedUp}), or {@code bench.warmup.max}; then the measured blocks
   * start at once. Every JVM of a round makes the same number of warm-up invocations.
   *
   * <p>Why interleaved (tenth round): the JVMs used to warm up one after the other and then wait,
   * idle, for the last one to finish, up to 90 s for the first one started. After 60 s idle the
   * JDK {@code HttpClient}'s pool threads time out, and the first measured blocks took paths the
   * warm-up never had (new pool threads, expired connections): dozens of the client's and the
   * selector's tier-4 methods were made not entrant and compiled again, 0.3–1.3 ms of JIT CPU per
   * invocation over the first 2–5 blocks, in the JVMs started first in each round (the order
   * rotates, so in some rounds the agent's and in others the no-agent JVM's).
   */
  private void warmUp(int round, Map<Config, AppJvm> apps) throws Exception {
    int done = 0;
    Map<Config, Double> shares = new EnumMap<>(Config.class);
    for (int turn = 0; done < warmupMax; turn++) {
      int n = Math.min(warmupBlock, warmupMax - done);
      for (int k = 0; k < configs.size(); k++) {
        Config c = configs.get((round + turn + k) % configs.size());
        shares.put(c, WarmupBlock.parse(apps.get(c).ask("WARMUP " + n, "WARMUP ")).jitShare());
      }
      done += n;
      if (warmedUp(done, n, warmup, warmupMax, Double.parseDouble(jitQuiet), shares.values())) {
        break;
      }
    }
    for (Config c : configs) {
      apps.get(c).measure();
    }
  }

  /**
   * Whether a round's warm-up is over after a turn of {@code n} invocations per JVM that brought
   * each to {@code done}: at {@code maximum}, or when the turn's blocks lay wholly after the
   * {@code minimum} and in every JVM the JIT threads' share of the CPU was at most {@code quiet}.
   */
  static boolean warmedUp(int done, int n, int minimum, int maximum, double quiet,
      java.util.Collection<Double> jitShares) {
    return done >= maximum
        || done - n >= minimum && jitShares.stream().allMatch(share -> share <= quiet);
  }

  /** One {@code WARMUP done=… cpu_us=… jit_us=… jit_share=…} answer of the application JVM. */
  record WarmupBlock(int done, double cpuMicros, double jitMicros, double jitShare) {

    static WarmupBlock parse(String line) {
      Map<String, String> f = new java.util.HashMap<>();
      for (String kv : line.substring("WARMUP ".length()).trim().split(" ")) {
        f.put(kv.substring(0, kv.indexOf('=')), kv.substring(kv.indexOf('=') + 1));
      }
      return new WarmupBlock(Integer.parseInt(f.get("done")), Double.parseDouble(f.get("cpu_us")),
          Double.parseDouble(f.get("jit_us")), Double.parseDouble(f.get("jit_share")));
    }
  }

  private AppJvm start(Config config, int round) throws Exception {
    Path dir = work.resolve("round-" + round + "-" + config.name().toLowerCase(Locale.ROOT));
    Files.createDirectories(dir);
    Sink sink = Sink.start();
    Process fake = null;
    try {
      fake = startFake(dir);
      String baseUrl = readBaseUrl(fake, dir.resolve("fake.txt"));
      String sinkUrl = "http://127.0.0.1:" + sink.server.getAddress().getPort();
      List<String> cmd = new ArrayList<>(List.of(java, "-Xms512m", "-Xmx512m"));
      cmd.addAll(gcOptions);
      cmd.addAll(jvmOptions);
      if (Boolean.getBoolean("bench.jfr")) {
        cmd.add("-XX:StartFlightRecording=settings=profile,filename=" + dir.resolve("app.jfr"));
        cmd.add("-Dbench.jfr.measured=" + dir.resolve("measured.jfr"));
      }
      switch (config) {
        case NONE -> { }
        case OTEL -> cmd.addAll(List.of("-javaagent:" + otelAgent,
            "-Dotel.service.name=bench", "-Dotel.traces.exporter=otlp",
            "-Dotel.exporter.otlp.protocol=http/protobuf",
            "-Dotel.exporter.otlp.endpoint=" + sinkUrl,
            "-Dotel.metrics.exporter=none", "-Dotel.logs.exporter=none"));
        case FLOWCOST -> cmd.addAll(List.of("-javaagent:" + flowcostAgent,
            "-Dflowcost.service=bench", "-Dflowcost.endpoint=" + sinkUrl,
            "-Dflowcost.spool.dir=" + dir.resolve("spool")));
        case BASELINE -> {
          cmd.addAll(List.of("-javaagent:" + baselineAgent,
              "-Dflowcost.service=bench", "-Dflowcost.endpoint=" + sinkUrl,
              "-Dflowcost.spool.dir=" + dir.resolve("spool")));
          cmd.addAll(baselineOptions);
        }
      }
      cmd.addAll(List.of("-cp", System.getProperty("java.class.path"),
          SideBySideAgentMain.class.getName(), baseUrl));
      cmd.add(String.valueOf(System.currentTimeMillis()));
      Process app = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      AppJvm jvm = new AppJvm(config, app, fake, sink, dir.resolve("app.txt"));
      jvm.awaitStarted();
      return jvm;
    } catch (Exception | Error e) {
      if (fake != null) {
        fake.destroy();
      }
      sink.server.stop(0);
      throw e;
    }
  }

  /**
   * A running application JVM of a round, with its fake provider and sink: its output goes line by
   * line to {@code app.txt} and to a queue the benchmark reads its answers from.
   */
  private final class AppJvm implements AutoCloseable {
    private final Config config;
    private final Process app;
    private final Process fake;
    private final Sink sink;
    private final Path out;
    private final java.io.Writer commands;
    private final java.util.concurrent.BlockingQueue<String> lines =
        new java.util.concurrent.LinkedBlockingQueue<>();
    private final Thread reader;
    private long firstMillis;
    private long warmedUp;

    AppJvm(Config config, Process app, Process fake, Sink sink, Path out) throws IOException {
      this.config = config;
      this.app = app;
      this.fake = fake;
      this.sink = sink;
      this.out = out;
      this.commands = new java.io.OutputStreamWriter(app.getOutputStream(), StandardCharsets.UTF_8);
      java.io.Writer log = Files.newBufferedWriter(out, StandardCharsets.UTF_8);
      this.reader = new Thread(() -> {
        try (log; java.io.BufferedReader in = new java.io.BufferedReader(
            new java.io.InputStreamReader(app.getInputStream(), StandardCharsets.UTF_8))) {
          for (String line; (line = in.readLine()) != null; ) {
            log.write(line);
            log.write('\n');
            log.flush();
            lines.add(line);
          }
        } catch (IOException e) {
          lines.add("EXCEPTION reading the output: " + e);
        }
        lines.add("EOF");
      }, "bench-" + config.name().toLowerCase(Locale.ROOT) + "-output");
      reader.setDaemon(true);
      reader.start();
    }

    void awaitStarted() throws Exception {
      String started = await("STARTED ", TimeUnit.MINUTES.toNanos(5));
      firstMillis = fields(started.substring(8)).get("first_ms");
    }

    /** Ends the warm-up: the JVM answers {@code READY … warmup=N} and waits for its blocks. */
    void measure() throws Exception {
      warmedUp = fields(ask("MEASURE", "READY ").substring(6)).get("warmup");
    }

    /** Sends one command and returns the answer line starting with {@code prefix}. */
    String ask(String command, String prefix) throws Exception {
      commands.write(command);
      commands.write('\n');
      commands.flush();
      return await(prefix, TimeUnit.MINUTES.toNanos(10));
    }

    private String await(String prefix, long timeoutNanos) throws Exception {
      long deadline = System.nanoTime() + timeoutNanos;
      while (true) {
        String line = lines.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        if (line == null) {
          throw new IllegalStateException(config.label + ": no " + prefix.trim() + " in time, see "
              + out);
        } else if (line.startsWith(prefix)) {
          return line;
        } else if (line.equals("EOF")) {
          app.waitFor(10, TimeUnit.SECONDS);
          throw new IllegalStateException(config.label + ": exited ("
              + (app.isAlive() ? "?" : app.exitValue()) + ") before " + prefix.trim() + ":\n"
              + Files.readString(out, StandardCharsets.UTF_8));
        }
      }
    }

    Run finish(List<Block> blocks) throws Exception {
      String result = ask("END", "RESULT ");
      String threadsLine = null;
      String allocLine = null;
      commands.close();
      if (!app.waitFor(2, TimeUnit.MINUTES)) {
        throw new IllegalStateException(config.label + ": did not exit after END, see " + out);
      }
      reader.join(TimeUnit.SECONDS.toMillis(30));
      for (String line : lines) {
        if (line.startsWith("THREADS ")) {
          threadsLine = line;
        } else if (line.startsWith("ALLOC ")) {
          allocLine = line;
        }
      }
      if (app.exitValue() != 0) {
        throw new IllegalStateException(config.label + ": exit " + app.exitValue() + "\n"
            + Files.readString(out, StandardCharsets.UTF_8));
      }
      Map<String, Long> f = fields(result.substring(7));
      Map<String, Long> threadCpu = threadsLine == null ? Map.of()
          : new java.util.TreeMap<>(fields(threadsLine.substring(8)));
      Map<String, Long> threadAlloc = allocLine == null ? Map.of()
          : new java.util.TreeMap<>(fields(allocLine.substring(6)));
      double all = f.get("invocations");
      return new Run(firstMillis, f.get("median_ns"), f.get("cpu_ns"), f.get("alloc_bytes"),
          sink.spans.get() / all, sink.bytes.get() / all, threadCpu, threadAlloc, warmedUp,
          List.copyOf(blocks));
    }

    @Override
    public void close() throws InterruptedException {
      if (app.isAlive()) {
        app.destroyForcibly();
        app.waitFor(10, TimeUnit.SECONDS);
      }
      fake.destroy();
      fake.waitFor(10, TimeUnit.SECONDS);
      sink.server.stop(0);
    }
  }

  private static Map<String, Long> fields(String text) {
    Map<String, Long> f = new java.util.HashMap<>();
    for (String kv : text.trim().split(" ")) {
      f.put(kv.substring(0, kv.indexOf('=')), Long.parseLong(kv.substring(kv.indexOf('=') + 1)));
    }
    return f;
  }

  private Process startFake(Path dir) throws IOException {
    return new ProcessBuilder(java, "-Xmx256m", "-Dsun.net.httpserver.nodelay=true", "-cp",
        System.getProperty("java.class.path"),
        "io.flowcost.examples.fakeprovider.FakeProvider")
        .redirectErrorStream(true).redirectOutput(dir.resolve("fake.txt").toFile()).start();
  }

  private static String readBaseUrl(Process fake, Path out) throws Exception {
    String prefix = "fake-provider listening on ";
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline) {
      if (Files.exists(out)) {
        for (String line : Files.readAllLines(out, StandardCharsets.UTF_8)) {
          if (line.startsWith(prefix)) {
            return line.substring(prefix.length()).trim();
          }
        }
      }
      if (!fake.isAlive()) {
        throw new IllegalStateException("fake provider exited: " + Files.readString(out));
      }
      Thread.sleep(20);
    }
    throw new IllegalStateException("fake provider did not start in 30 s");
  }

  /**
   * An OTLP/HTTP protobuf sink: counts the spans and request bytes of every export. One per
   * application JVM, since a round's JVMs run at the same time.
   */
  private record Sink(HttpServer server, AtomicLong spans, AtomicLong bytes) {

    static Sink start() throws IOException {
      HttpServer server =
          HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
      Sink sink = new Sink(server, new AtomicLong(), new AtomicLong());
      server.createContext("/", http -> {
        try (http; InputStream in = http.getRequestBody()) {
          byte[] body = in.readAllBytes();
          if (http.getRequestURI().getPath().endsWith("/v1/traces")) {
            sink.bytes.addAndGet(body.length);
            int spans = 0;
            for (ResourceSpans rs
                : ExportTraceServiceRequest.parseFrom(body).getResourceSpansList()) {
              for (ScopeSpans ss : rs.getScopeSpansList()) {
                spans += ss.getSpansCount();
              }
            }
            sink.spans.addAndGet(spans);
            http.getResponseHeaders().set("Content-Type", "application/x-protobuf");
            http.sendResponseHeaders(200, -1);
          } else {
            http.sendResponseHeaders(404, -1);
          }
        }
      });
      server.start();
      return sink;
    }
  }

  private String jvmVersion() throws Exception {
    Process p = new ProcessBuilder(java, "-XshowSettings:properties", "-version")
        .redirectErrorStream(true).start();
    String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    p.waitFor(30, TimeUnit.SECONDS);
    String vendor = property(text, "java.vm.vendor");
    return "Java " + property(text, "java.runtime.version") + (vendor.isEmpty() ? "" : " (" + vendor + ")");
  }

  private static String property(String settings, String name) {
    return settings.lines().map(String::trim).filter(l -> l.startsWith(name + " = ")).findFirst()
        .map(l -> l.substring(name.length() + 3)).orElse("");
  }

  // ------------------------------------------------------------------------------- the table

  private void printTable(Map<Config, List<Run>> runs, String jvm) {
    boolean baseline = runs.containsKey(Config.BASELINE);
    int rounds = runs.get(Config.NONE).size();
    System.out.println();
    System.out.printf("Per invocation, median over %d interleaved rounds (%s):%n%n", rounds, jvm);
    System.out.println("| per invocation | no agent | OpenTelemetry agent | Flowcost agent |"
        + (baseline ? " Flowcost baseline |" : "") + " Flowcost added / OTel added |"
        + (baseline ? " baseline added / OTel added |" : ""));
    System.out.println(baseline ? "|---|---|---|---|---|---|---|" : "|---|---|---|---|---|");
    row(runs, "median time", Run::medianNanos, 1e3, "%.0f µs");
    row(runs, "CPU (process, all threads)", Run::cpuNanos, 1e3, "%.0f µs");
    boolean perThread = runs.values().stream()
        .allMatch(l -> l.stream().noneMatch(r -> r.threadCpu().isEmpty()));
    if (perThread) {
      row(runs, "CPU without the JIT threads", Run::cpuWithoutJitNanos, 1e3, "%.0f µs");
    }
    for (String group : THREAD_GROUPS) {
      // a group a JVM has no thread of (no agent: no export thread) counts as 0
      if (perThread && runs.values().stream().anyMatch(l -> l.stream().anyMatch(
              r -> r.threadCpu().containsKey(group)))) {
        row(runs, "CPU of threads: " + group, r -> r.threadCpu().getOrDefault(group, 0L), 1e3,
            "%.0f µs");
      }
    }
    row(runs, "allocation (all threads)", Run::allocBytes, 1e3, "%.1f KB");
    for (String group : ALLOC_GROUPS) {
      if (runs.values().stream().anyMatch(l -> l.stream().anyMatch(
          r -> r.threadAlloc().containsKey(group)))) {
        row(runs, "allocation of threads: " + group,
            r -> r.threadAlloc().getOrDefault(group, 0L), 1e3, "%.2f KB");
      }
    }
    row(runs, "start-up to first invocation", Run::firstMillis, 1, "%.0f ms");
    String extra = baseline ? " | " : "";
    System.out.printf(Locale.ROOT, "| spans recorded | — | %.2f | %.2f |%s%s |%s%n",
        median(runs.get(Config.OTEL), Run::spans), median(runs.get(Config.FLOWCOST), Run::spans),
        baseline ? String.format(Locale.ROOT, " %.2f |", median(runs.get(Config.BASELINE),
            Run::spans)) : "", "", extra);
    System.out.printf(Locale.ROOT, "| OTLP bytes exported | — | %.0f B | %.0f B |%s%s |%s%n",
        median(runs.get(Config.OTEL), Run::otlpBytes),
        median(runs.get(Config.FLOWCOST), Run::otlpBytes),
        baseline ? String.format(Locale.ROOT, " %.0f B |", median(runs.get(Config.BASELINE),
            Run::otlpBytes)) : "", "", extra);
    System.out.println();
    System.out.println("Added amounts are per round (agent minus the same round's no-agent JVM),"
        + " then the median over rounds; the ratio is the ratio of those medians (n/r: not"
        + " resolved, the OpenTelemetry agent's 95 % interval over the rounds includes 0)."
        + " Targets: time, CPU, allocation ≤ 0.50; start-up ≤ 0.33.");
    printSpread(runs, perThread);
  }

  /**
   * Each agent's added amounts from paired blocks: every block of an agent's JVM minus the no-agent
   * JVM's block of the same turn (measured within seconds of it, under the same load), averaged
   * over a round's blocks, then over the rounds. The 95 % interval is between rounds (Student's t
   * over the rounds' means, which includes how much one JVM's steady state differs from the next:
   * JIT decisions, code layout) with 3 rounds or more, else within the round(s) (over the blocks
   * pooled, which does not). The ratio's interval is the delta method's over the same units, with
   * the correlation of the two agents' differences (both less the same no-agent block) kept. A
   * ratio whose OpenTelemetry divisor is not told apart from zero is printed as "not resolved".
   * Last, how much the no-agent JVM itself varies between rounds against within one JVM between
   * blocks: where the noise the pairing removes comes from.
   */
  private void printSpread(Map<Config, List<Run>> runs, boolean perThread) {
    List<Config> agents = configs.stream().filter(c -> c != Config.NONE).toList();
    int rounds = runs.get(Config.NONE).size();
    boolean betweenRounds = rounds >= 3;
    System.out.println();
    System.out.printf("Added per invocation, paired blocks (an agent's block minus the no-agent"
        + " block of the same turn): mean over %d round(s) [range of the rounds' means] ± 95 %%"
        + " interval %s:%n%n", rounds, betweenRounds ? "between rounds (t over the rounds' means)"
        : "within the rounds (t over the blocks; fewer than 3 rounds, so JVM-to-JVM differences"
        + " are not in it)");
    StringBuilder head = new StringBuilder("| added | ");
    for (Config c : agents) {
      head.append(c.label).append(" | ");
    }
    head.append("Flowcost ÷ OTel ± 95 % |");
    System.out.println(head);
    System.out.println("|---|" + "---|".repeat(agents.size() + 1));
    pairedRow(runs, agents, betweenRounds, "median time", Block::medianNanos, 1e3, "µs");
    pairedRow(runs, agents, betweenRounds, "CPU (process)", Block::cpuNanos, 1e3, "µs");
    if (perThread) {
      pairedRow(runs, agents, betweenRounds, "CPU without JIT", Block::cpuWithoutJitNanos, 1e3,
          "µs");
      for (String group : THREAD_GROUPS) {
        if (runs.values().stream().anyMatch(l -> l.stream().anyMatch(
            r -> r.threadCpu().containsKey(group)))) {
          pairedRow(runs, agents, betweenRounds, "CPU of threads: " + group,
              b -> b.threadCpu().getOrDefault(group, 0L), 1e3, "µs");
        }
      }
    }
    pairedRow(runs, agents, betweenRounds, "allocation", Block::allocBytes, 1e3, "KB");
    for (String group : ALLOC_GROUPS) {
      if (runs.values().stream().anyMatch(l -> l.stream().anyMatch(
          r -> r.threadAlloc().containsKey(group)))) {
        pairedRow(runs, agents, betweenRounds, "allocation of threads: " + group,
            b -> b.threadAlloc().getOrDefault(group, 0L), 1e3, "KB");
      }
    }
    printScheduling(runs, agents, betweenRounds);
    System.out.println();
    noise("no-agent", runs.get(Config.NONE), "median time", Block::medianNanos, "µs");
    noise("no-agent", runs.get(Config.NONE), "CPU (process)", Block::cpuNanos, "µs");
    if (perThread) {
      noise("no-agent", runs.get(Config.NONE), "CPU without JIT", Block::cpuWithoutJitNanos, "µs");
    }
    // allocation is counted thread by thread, so it should not drift: every configuration's
    // rounds, to show that they agree
    for (Config c : configs) {
      noise(c.label, runs.get(c), "allocation", Block::allocBytes, "KB");
    }
    System.out.println();
    for (Config c : configs) {
      System.out.printf(Locale.ROOT, "warm-up invocations, %s: %s%n", c.label,
          runs.get(c).stream().map(r -> String.valueOf(r.warmup())).toList());
    }
    if (perThread) {
      double quiet = Double.parseDouble(jitQuiet);
      for (Config c : configs) {
        List<Block> all = runs.get(c).stream().flatMap(r -> r.blocks().stream()).toList();
        System.out.printf(Locale.ROOT, "measured blocks whose JIT share of the CPU was above %s,"
                + " %s: %d of %d (JIT CPU per invocation: mean %.1f µs, largest block %.1f µs)%n",
            jitQuiet, c.label, unsteadyBlocks(all, quiet), all.size(),
            all.stream().mapToLong(b -> b.threadCpu().getOrDefault("jit", 0L)).average()
                .orElse(Double.NaN) / 1e3,
            all.stream().mapToLong(b -> b.threadCpu().getOrDefault("jit", 0L)).max().orElse(0)
                / 1e3);
      }
    }
  }

  /**
   * How many of these blocks were not steady: the JIT compiler threads' share of the block's process
   * CPU above {@code quiet} (the warm-up's criterion).
   */
  static long unsteadyBlocks(List<Block> blocks, double quiet) {
    return blocks.stream().filter(b -> b.cpuNanos() > 0
        && b.threadCpu().getOrDefault("jit", 0L) > quiet * b.cpuNanos()).count();
  }

  /**
   * The scheduler's view (Linux), where each JVM's blocks have it: the application thread's time
   * per invocation split into on a CPU, runnable but waiting for a CPU, and blocked (waiting for
   * another thread: the HTTP client's, the fake's answer), and each thread group's run-queue
   * wait and voluntary and involuntary context switches per invocation. Each configuration's
   * mean over its blocks, then each agent's paired added amount as in the table above.
   */
  private void printScheduling(Map<Config, List<Run>> runs, List<Config> agents,
      boolean betweenRounds) {
    boolean have = runs.values().stream().allMatch(l -> l.stream().allMatch(
        r -> r.blocks().stream().allMatch(b -> b.sched().containsKey("self_cpu_ns"))));
    if (!have) {
      return;
    }
    System.out.println();
    System.out.println("Scheduling per invocation (Linux /proc: schedstat, status): each JVM's mean"
        + " over its blocks and rounds; added: paired blocks as above, ± 95 % interval");
    System.out.println();
    StringBuilder head = new StringBuilder("| per invocation | no agent | ");
    for (Config c : agents) {
      head.append(c.label).append(" | added | ");
    }
    System.out.println(head);
    System.out.println("|---|---|" + "---|---|".repeat(agents.size()));
    schedRow(runs, agents, betweenRounds, "app thread: mean time", b -> b.sched().get("mean_ns"),
        1e3, "µs", 1);
    schedRow(runs, agents, betweenRounds, "app thread: on a CPU",
        b -> b.sched().get("self_cpu_ns"), 1e3, "µs", 1);
    schedRow(runs, agents, betweenRounds, "app thread: runnable, waiting for a CPU",
        b -> b.sched().get("self_runq_ns"), 1e3, "µs", 1);
    schedRow(runs, agents, betweenRounds, "app thread: blocked (waiting for another thread)",
        Block::selfBlockedNanos, 1e3, "µs", 1);
    schedRow(runs, agents, betweenRounds, "app thread: voluntary switches",
        b -> b.sched().get("self_vcsw_milli"), 1e3, "", 3);
    schedRow(runs, agents, betweenRounds, "app thread: involuntary switches",
        b -> b.sched().get("self_icsw_milli"), 1e3, "", 3);
    for (String group : THREAD_GROUPS) {
      if (runs.values().stream().noneMatch(l -> l.stream().anyMatch(r -> r.blocks().stream()
          .anyMatch(b -> b.sched().containsKey("v." + group))))) {
        continue;
      }
      schedRow(runs, agents, betweenRounds, "run-queue wait of threads: " + group,
          b -> b.sched().getOrDefault("q." + group, 0L), 1e3, "µs", 1);
      schedRow(runs, agents, betweenRounds, "voluntary switches of threads: " + group,
          b -> b.sched().getOrDefault("v." + group, 0L), 1e3, "", 3);
      schedRow(runs, agents, betweenRounds, "involuntary switches of threads: " + group,
          b -> b.sched().getOrDefault("i." + group, 0L), 1e3, "", 3);
    }
  }

  private void schedRow(Map<Config, List<Run>> runs, List<Config> agents, boolean betweenRounds,
      String name, java.util.function.ToDoubleFunction<Block> f, double unit, String suffix,
      int decimals) {
    String number = "%." + decimals + "f";
    String unitSuffix = suffix.isEmpty() ? "" : " " + suffix;
    StringBuilder line = new StringBuilder("| " + name + " | ")
        .append(String.format(Locale.ROOT, number, blockMean(runs.get(Config.NONE), f) / unit))
        .append(unitSuffix).append(" | ");
    for (Config c : agents) {
      Paired p = Paired.of(runs.get(Config.NONE), runs.get(c), f);
      line.append(String.format(Locale.ROOT, number, blockMean(runs.get(c), f) / unit))
          .append(unitSuffix).append(" | ")
          .append(String.format(Locale.ROOT, "%+." + decimals + "f ± " + number,
              p.mean() / unit, p.halfWidth(betweenRounds) / unit)).append(" | ");
    }
    System.out.println(line);
  }

  /** The mean of {@code f} over all of a configuration's blocks, every round. */
  private static double blockMean(List<Run> runs, java.util.function.ToDoubleFunction<Block> f) {
    return runs.stream().flatMap(r -> r.blocks().stream()).mapToDouble(f).average()
        .orElse(Double.NaN);
  }

  private void pairedRow(Map<Config, List<Run>> runs, List<Config> agents, boolean betweenRounds,
      String name, java.util.function.ToDoubleFunction<Block> f, double unit, String suffix) {
    StringBuilder line = new StringBuilder("| " + name + " | ");
    for (Config c : agents) {
      Paired p = Paired.of(runs.get(Config.NONE), runs.get(c), f);
      line.append(String.format(Locale.ROOT, "%+.1f %s [%+.1f … %+.1f] ± %.1f", p.mean() / unit,
          suffix, p.minRound() / unit, p.maxRound() / unit, p.halfWidth(betweenRounds) / unit))
          .append(" | ");
    }
    Paired otel = Paired.of(runs.get(Config.NONE), runs.get(Config.OTEL), f);
    Paired flowcost = Paired.of(runs.get(Config.NONE), runs.get(Config.FLOWCOST), f);
    if (otel.resolved(betweenRounds)) {
      double[] ratio = Paired.ratio(flowcost, otel, betweenRounds);
      line.append(String.format(Locale.ROOT, "%.2f× ± %.2f", ratio[0], ratio[1]));
    } else {
      line.append("not resolved (OTel's interval includes 0)");
    }
    System.out.println(line.append(" |"));
  }

  /**
   * A configuration's spread ({@code who}: the no-agent JVM's, for the times): between its rounds'
   * means, and between blocks within a JVM; {@code unit} µs (from ns) or KB (from bytes), both
   * / 1e3.
   */
  private static void noise(String who, List<Run> none, String name,
      java.util.function.ToDoubleFunction<Block> f, String unit) {
    double[] means = new double[none.size()];
    double within = 0;
    int dof = 0;
    for (int r = 0; r < means.length; r++) {
      double[] v = none.get(r).blocks().stream().mapToDouble(f).toArray();
      means[r] = Arrays.stream(v).average().orElse(Double.NaN);
      for (double x : v) {
        within += (x - means[r]) * (x - means[r]);
      }
      dof += v.length - 1;
    }
    double betweenSd = Paired.sd(means);
    System.out.printf(Locale.ROOT, "%s JVM, %s: rounds' means %s %s (sd %.1f); within a"
            + " JVM, sd of a block %.1f %s%n", who, name,
        Arrays.stream(means).mapToObj(m -> String.format(Locale.ROOT, "%.1f", m / 1e3)).toList(),
        unit, betweenSd / 1e3, dof > 0 ? Math.sqrt(within / dof) / 1e3 : Double.NaN, unit);
  }

  /**
   * One agent's paired block differences, by round: {@code diffs[r][b]} is the agent's block b of
   * round r minus the no-agent JVM's block b of that round.
   */
  record Paired(double[][] diffs) {

    static Paired of(List<Run> none, List<Run> agent,
        java.util.function.ToDoubleFunction<Block> f) {
      double[][] d = new double[none.size()][];
      for (int r = 0; r < d.length; r++) {
        List<Block> a = agent.get(r).blocks();
        List<Block> n = none.get(r).blocks();
        d[r] = new double[Math.min(a.size(), n.size())];
        for (int b = 0; b < d[r].length; b++) {
          d[r][b] = f.applyAsDouble(a.get(b)) - f.applyAsDouble(n.get(b));
        }
      }
      return new Paired(d);
    }

    double[] roundMeans() {
      return Arrays.stream(diffs).mapToDouble(v -> Arrays.stream(v).average().orElse(Double.NaN))
          .toArray();
    }

    double[] blocks() {
      return Arrays.stream(diffs).flatMapToDouble(Arrays::stream).toArray();
    }

    /** The units the interval is over: the rounds' means, or all blocks pooled. */
    double[] units(boolean betweenRounds) {
      return betweenRounds ? roundMeans() : blocks();
    }

    double mean() {
      return Arrays.stream(roundMeans()).average().orElse(Double.NaN);
    }

    double minRound() {
      return Arrays.stream(roundMeans()).min().orElse(Double.NaN);
    }

    double maxRound() {
      return Arrays.stream(roundMeans()).max().orElse(Double.NaN);
    }

    double halfWidth(boolean betweenRounds) {
      double[] u = units(betweenRounds);
      return u.length < 2 ? Double.NaN : t95(u.length - 1) * sd(u) / Math.sqrt(u.length);
    }

    boolean resolved(boolean betweenRounds) {
      double h = halfWidth(betweenRounds);
      return !Double.isNaN(h) && Math.abs(mean()) > h;
    }

    /**
     * {@code mean(a) / mean(b)} and the half-width of its 95 % interval by the delta method over
     * paired units (the same rounds or blocks), keeping their covariance.
     */
    static double[] ratio(Paired a, Paired b, boolean betweenRounds) {
      double[] x = a.units(betweenRounds);
      double[] y = b.units(betweenRounds);
      int n = Math.min(x.length, y.length);
      double mx = Arrays.stream(x, 0, n).average().orElse(Double.NaN);
      double my = Arrays.stream(y, 0, n).average().orElse(Double.NaN);
      double r = mx / my;
      double sxx = 0;
      double syy = 0;
      double sxy = 0;
      for (int i = 0; i < n; i++) {
        sxx += (x[i] - mx) * (x[i] - mx);
        syy += (y[i] - my) * (y[i] - my);
        sxy += (x[i] - mx) * (y[i] - my);
      }
      double var = (sxx - 2 * r * sxy + r * r * syy) / (n - 1) / n / (my * my);
      return new double[] {r, n < 2 ? Double.NaN : t95(n - 1) * Math.sqrt(Math.max(0, var))};
    }

    static double sd(double[] v) {
      if (v.length < 2) {
        return Double.NaN;
      }
      double m = Arrays.stream(v).average().orElse(Double.NaN);
      double ss = 0;
      for (double x : v) {
        ss += (x - m) * (x - m);
      }
      return Math.sqrt(ss / (v.length - 1));
    }
  }

  /** Two-sided 95 % Student's t quantile for {@code dof} degrees of freedom. */
  static double t95(int dof) {
    double[] t = {12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
        2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
        2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042};
    // beyond the table, the quantile at the interval's lower end (slightly wide, never narrow)
    return dof <= t.length ? t[dof - 1] : dof <= 60 ? 2.042 : dof <= 120 ? 2.000 : 1.980;
  }

  private static double[] added(List<Run> none, List<Run> agent,
      java.util.function.ToDoubleFunction<Run> f) {
    double[] added = new double[none.size()];
    for (int i = 0; i < added.length; i++) {
      added[i] = f.applyAsDouble(agent.get(i)) - f.applyAsDouble(none.get(i));
    }
    return added;
  }

  /** Median, range, mean and half-width of the mean's 95 % interval of some per-round values. */
  record Spread(double median, double min, double max, double mean, double halfWidth) {

    static Spread of(double[] values, double unit) {
      double[] v = values.clone();
      Arrays.sort(v);
      int n = v.length;
      double mean = Arrays.stream(v).average().orElse(Double.NaN);
      double half = Double.NaN;
      if (n > 1) {
        double ss = 0;
        for (double x : v) {
          ss += (x - mean) * (x - mean);
        }
        half = t95(n - 1) * Math.sqrt(ss / (n - 1)) / Math.sqrt(n);
      }
      return new Spread(SideBySideAgentBenchmark.median(v) / unit, v[0] / unit, v[n - 1] / unit, mean / unit, half / unit);
    }

    /** True when the mean's interval excludes zero (with one round: never). */
    boolean resolved() {
      return !Double.isNaN(halfWidth) && Math.abs(mean) > halfWidth;
    }

    String format(String suffix) {
      return String.format(Locale.ROOT, "%+.1f %s [%+.1f … %+.1f], %+.1f ± %s", median, suffix,
          min, max, mean, Double.isNaN(halfWidth) ? "?"
              : String.format(Locale.ROOT, "%.1f", halfWidth));
    }
  }

  private static void row(Map<Config, List<Run>> runs, String name,
      java.util.function.ToDoubleFunction<Run> f, double unit, String format) {
    List<Run> none = runs.get(Config.NONE);
    double base = median(none, f);
    double otelAdded = medianAdded(none, runs.get(Config.OTEL), f);
    double flowcostAdded = medianAdded(none, runs.get(Config.FLOWCOST), f);
    String signed = format.replace("%", "%+");
    StringBuilder line = new StringBuilder(String.format(Locale.ROOT,
        "| %s | " + format + " | " + signed + " | " + signed + " |", name, base / unit,
        otelAdded / unit, flowcostAdded / unit));
    Double baselineAdded = runs.containsKey(Config.BASELINE)
        ? medianAdded(none, runs.get(Config.BASELINE), f) : null;
    if (baselineAdded != null) {
      line.append(String.format(Locale.ROOT, " " + signed + " |", baselineAdded / unit));
    }
    // a ratio to an added amount not told apart from zero over the rounds is no figure at all
    boolean otelResolved = Spread.of(added(none, runs.get(Config.OTEL), f), 1).resolved();
    line.append(otelResolved
        ? String.format(Locale.ROOT, " %.2f× |", flowcostAdded / otelAdded) : " n/r |");
    if (baselineAdded != null) {
      line.append(otelResolved
          ? String.format(Locale.ROOT, " %.2f× |", baselineAdded / otelAdded) : " n/r |");
    }
    System.out.println(line);
  }

  private static double medianAdded(List<Run> none, List<Run> agent,
      java.util.function.ToDoubleFunction<Run> f) {
    return median(added(none, agent, f));
  }

  private static double median(List<Run> runs, java.util.function.ToDoubleFunction<Run> f) {
    return median(runs.stream().mapToDouble(f).toArray());
  }

  private static double median(double[] values) {
    double[] v = values.clone();
    Arrays.sort(v);
    int n = v.length;
    return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
  }
}
