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

/**
 * The side-by-side agent benchmark: the same LangChain4j application ({@link SideBySideAgentMain},
 * 3 model calls and 2 tool calls per invocation against the fake provider in its own process,
 * started with {@code -Dsun.net.httpserver.nodelay=true}) with no agent, with the OpenTelemetry
 * Java agent and with the Flowcost agent, in interleaved rounds (one fresh JVM per configuration
 * per round, the order rotating from round to round). Both agents export OTLP/HTTP protobuf to a
 * local sink in this process, which counts the spans and bytes it receives.
 *
 * <p>Run by {@code scripts/bench.sh agent}, which builds the jars and the class path and passes:
 * {@code FLOWCOST_AGENT_JAR OTEL_AGENT_JAR WORK_DIR}; system properties {@code bench.rounds}
 * (default 5), {@code bench.warmup} (the least warm-up invocations, default {@value
 * #DEFAULT_WARMUP}), {@code bench.warmup.max} (default {@value #DEFAULT_WARMUP_MAX}; equal to
 * {@code bench.warmup} for a fixed warm-up), {@code bench.warmup.block} (default 1000) and {@code
 * bench.jit.quiet} (default 0.03): between the least and the most, warm-up goes on in blocks until
 * the JIT threads' share of the process's CPU over a block is at most that; {@code
 * bench.invocations} (measured, default {@value #DEFAULT_INVOCATIONS}), {@code bench.jvm.options}
 * (extra options for the application JVMs, space-separated), {@code bench.baseline.agent} (a second Flowcost agent jar, e.g. the build before
 * a change, run as a fourth configuration of the same rounds), {@code bench.java} (the JVM for the application and the fake, default this
 * one's), {@code bench.jfr} (true: a JFR recording, profile settings, of each application JVM in
 * {@code WORK_DIR/round-N-CONFIG/app.jfr}, and one of its measured invocations alone, the steady
 * state, in {@code measured.jfr}). Prints a Markdown table of the medians over rounds and the ratios of Flowcost's added
 * cost to the OpenTelemetry agent's, then each agent's per-round added amounts with their spread
 * and a 95 % interval of their mean. Nothing here asserts a timing.
 */
public final class SideBySideAgentBenchmark {

  /**
   * Defaults: at least 5,000 warm-up invocations, then more in blocks of 1,000 until the JIT
   * threads' share of the process's CPU over a block is at most 3 % or 20,000 in all; then 10,000
   * measured. Why so long: on this 2-core machine the compiler threads were still the largest CPU
   * item after 1,500 invocations and went quiet only after 14,000–23,000 (loaded machine), and an
   * agent's hot methods reached C2 tens of seconds into a run — a short run measured the JIT's
   * progress more than the steady state, and a 1,500-invocation window was too short for the
   * OpenTelemetry agent's added CPU to stand out of the noise.
   */
  static final int DEFAULT_WARMUP = 5_000;
  static final int DEFAULT_WARMUP_MAX = 20_000;
  static final int DEFAULT_INVOCATIONS = 10_000;

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
   * One JVM's figures, all per invocation except {@code firstMillis}; {@code threadCpu}: CPU
   * nanoseconds per invocation by thread group (app, jit, gc_vm, jdk_http, agent_export, …), empty
   * where the platform has no per-thread figures.
   */
  record Run(long firstMillis, long medianNanos, long cpuNanos, long allocBytes, double spans,
      double otlpBytes, Map<String, Long> threadCpu, long warmup) {

    /** The process's CPU per invocation less the JIT compiler threads' (all of it without /proc). */
    long cpuWithoutJitNanos() {
      return cpuNanos - threadCpu.getOrDefault("jit", 0L);
    }
  }

  /** The thread groups of {@link SideBySideAgentMain.ThreadGroupCpu}, in the table's order. */
  private static final List<String> THREAD_GROUPS =
      List.of("app", "jdk_http", "agent_export", "jit", "gc_vm", "jfr", "other");

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
  private final List<String> jvmOptions = Arrays.stream(
      System.getProperty("bench.jvm.options", "").trim().split("\\s+"))
      .filter(o -> !o.isEmpty()).toList();
  private final Path baselineAgent =
      System.getProperty("bench.baseline.agent", "").isEmpty() ? null
          : Path.of(System.getProperty("bench.baseline.agent"));
  private final List<Config> configs = baselineAgent == null
      ? List.of(Config.NONE, Config.OTEL, Config.FLOWCOST) : List.of(Config.values());
  private final AtomicLong sinkSpans = new AtomicLong();
  private final AtomicLong sinkBytes = new AtomicLong();

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
    HttpServer sink = startSink();
    String sinkUrl = "http://127.0.0.1:" + sink.getAddress().getPort();
    Map<Config, List<Run>> runs = new EnumMap<>(Config.class);
    for (Config c : configs) {
      runs.put(c, new ArrayList<>());
    }
    String jvm = jvmVersion();
    System.out.printf("side-by-side agent benchmark: %d rounds; warm-up %d invocations, then"
        + " blocks of %d until the JIT threads' share of the CPU is <= %s (at most %d); %d measured"
        + " invocations per JVM; %s, %d CPUs%s%n", rounds, warmup, warmupBlock, jitQuiet,
        warmupMax, invocations, jvm, Runtime.getRuntime().availableProcessors(),
        jvmOptions.isEmpty() ? "" : "; JVM options " + String.join(" ", jvmOptions));
    try {
      for (int r = 0; r < rounds; r++) {
        for (int k = 0; k < configs.size(); k++) {
          Config c = configs.get((r + k) % configs.size());
          Run run = runOnce(c, sinkUrl, r);
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
          }
        }
      }
    } finally {
      sink.stop(0);
    }
    printTable(runs, jvm);
  }

  private Run runOnce(Config config, String sinkUrl, int round) throws Exception {
    Path dir = work.resolve("round-" + round + "-" + config.name().toLowerCase(Locale.ROOT));
    Files.createDirectories(dir);
    Process fake = startFake(dir);
    try {
      String baseUrl = readBaseUrl(fake, dir.resolve("fake.txt"));
      List<String> cmd = new ArrayList<>(List.of(java, "-Xmx512m"));
      cmd.addAll(jvmOptions);
      cmd.addAll(List.of("-Dbench.warmup.max=" + warmupMax, "-Dbench.warmup.block=" + warmupBlock,
          "-Dbench.jit.quiet=" + jitQuiet));
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
        case BASELINE -> cmd.addAll(List.of("-javaagent:" + baselineAgent,
            "-Dflowcost.service=bench", "-Dflowcost.endpoint=" + sinkUrl,
            "-Dflowcost.spool.dir=" + dir.resolve("spool")));
      }
      cmd.addAll(List.of("-cp", System.getProperty("java.class.path"),
          SideBySideAgentMain.class.getName(), baseUrl, String.valueOf(warmup),
          String.valueOf(invocations)));
      sinkSpans.set(0);
      sinkBytes.set(0);
      Path out = dir.resolve("app.txt");
      cmd.add(String.valueOf(System.currentTimeMillis()));
      Process app = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile())
          .start();
      if (!app.waitFor(15, TimeUnit.MINUTES)) {
        app.destroyForcibly();
        throw new IllegalStateException(config.label + ": did not finish, see " + out);
      }
      String text = Files.readString(out, StandardCharsets.UTF_8);
      if (app.exitValue() != 0) {
        throw new IllegalStateException(config.label + ": exit " + app.exitValue() + "\n" + text);
      }
      String result = text.lines().filter(l -> l.startsWith("RESULT ")).findFirst()
          .orElseThrow(() -> new IllegalStateException(config.label + ": no RESULT\n" + text));
      Map<String, Long> f = new java.util.HashMap<>();
      for (String kv : result.substring(7).split(" ")) {
        f.put(kv.substring(0, kv.indexOf('=')), Long.parseLong(kv.substring(kv.indexOf('=') + 1)));
      }
      // the agents flush at shutdown; the sink has seen every export once the app has exited
      double all = f.get("invocations");
      Map<String, Long> threadCpu = new java.util.TreeMap<>();
      text.lines().filter(l -> l.startsWith("THREADS ")).findFirst().ifPresent(l -> {
        for (String kv : l.substring(8).split(" ")) {
          threadCpu.put(kv.substring(0, kv.indexOf('=')),
              Long.parseLong(kv.substring(kv.indexOf('=') + 1)));
        }
      });
      return new Run(f.get("first_ms"), f.get("median_ns"), f.get("cpu_ns"), f.get("alloc_bytes"),
          sinkSpans.get() / all, sinkBytes.get() / all, threadCpu, f.getOrDefault("warmup", 0L));
    } finally {
      fake.destroy();
      fake.waitFor(10, TimeUnit.SECONDS);
    }
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

  /** An OTLP/HTTP protobuf sink: counts the spans and request bytes of every export. */
  private HttpServer startSink() throws IOException {
    HttpServer server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
    server.createContext("/", http -> {
      try (http; InputStream in = http.getRequestBody()) {
        byte[] body = in.readAllBytes();
        if (http.getRequestURI().getPath().endsWith("/v1/traces")) {
          sinkBytes.addAndGet(body.length);
          int spans = 0;
          for (ResourceSpans rs : ExportTraceServiceRequest.parseFrom(body).getResourceSpansList()) {
            for (ScopeSpans ss : rs.getScopeSpansList()) {
              spans += ss.getSpansCount();
            }
          }
          sinkSpans.addAndGet(spans);
          http.getResponseHeaders().set("Content-Type", "application/x-protobuf");
          http.sendResponseHeaders(200, -1);
        } else {
          http.sendResponseHeaders(404, -1);
        }
      }
    });
    server.start();
    return server;
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
   * Per-round added amounts and their spread: for each agent, the median, the range and the mean
   * with a 95 % confidence interval (Student's t over the rounds, which are independent JVMs), so
   * a reader sees whether an added figure — above all the OpenTelemetry agent's small added CPU
   * and time — is resolved from zero. A ratio whose divisor's interval includes zero is printed
   * as "not resolved" rather than as a number.
   */
  private void printSpread(Map<Config, List<Run>> runs, boolean perThread) {
    List<Config> agents = configs.stream().filter(c -> c != Config.NONE).toList();
    System.out.println();
    System.out.println("Added per invocation, per round (agent minus the same round's no-agent JVM):"
        + " median [min … max], mean ± 95 % CI:");
    System.out.println();
    StringBuilder head = new StringBuilder("| added | ");
    for (Config c : agents) {
      head.append(c.label).append(" | ");
    }
    head.append("Flowcost ÷ OTel (medians) |");
    System.out.println(head);
    System.out.println("|---|" + "---|".repeat(agents.size() + 1));
    spreadRow(runs, agents, "median time", Run::medianNanos, 1e3, "µs");
    spreadRow(runs, agents, "CPU (process)", Run::cpuNanos, 1e3, "µs");
    if (perThread) {
      spreadRow(runs, agents, "CPU without JIT", Run::cpuWithoutJitNanos, 1e3, "µs");
      spreadRow(runs, agents, "CPU of app thread", r -> r.threadCpu().getOrDefault("app", 0L),
          1e3, "µs");
      spreadRow(runs, agents, "CPU of JIT threads", r -> r.threadCpu().getOrDefault("jit", 0L),
          1e3, "µs");
    }
    spreadRow(runs, agents, "allocation", Run::allocBytes, 1e3, "KB");
    System.out.println();
    for (Config c : configs) {
      System.out.printf(Locale.ROOT, "warm-up invocations, %s: %s%n", c.label,
          runs.get(c).stream().map(r -> String.valueOf(r.warmup())).toList());
    }
  }

  private static void spreadRow(Map<Config, List<Run>> runs, List<Config> agents, String name,
      java.util.function.ToDoubleFunction<Run> f, double unit, String suffix) {
    StringBuilder line = new StringBuilder("| " + name + " | ");
    for (Config c : agents) {
      line.append(Spread.of(added(runs.get(Config.NONE), runs.get(c), f), unit).format(suffix))
          .append(" | ");
    }
    Spread otel = Spread.of(added(runs.get(Config.NONE), runs.get(Config.OTEL), f), unit);
    Spread flowcost = Spread.of(added(runs.get(Config.NONE), runs.get(Config.FLOWCOST), f), unit);
    line.append(otel.resolved()
        ? String.format(Locale.ROOT, "%.2f×", flowcost.median() / otel.median())
        : "not resolved (OTel's interval includes 0)").append(" |");
    System.out.println(line);
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

    /** Two-sided 95 % Student's t quantiles for 1..10 degrees of freedom; 1.96 beyond. */
    private static final double[] T95 =
        {12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228};

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
        double t = n - 1 <= T95.length ? T95[n - 2] : 1.96;
        half = t * Math.sqrt(ss / (n - 1)) / Math.sqrt(n);
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
