package io.flowcost.reliability.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.flowcost.reliability.CollectorProcessAccess;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Collector ingest throughput and acknowledgement latency: concurrent senders post OTLP protobuf
 * requests of model-call spans to the packaged collector for a fixed time; every request is
 * acknowledged only once its rows are forced to the write-ahead log. Not part of the normal
 * build (the name does not match surefire's includes); run it with
 * {@code mvn -B -o -pl reliability-tests test -Dtest=IngestBenchmark}. Results go to
 * docs/benchmarks.md, never into assertions.
 *
 * <p>System properties (all optional):
 * <ul>
 *   <li>{@code bench.seconds} — timed seconds per row (default 10);
 *   <li>{@code bench.warmup.seconds} — seconds of the row's own load sent before its timed
 *       window, after 200 single requests (default 10; 0 for the 200 requests only, as before
 *       the fourth round);
 *   <li>{@code bench.configs} — {@code senders x spans-per-request} rows (default
 *       {@value #DEFAULT_CONFIGS});
 *   <li>{@code bench.jars} — {@code label=path,label=path}: collector jars to compare, run
 *       interleaved row by row (default: this build's {@code collector/target} jar);
 *   <li>{@code bench.rounds} — how many times the whole interleaved set runs (default 1);
 *   <li>{@code bench.jfr} — a directory: each collector JVM records a JFR profile there;
 *   <li>{@code bench.collector.jvm} — extra options for the collector JVMs, space-separated,
 *       after the defaults ({@code -Xmx512m -XX:+UseSerialGC}), e.g. {@code -Xmx1g} as
 *       {@code deploy/flowcost-collector.service} runs it, or {@code -XX:-UseSerialGC
 *       -XX:+UseParallelGC}: what the heap and the collector's garbage collection cost;
 *   <li>{@code bench.prebuilt} — {@code true} (default): request bodies are patched copies of one
 *       encoded template (new trace and span ids per request), so the load generator spends
 *       microseconds per request; {@code false}: each body is built with the protobuf builders
 *       inside the timed loop, as before;
 *   <li>{@code bench.workflows} — runs the <b>memory run</b> instead of the rows above: senders
 *       post whole workflows ({@value #WORKFLOWS_PER_REQUEST} per request, each a workflow root
 *       and {@value #CALLS_PER_WORKFLOW} model calls in a trace of its own) and, for each, an
 *       outcome, until this many distinct workflows were sent (then the ids start over, now only
 *       spans) or {@code bench.memory.seconds} (default 60; 600 for the 10-minute run) have
 *       passed; every {@code bench.memory.sample} seconds (default a tenth of the run) the
 *       collector's heap is measured after a full GC ({@code jcmd GC.run}, then
 *       {@code GC.heap_info}), with its resident set; {@code bench.memory.senders} (default 4);
 *       {@code bench.memory.live} (default true): the collector runs with budgets and an alert
 *       webhook (a receiver in this JVM), so its live state is kept too;
 *       {@code bench.memory.flat.mb.per.min} (default 2): the slope over the second half of the
 *       run at or below which the memory is called flat. {@code scripts/bench.sh collector-soak}
 *       runs it with 10<sup>6</sup> workflows for 10 minutes.
 * </ul>
 */
class IngestBenchmark {

  /** Requests the collector answered 503 (buffer full) and the senders sent again, all rows. */
  private static final java.util.concurrent.atomic.AtomicLong REFUSED =
      new java.util.concurrent.atomic.AtomicLong();

  private static final long SECONDS = Long.getLong("bench.seconds", 10);
  private static final int ROUNDS = Integer.getInteger("bench.rounds", 1);
  private static final long WARMUP_SECONDS = Long.getLong("bench.warmup.seconds", 10);
  private static final boolean PREBUILT =
      Boolean.parseBoolean(System.getProperty("bench.prebuilt", "true"));

  /**
   * The rows run by default. 1x512 is what one real sender sends: the OpenTelemetry SDK's batch
   * span processor exports up to 512 spans per request; 1x100 is kept for comparison with earlier
   * rounds.
   */
  static final String DEFAULT_CONFIGS = "1x100,1x512,4x100,4x1000,16x100";

  static final int WORKFLOWS_PER_REQUEST = 40;
  static final int CALLS_PER_WORKFLOW = 2;

  @TempDir Path tmp;

  @Test
  void ingestThroughputAndAckLatency() throws Exception {
    Map<String, Path> jars = jars();
    String workflows = System.getProperty("bench.workflows", "");
    if (!workflows.isBlank()) {
      for (Map.Entry<String, Path> jar : jars.entrySet()) {
        memoryRun(jar.getKey(), jar.getValue(), Long.parseLong(workflows.replace("_", "")));
      }
      return;
    }
    List<int[]> configs = new ArrayList<>();
    for (String c : System.getProperty("bench.configs", DEFAULT_CONFIGS).split(",")) {
      String[] p = c.trim().split("x");
      configs.add(new int[] {Integer.parseInt(p[0]), Integer.parseInt(p[1])});
    }
    System.out.println("bodies: " + (PREBUILT ? "pre-built template, ids patched per request"
        : "built with protobuf builders in the timed loop") + "; cores "
        + Runtime.getRuntime().availableProcessors());
    System.out.println("| round | build | senders | spans/request | requests | spans/s |"
        + " MB/s (protobuf) | p50 ack ms | p99 ack ms | max ack ms | generator µs/request |"
        + " collector CPU µs/span | generator CPU µs/span | collector RSS MB |"
        + " load avg (1 min) |");
    System.out.println("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
    Map<String, List<Double>> rates = new LinkedHashMap<>();
    for (int round = 1; round <= ROUNDS; round++) {
      for (int[] c : configs) {
        for (Map.Entry<String, Path> jar : jars.entrySet()) {
          double rate = run(round, jar.getKey(), jar.getValue(), c[0], c[1]);
          rates.computeIfAbsent(c[0] + "x" + c[1] + " " + jar.getKey(), k -> new ArrayList<>())
              .add(rate);
        }
      }
    }
    System.out.println();
    System.out.println("collector CPU µs per span in the timed window, by thread (from"
        + " /proc/<pid>/task; threads alive at both ends):");
    byThread.forEach((row, groups) -> System.out.println("  " + row + ": " + groups));
    if (jars.size() > 1 || ROUNDS > 1) {
      System.out.println();
      System.out.println("| senders x spans | build | median spans/s |");
      System.out.println("|---|---|---|");
      rates.forEach((k, v) -> {
        double[] s = v.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        String[] parts = k.split(" ", 2);
        System.out.printf("| %s | %s | %,.0f |%n", parts[0], parts[1], s[s.length / 2]);
      });
    }
  }

  private static Map<String, Path> jars() {
    Map<String, Path> out = new LinkedHashMap<>();
    String spec = System.getProperty("bench.jars", "");
    if (spec.isBlank()) {
      out.put("this build", null);
      return out;
    }
    for (String entry : spec.split(",")) {
      String[] kv = entry.split("=", 2);
      Path jar = Path.of(kv[1].trim());
      assertThat(jar).isRegularFile();
      out.put(kv[0].trim(), jar);
    }
    return out;
  }

  private double run(int round, String label, Path jar, int senders, int spansPerRequest)
      throws Exception {
    String name = label.replaceAll("[^A-Za-z0-9]+", "-") + "-" + round + "-" + senders + "x"
        + spansPerRequest;
    Path dir = tmp.resolve(name);
    int port = CollectorProcessAccess.freePort();
    List<String> jvm = new ArrayList<>();
    for (String o : System.getProperty("bench.collector.jvm", "").trim().split("\\s+")) {
      if (!o.isEmpty()) {
        jvm.add(o);
      }
    }
    String jfr = System.getProperty("bench.jfr");
    if (jfr != null && !jfr.isBlank()) {
      Files.createDirectories(Path.of(jfr));
      jvm.add("-XX:StartFlightRecording=filename=" + Path.of(jfr).resolve(name + ".jfr")
          + ",settings=profile");
    }
    BodyTemplate template = new BodyTemplate(spansPerRequest);
    try (CollectorProcessAccess.Running collector = CollectorProcessAccess.start(jar, jvm, port,
        dir.resolve("lake"), dir.resolve("data"), dir.resolve("log.txt"))) {
      URI uri = URI.create("http://127.0.0.1:" + port + "/v1/traces");
      // warm-up: JIT of the decode/price/log path, then the same load as the timed window for
      // bench.warmup.seconds, so the window measures a warm collector (a 200-request warm-up
      // left C2 compiling through the window: a quarter of the collector's CPU in it)
      for (int i = 0; i < 200; i++) {
        post(uri, template.body(1_000_000 + i));
      }
      AtomicInteger next = new AtomicInteger(2_000_000);
      if (WARMUP_SECONDS > 0) {
        drive(uri, template, senders, spansPerRequest, WARMUP_SECONDS, next);
      }
      long[][] latencies = new long[senders][];
      long[] bytes = new long[senders];
      long[] generating = new long[senders];
      long cpu0 = cpuNanos(collector.pid());
      Map<String, Long> threads0 = threadCpuNanos(collector.pid());
      long gen0 = ownCpuNanos();
      REFUSED.set(0);
      long t0 = System.nanoTime();
      int requests = drive(uri, template, senders, spansPerRequest, SECONDS, next, latencies,
          bytes, generating);
      double secs = (System.nanoTime() - t0) / 1e9;
      long collectorCpu = cpuNanos(collector.pid()) - cpu0;
      Map<String, Long> threads1 = threadCpuNanos(collector.pid());
      long generatorCpu = ownCpuNanos() - gen0;
      long rss = rssKb(collector.pid());
      double load = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
      long[] all = Arrays.stream(latencies).flatMapToLong(Arrays::stream).sorted().toArray();
      long totalBytes = Arrays.stream(bytes).sum();
      double rate = requests * (double) spansPerRequest / secs;
      double spans = requests * (double) spansPerRequest;
      System.out.printf("| %d | %s | %d | %d | %d | %,.0f | %.1f | %.1f | %.1f | %.1f | %.0f |"
              + " %.1f | %.1f | %.0f | %.2f |%n", round, label, senders, spansPerRequest, requests,
          rate, totalBytes / secs / 1e6, pct(all, 0.50), pct(all, 0.99),
          all.length == 0 ? Double.NaN : all[all.length - 1] / 1e6, Arrays.stream(generating).sum() / 1e3 / requests,
          collectorCpu / 1e3 / spans, generatorCpu / 1e3 / spans, rss / 1024.0, load);
      byThread.put(label + " " + senders + "x" + spansPerRequest,
          perThreadGroup(threads0, threads1, requests * (double) spansPerRequest) + "; "
              + fsyncTimes(dir, template.body(0).length) + "; answered 503 (buffer full) and"
              + " sent again: " + REFUSED.get() + " requests");
      if (requests == 0) {
        // not a failure of the run: the other rows (and rounds) still say something
        System.out.println("  (" + label + " " + senders + "x" + spansPerRequest
            + ": no request acknowledged in the window)");
      }
      return rate;
    }
  }

  private static int drive(URI uri, BodyTemplate template, int senders, int spansPerRequest,
      long seconds, AtomicInteger next) throws Exception {
    return drive(uri, template, senders, spansPerRequest, seconds, next, new long[senders][],
        new long[senders], new long[senders]);
  }

  /**
   * {@code senders} threads post requests for {@code seconds}; returns the number of requests
   * acknowledged, with each sender's latencies, bytes sent and nanoseconds spent building bodies.
   */
  private static int drive(URI uri, BodyTemplate template, int senders, int spansPerRequest,
      long seconds, AtomicInteger next, long[][] latencies, long[] bytes, long[] generating)
      throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(senders);
    try {
      List<Future<Integer>> futures = new ArrayList<>();
      long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
      for (int s = 0; s < senders; s++) {
        int me = s;
        futures.add(pool.submit(() -> {
          long[] lat = new long[1 << 18];
          int n = 0;
          while (System.nanoTime() < end && n < lat.length) {
            long g = System.nanoTime();
            byte[] body = PREBUILT ? template.body(next.getAndIncrement())
                : CollectorProcessAccess.chatSpans(next.getAndIncrement(), spansPerRequest);
            long a = System.nanoTime();
            generating[me] += a - g;
            int status = post(uri, body);
            while (status == 503 && System.nanoTime() < end) {
              // the collector's buffer is full (the flush is behind): back off and send the same
              // body again, as an exporter does; the wait counts in this request's latency
              REFUSED.incrementAndGet();
              Thread.sleep(100);
              status = post(uri, body);
            }
            if (status == 503) {
              break; // the window ended while refused: not acknowledged, not counted
            }
            lat[n++] = System.nanoTime() - a;
            bytes[me] += body.length;
            if (status != 200) {
              throw new IllegalStateException("status " + status);
            }
          }
          latencies[me] = Arrays.copyOf(lat, n);
          return n;
        }));
      }
      int requests = 0;
      for (Future<Integer> f : futures) {
        requests += f.get(seconds + 60, TimeUnit.SECONDS);
      }
      return requests;
    } finally {
      pool.shutdown();
    }
  }

  /** One reading of the memory run: counts so far, the heap after a full GC and the RSS. */
  record MemorySample(double seconds, long spans, long outcomes, long workflows, double heapMb,
      double rssMb, double load, long bufferedRows) {}

  /**
   * The memory run (the soak): whole workflows and their outcomes, the heap after a full GC and
   * the resident set sampled as it goes; at the end a table per minute and the slope of each over
   * the second half of the run, against {@code bench.memory.flat.mb.per.min}. A heap that keeps
   * growing with the number of distinct workflows shows as a rising "heap after GC" column and a
   * slope above the threshold; a flat one levels off once the bounded memories are full.
   */
  private void memoryRun(String label, Path jar, long distinct) throws Exception {
    long seconds = Long.getLong("bench.memory.seconds", 60);
    long sampleEvery = Long.getLong("bench.memory.sample", Math.max(5, seconds / 10));
    int senders = Integer.getInteger("bench.memory.senders", 4);
    double flat = Double.parseDouble(System.getProperty("bench.memory.flat.mb.per.min", "2"));
    boolean live = Boolean.parseBoolean(System.getProperty("bench.memory.live", "true"));
    Path dir = tmp.resolve("memory-" + label.replaceAll("[^A-Za-z0-9]+", "-"));
    Files.createDirectories(dir);
    int port = CollectorProcessAccess.freePort();
    List<String> serve = new ArrayList<>();
    com.sun.net.httpserver.HttpServer hook = null;
    if (live) {
      // budgets and an alert webhook switch the collector's live state on (spend per owner and
      // period, the workflows whose owners are known, runaway and burn-rate detection), which
      // a collector without them does not keep at all
      Path budgets = dir.resolve("budgets.txt");
      Files.writeString(budgets, "team=team-0 day hard=1000000\nteam=team-1 month soft=500000"
          + " hard=1000000\nteam=team-2 day hard=1000000\n");
      hook = com.sun.net.httpserver.HttpServer.create(
          new java.net.InetSocketAddress("127.0.0.1", 0), 0);
      hook.createContext("/", exchange -> {
        exchange.getRequestBody().readAllBytes();
        exchange.sendResponseHeaders(204, -1);
        exchange.close();
      });
      hook.start();
      serve.addAll(List.of("--budgets", budgets.toString(), "--alert-webhook",
          "http://127.0.0.1:" + hook.getAddress().getPort() + "/hook"));
    }
    try (CollectorProcessAccess.Running collector = CollectorProcessAccess.start(jar, List.of(),
        serve, port, dir.resolve("lake"), dir.resolve("data"), dir.resolve("log.txt"))) {
      URI traces = URI.create("http://127.0.0.1:" + port + "/v1/traces");
      URI outcomes = URI.create("http://127.0.0.1:" + port + "/v1/outcomes");
      System.out.printf("memory run, build %s: %d senders, %d workflows per request (a root and"
              + " %d calls each, then their outcomes), %,d distinct workflows, %d s, heap sampled"
              + " every %d s; cores %d; live state (budgets, alert webhook) %s%n", label,
          senders, WORKFLOWS_PER_REQUEST, CALLS_PER_WORKFLOW, distinct, seconds, sampleEvery,
          Runtime.getRuntime().availableProcessors(), live ? "on" : "off");
      System.out.println("| build | time s | spans acked | outcomes acked | distinct workflows"
          + " | heap after GC MB | collector RSS MB | spans/s (interval) | load avg (1 min)"
          + " | buffered rows |");
      System.out.println("|---|---|---|---|---|---|---|---|---|---|");
      AtomicLong sequence = new AtomicLong();
      AtomicLong spansAcked = new AtomicLong();
      AtomicLong outcomesAcked = new AtomicLong();
      AtomicLong workflowsAcked = new AtomicLong();
      AtomicLong refused = new AtomicLong();
      int spansPerRequest = WORKFLOWS_PER_REQUEST * (CALLS_PER_WORKFLOW + 1);
      long t0 = System.nanoTime();
      long end = t0 + TimeUnit.SECONDS.toNanos(seconds);
      ExecutorService pool = Executors.newFixedThreadPool(senders);
      List<Future<?>> futures = new ArrayList<>();
      for (int s = 0; s < senders; s++) {
        futures.add(pool.submit(() -> {
          while (System.nanoTime() < end) {
            long n = sequence.getAndIncrement();
            long first = n * WORKFLOWS_PER_REQUEST;
            boolean firstPass = first + WORKFLOWS_PER_REQUEST <= distinct;
            int status = postRetrying(traces, CollectorProcessAccess.workflowSpans(
                first % distinct, WORKFLOWS_PER_REQUEST, CALLS_PER_WORKFLOW, n),
                "application/x-protobuf", end, refused);
            if (status == 503) {
              break; // the run ended while refused: not acknowledged, not counted
            }
            if (status != 200) {
              throw new IllegalStateException("traces: status " + status);
            }
            spansAcked.addAndGet(spansPerRequest);
            if (firstPass) {
              StringBuilder json = new StringBuilder("[");
              for (int w = 0; w < WORKFLOWS_PER_REQUEST; w++) {
                json.append(w == 0 ? "" : ",").append("{\"workflow_id\":\"")
                    .append(CollectorProcessAccess.workflowId(first + w))
                    .append("\",\"outcome_id\":\"bench-").append(first + w)
                    .append("\",\"status\":\"").append(w % 5 == 0 ? "failure" : "success")
                    .append("\"}");
              }
              status = postRetrying(outcomes, json.append(']').toString()
                  .getBytes(java.nio.charset.StandardCharsets.UTF_8), "application/json", end,
                  refused);
              if (status == 503) {
                break;
              }
              if (status != 200 && status != 202) { // 202: accepted, like 200
                throw new IllegalStateException("outcomes: status " + status);
              }
              outcomesAcked.addAndGet(WORKFLOWS_PER_REQUEST);
              workflowsAcked.addAndGet(WORKFLOWS_PER_REQUEST);
            }
          }
          return null;
        }));
      }
      List<MemorySample> samples = new ArrayList<>();
      Map<String, long[]> halfway = null;
      long lastSpans = 0;
      long lastAt = System.nanoTime();
      while (true) {
        long now = System.nanoTime();
        boolean done = futures.stream().allMatch(Future::isDone);
        long spans = spansAcked.get();
        double interval = (spans - lastSpans) / Math.max(1e-9, (now - lastAt) / 1e9);
        lastSpans = spans;
        lastAt = now;
        // the rows waiting for the lake flush, read just before and after the full GC: they swing
        // the heap by up to a flush's worth (50,000 rows) and are taken out by the fit below
        long rowsBefore = bufferedRows(port);
        double heapMb = heapAfterGcKb(collector.pid()) / 1024.0;
        long rows = (rowsBefore + bufferedRows(port)) / 2;
        MemorySample sample = new MemorySample((now - t0) / 1e9, spans, outcomesAcked.get(),
            workflowsAcked.get(), heapMb, rssKb(collector.pid()) / 1024.0,
            ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(), rows);
        samples.add(sample);
        System.out.printf("| %s | %.0f | %,d | %,d | %,d | %.1f | %.0f | %,.0f | %.2f | %,d |%n",
            label, sample.seconds(), spans, sample.outcomes(), sample.workflows(),
            sample.heapMb(), sample.rssMb(), interval, sample.load(), rows);
        if (halfway == null && sample.seconds() >= seconds / 2.0) {
          halfway = histogram(collector.pid()); // compared with the end's below
        }
        if (done) {
          break;
        }
        long sleep = Math.min(TimeUnit.SECONDS.toNanos(sampleEvery), end - System.nanoTime());
        if (sleep > 0) {
          Thread.sleep(TimeUnit.NANOSECONDS.toMillis(sleep));
        } else {
          for (Future<?> f : futures) {
            f.get(120, TimeUnit.SECONDS);
          }
        }
      }
      for (Future<?> f : futures) {
        f.get(); // rethrows a sender's failure
      }
      pool.shutdown();
      String[] lines = new String[0];
      try { // what the heap holds at the end: the classes with the most bytes
        lines = jcmd(collector.pid(), "GC.class_histogram").split("\n");
      } catch (Exception e) {
        System.out.println("no class histogram: " + e.getMessage());
      }
      Map<String, long[]> atEnd = parseHistogram(lines);
      double grewMb = halfway == null || halfway.isEmpty() || atEnd.isEmpty() ? Double.NaN
          : grownBytes(halfway, atEnd) / (1024.0 * 1024.0);
      System.out.println();
      System.out.println(memorySummary(label, samples, seconds, flat, grewMb));
      System.out.println("requests answered 503 (buffer full) and sent again: " + refused.get());
      System.out.println("collector heap at the end, largest classes (jcmd GC.class_histogram):");
      for (int i = 0; i < Math.min(lines.length, 18); i++) {
        System.out.println("    " + lines[i]);
      }
      if (halfway != null) {
        System.out.println("classes whose bytes grew most from half-way to the end:");
        System.out.println(histogramGrowth(halfway, atEnd, 10));
      }
      assertThat(spansAcked.get()).isPositive();
    } finally {
      if (hook != null) {
        hook.stop(0);
      }
    }
  }

  /**
   * Posts {@code body}; on 503 (the collector's buffer is full) backs off and sends the same body
   * again, as an exporter does, until {@code end}; returns the last status.
   */
  private static int postRetrying(URI uri, byte[] body, String contentType, long end,
      AtomicLong refused) throws Exception {
    int status = post(uri, body, contentType);
    while (status == 503 && System.nanoTime() < end) {
      refused.incrementAndGet();
      Thread.sleep(100);
      status = post(uri, body, contentType);
    }
    return status;
  }

  /**
   * The memory run's result. Rows waiting for the lake flush swing the heap after GC by up to a
   * flush's worth, so the heap is fitted, by least squares over the second half of the run (when
   * the bounded memories have had time to fill), as {@code a + slope * minutes + perRow * rows}:
   * {@code slope} is what the heap does with the buffer taken out. Per minute: the ingest rate,
   * the distinct workflows so far, the heap after GC (lowest and highest sample) and the same
   * without the buffered rows ({@code heap - perRow * rows}, the minute's mean), and the RSS.
   * A flush in progress holds column buffers the buffered-row count does not see, so the fitted
   * slope stays noisy (± 10 MB/min on a loaded box); the class histograms taken half-way and at
   * the end are exact: {@code grewMb} is what the classes that grew added ({@link #grownBytes}).
   * "GROWING" when that exceeds {@code flatMbPerMinute} per minute of the second half, or when the
   * fitted slope exceeds it with 95% confidence (slope - 2 standard errors); else "FLAT" (with the
   * histograms, or a fitted slope + 2 standard errors within the threshold), else "NOT RESOLVED".
   */
  static String memorySummary(String label, List<MemorySample> samples, long seconds,
      double flatMbPerMinute, double grewMb) {
    double half = seconds / 2.0;
    List<MemorySample> late = samples.stream().filter(s -> s.seconds() >= half).toList();
    double[] heapFit = fit(late, true);
    double perRowMb = Double.isNaN(heapFit[2]) ? 0 : heapFit[2];
    double[] rssFit = fit(late, false);
    StringBuilder out = new StringBuilder();
    out.append("memory run, build ").append(label).append(", per minute:\n");
    out.append("| minute | spans/s | outcomes/s | distinct workflows | heap after GC MB, lowest"
        + " | heap after GC MB, highest | heap without buffered rows MB | RSS MB | load avg |\n");
    out.append("|---|---|---|---|---|---|---|---|---|\n");
    MemorySample before = samples.get(0);
    int minutes = (int) Math.ceil(samples.get(samples.size() - 1).seconds() / 60.0);
    for (int m = 1; m <= minutes; m++) {
      double from = (m - 1) * 60.0;
      double to = m * 60.0;
      List<MemorySample> in = samples.stream()
          .filter(s -> s.seconds() > from && s.seconds() <= to).toList();
      if (in.isEmpty()) {
        continue;
      }
      MemorySample last = in.get(in.size() - 1);
      double span = Math.max(1e-9, last.seconds() - before.seconds());
      out.append(String.format("| %d | %,.0f | %,.0f | %,d | %.1f | %.1f | %.1f | %.0f | %.1f |%n",
          m, (last.spans() - before.spans()) / span, (last.outcomes() - before.outcomes()) / span,
          last.workflows(), in.stream().mapToDouble(MemorySample::heapMb).min().orElseThrow(),
          in.stream().mapToDouble(MemorySample::heapMb).max().orElseThrow(),
          in.stream().mapToDouble(s -> s.heapMb() - perRowMb * s.bufferedRows()).average()
              .orElseThrow(), last.rssMb(), last.load()));
      before = last;
    }
    double lateMinutes = late.isEmpty() ? 0
        : (late.get(late.size() - 1).seconds() - half) / 60.0;
    double allowedMb = flatMbPerMinute * lateMinutes;
    boolean fitGrowing = heapFit[0] - 2 * heapFit[1] > flatMbPerMinute;
    String verdict = fitGrowing || grewMb > allowedMb ? "GROWING"
        : !Double.isNaN(grewMb) || heapFit[0] + 2 * heapFit[1] <= flatMbPerMinute ? "FLAT"
        : "NOT RESOLVED";
    out.append(String.format("second half (from %.0f s, %d samples): heap after GC %+.2f ± %.2f"
            + " MB/min with the buffered rows taken out (%.0f bytes per buffered row; ± 2 standard"
            + " errors); classes whose live bytes grew from half-way to the end (jcmd"
            + " GC.class_histogram, the end's after the senders stopped): %+.1f MB, allowed %.1f"
            + " (%.2f MB/min); RSS %+.2f ± %.2f MB/min (it rises until the heap's pages are"
            + " touched, bounded by -Xmx): %s%n", half, late.size(), heapFit[0], 2 * heapFit[1],
        perRowMb * 1024 * 1024, grewMb, allowedMb, flatMbPerMinute, rssFit[0], 2 * rssFit[1],
        verdict));
    MemorySample atHalf = late.isEmpty() ? samples.get(samples.size() - 1) : late.get(0);
    out.append(String.format("by the second half: %,d spans and %,d outcomes acknowledged. The"
            + " bounded memories fill at 2,000,000 span keys, and at -Xmx512m 262,144 outcome"
            + " keys and 131,072 budget workflows: a run that reached fewer by then (a loaded"
            + " machine) still shows them filling, not a leak (the histogram names the classes)%n",
        atHalf.spans(), atHalf.outcomes()));
    return out.toString();
  }

  /**
   * Least squares of the heap (with the buffered rows as a second regressor) or the RSS on
   * minutes: {slope MB/min, its standard error, MB per buffered row (NaN for the RSS)}; NaN when
   * there are too few samples; the heap on time alone when the buffered rows never varied.
   */
  static double[] fit(List<MemorySample> samples, boolean heap) {
    int k = heap ? 3 : 2;
    int n = samples.size();
    if (n <= k) {
      return new double[] {Double.NaN, Double.NaN, Double.NaN};
    }
    double[][] x = new double[n][];
    double[] y = new double[n];
    for (int i = 0; i < n; i++) {
      MemorySample s = samples.get(i);
      x[i] = heap ? new double[] {1, s.seconds() / 60.0, s.bufferedRows()}
          : new double[] {1, s.seconds() / 60.0};
      y[i] = heap ? s.heapMb() : s.rssMb();
    }
    double[][] xtx = new double[k][k];
    double[] xty = new double[k];
    for (int i = 0; i < n; i++) {
      for (int a = 0; a < k; a++) {
        xty[a] += x[i][a] * y[i];
        for (int b = 0; b < k; b++) {
          xtx[a][b] += x[i][a] * x[i][b];
        }
      }
    }
    double[][] inv = invert(xtx);
    if (inv == null) {
      if (heap) { // the buffered rows never varied: the heap on time alone
        List<MemorySample> asRss = samples.stream().map(s -> new MemorySample(s.seconds(),
            s.spans(), s.outcomes(), s.workflows(), s.heapMb(), s.heapMb(), s.load(), 0))
            .toList();
        double[] r = fit(asRss, false);
        return new double[] {r[0], r[1], 0};
      }
      return new double[] {Double.NaN, Double.NaN, Double.NaN};
    }
    double[] beta = new double[k];
    for (int a = 0; a < k; a++) {
      for (int b = 0; b < k; b++) {
        beta[a] += inv[a][b] * xty[b];
      }
    }
    double residuals = 0;
    for (int i = 0; i < n; i++) {
      double e = y[i];
      for (int a = 0; a < k; a++) {
        e -= beta[a] * x[i][a];
      }
      residuals += e * e;
    }
    double sigma2 = residuals / (n - k);
    return new double[] {beta[1], Math.sqrt(sigma2 * inv[1][1]), heap ? beta[2] : Double.NaN};
  }

  /** The inverse of a small matrix (Gauss-Jordan with partial pivoting), null when singular. */
  private static double[][] invert(double[][] m) {
    int k = m.length;
    double[][] a = new double[k][2 * k];
    for (int i = 0; i < k; i++) {
      System.arraycopy(m[i], 0, a[i], 0, k);
      a[i][k + i] = 1;
    }
    for (int c = 0; c < k; c++) {
      int pivot = c;
      for (int r = c + 1; r < k; r++) {
        if (Math.abs(a[r][c]) > Math.abs(a[pivot][c])) {
          pivot = r;
        }
      }
      if (Math.abs(a[pivot][c]) < 1e-9 * Math.max(1, Math.abs(m[c][c]))) {
        return null;
      }
      double[] t = a[c];
      a[c] = a[pivot];
      a[pivot] = t;
      double d = a[c][c];
      for (int j = 0; j < 2 * k; j++) {
        a[c][j] /= d;
      }
      for (int r = 0; r < k; r++) {
        if (r != c && a[r][c] != 0) {
          double f = a[r][c];
          for (int j = 0; j < 2 * k; j++) {
            a[r][j] -= f * a[c][j];
          }
        }
      }
    }
    double[][] out = new double[k][k];
    for (int i = 0; i < k; i++) {
      System.arraycopy(a[i], k, out[i], 0, k);
    }
    return out;
  }

  /** {@code flowcost_buffered_rows} from the collector's {@code /metrics}; -1 when unreadable. */
  private static long bufferedRows(int port) {
    try {
      HttpURLConnection c = (HttpURLConnection) URI.create("http://127.0.0.1:" + port
          + "/metrics").toURL().openConnection();
      try (InputStream in = c.getInputStream()) {
        Matcher m = BUFFERED.matcher(new String(in.readAllBytes(),
            java.nio.charset.StandardCharsets.UTF_8));
        return m.find() ? Long.parseLong(m.group(1)) : -1;
      }
    } catch (Exception e) {
      return -1;
    }
  }

  private static final Pattern BUFFERED =
      Pattern.compile("(?m)^flowcost_buffered_rows (\\d+)");

  /** The collector's class histogram, or an empty map when jcmd fails. */
  private static Map<String, long[]> histogram(long pid) {
    try {
      return parseHistogram(jcmd(pid, "GC.class_histogram").split("\n"));
    } catch (Exception e) {
      return Map.of();
    }
  }

  /** {@code GC.class_histogram} lines as class name to {instances, bytes}. */
  static Map<String, long[]> parseHistogram(String[] lines) {
    Map<String, long[]> out = new LinkedHashMap<>();
    Pattern row = Pattern.compile("^\\s*\\d+:\\s+(\\d+)\\s+(\\d+)\\s+(\\S+)");
    for (String line : lines) {
      Matcher m = row.matcher(line);
      if (m.find()) {
        out.put(m.group(3), new long[] {Long.parseLong(m.group(1)), Long.parseLong(m.group(2))});
      }
    }
    return out;
  }

  /**
   * Bytes added, over the classes whose live bytes grew, from {@code before} to {@code after}:
   * what a leak adds shows here whatever the buffered rows did (they only shrink by the end).
   */
  static long grownBytes(Map<String, long[]> before, Map<String, long[]> after) {
    long grown = 0;
    for (Map.Entry<String, long[]> e : after.entrySet()) {
      grown += Math.max(0, e.getValue()[1] - before.getOrDefault(e.getKey(), new long[2])[1]);
    }
    return grown;
  }

  /** The {@code top} classes whose bytes grew most from {@code before} to {@code after}. */
  static String histogramGrowth(Map<String, long[]> before, Map<String, long[]> after, int top) {
    StringBuilder out = new StringBuilder();
    after.entrySet().stream()
        .sorted((a, b) -> Long.compare(
            b.getValue()[1] - before.getOrDefault(b.getKey(), new long[2])[1],
            a.getValue()[1] - before.getOrDefault(a.getKey(), new long[2])[1]))
        .limit(top)
        .forEach(e -> {
          long[] was = before.getOrDefault(e.getKey(), new long[2]);
          out.append(String.format("    %+,14d bytes %+,12d instances  %s%n",
              e.getValue()[1] - was[1], e.getValue()[0] - was[0], e.getKey()));
        });
    return out.toString();
  }

  /**
   * The collector's heap in use right after a full GC (kB): {@code jcmd GC.run}, then the sum of
   * the "used" figures of {@code GC.heap_info}'s generation lines; -1 when jcmd is unavailable.
   */
  private static long heapAfterGcKb(long pid) {
    try {
      jcmd(pid, "GC.run");
      long used = 0;
      Matcher m = USED.matcher(jcmd(pid, "GC.heap_info"));
      while (m.find()) {
        used += Long.parseLong(m.group(1));
      }
      return used;
    } catch (Exception e) {
      return -1;
    }
  }

  /** A heap or generation line of GC.heap_info: "<name> total NK, used NK". */
  private static final Pattern USED = Pattern.compile("total \\d+K, used (\\d+)K");

  private static String jcmd(long pid, String command) throws Exception {
    Process p = new ProcessBuilder("jcmd", Long.toString(pid), command).redirectErrorStream(true)
        .start();
    String out = new String(p.getInputStream().readAllBytes(),
        java.nio.charset.StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IllegalStateException("jcmd " + command + " failed");
    }
    return out;
  }

  /**
   * CPU time (user + system) the process has used so far, in nanoseconds, from
   * {@code /proc/<pid>/stat} (clock ticks of 10 ms); 0 where there is none. Over a 10-second row
   * on 2 cores that is to within half a percent.
   */
  static long cpuNanos(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
      // fields after the command name in parentheses (which may hold spaces): state is field 3
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime (14), stime (15)
      return ticks * 10_000_000L; // USER_HZ is 100 on Linux
    } catch (Exception e) {
      return 0;
    }
  }

  /** Per row, the collector's CPU per span by thread group (printed after the table). */
  private final Map<String, String> byThread = new LinkedHashMap<>();

  /**
   * CPU (user + system) of each of the process's threads so far, in nanoseconds, keyed by
   * thread name and id, from {@code /proc/<pid>/task/<tid>/stat}; empty where there is none.
   */
  static Map<String, Long> threadCpuNanos(long pid) {
    Map<String, Long> out = new LinkedHashMap<>();
    try (java.util.stream.Stream<Path> tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
      for (Path task : tasks.toList()) {
        try {
          String stat = Files.readString(task.resolve("stat"));
          String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
          String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
          out.put(name + "#" + task.getFileName(),
              (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10_000_000L);
        } catch (Exception e) {
          // the thread ended meanwhile
        }
      }
    } catch (Exception e) {
      // not Linux
    }
    return out;
  }

  /**
   * The CPU between two {@link #threadCpuNanos} readings per span, grouped by what the threads
   * do: Vert.x event loops and workers, the log thread, the lake flush, garbage collection, the
   * JIT compilers, the rest.
   */
  static String perThreadGroup(Map<String, Long> before, Map<String, Long> after,
      double spans) {
    Map<String, Long> groups = new LinkedHashMap<>();
    for (String g : List.of("event loop", "worker", "wal", "flush", "gc", "jit", "other")) {
      groups.put(g, 0L);
    }
    after.forEach((thread, cpu) -> {
      String name = thread.substring(0, thread.lastIndexOf('#'));
      String group = name.startsWith("vert.x-eventlo") ? "event loop"
          : name.startsWith("vert.x-worker") ? "worker"
          : name.startsWith("flowcost-wal") ? "wal"
          : name.startsWith("flowcost-flush") ? "flush"
          : name.startsWith("GC ") || name.startsWith("VM Thread") || name.startsWith("G1 ")
              ? "gc"
          : name.startsWith("C1 ") || name.startsWith("C2 ") ? "jit" : "other";
      groups.merge(group, cpu - before.getOrDefault(thread, 0L), Long::sum);
    });
    StringBuilder out = new StringBuilder();
    groups.forEach((g, n) -> out.append(out.length() == 0 ? "" : ", ")
        .append(String.format("%s %.1f", g, n / 1e3 / spans)));
    return out.toString();
  }

  /**
   * What one group commit's {@code fsync} costs on the collector's disk right after the row: 100
   * appends of a request's bytes to a file beside its data dir, each forced as the log forces its
   * frames ({@code force(false)}); p50 and p99 in ms. With one sender, an acknowledgement waits
   * for one such force after the request's own CPU.
   */
  static String fsyncTimes(Path dir, int bytes) {
    Path file = dir.resolve("fsync-probe");
    long[] t = new long[100];
    try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(file,
        java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.WRITE,
        java.nio.file.StandardOpenOption.APPEND)) {
      ByteBuffer frame = ByteBuffer.allocate(bytes);
      for (int i = 0; i < t.length; i++) {
        frame.clear();
        while (frame.hasRemaining()) {
          ch.write(frame);
        }
        long a = System.nanoTime();
        ch.force(false);
        t[i] = System.nanoTime() - a;
      }
      Files.deleteIfExists(file);
    } catch (java.io.IOException e) {
      return "fsync not measured (" + e.getClass().getSimpleName() + ")";
    }
    Arrays.sort(t);
    return String.format("fsync of a %,d-byte append p50 %.2f ms, p99 %.2f ms", bytes,
        pct(t, 0.50), pct(t, 0.99));
  }

  /** This JVM's (the load generator's) CPU time so far, in nanoseconds. */
  private static long ownCpuNanos() {
    return ManagementFactory.getOperatingSystemMXBean()
        instanceof com.sun.management.OperatingSystemMXBean os ? os.getProcessCpuTime() : 0;
  }

  /** The collector's resident set (kB), from /proc; 0 where there is none. */
  private static long rssKb(long pid) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
      }
    } catch (Exception e) {
      // not Linux: no figure
    }
    return 0;
  }

  /**
   * One encoded request ({@link CollectorProcessAccess#chatSpans}) whose trace id and span ids
   * are rewritten in a copy for each request number: the same bytes {@code chatSpans(n, spans)}
   * would produce (timestamps aside: the template's), at the cost of an array copy.
   */
  static final class BodyTemplate {
    /** A request number whose ids occur nowhere else in the encoding. */
    private static final int SEED = 0x3C5A_7E91;
    private final int spans;
    private final byte[] template;
    private final int[] traceOffsets;
    private final int[] spanOffsets;

    BodyTemplate(int spans) {
      this.spans = spans;
      this.template = CollectorProcessAccess.chatSpans(SEED, spans);
      byte[] trace = ByteBuffer.allocate(18).put((byte) 0x0A).put((byte) 16)
          .putLong(0x0123_4567L).putLong(SEED + 1L).array();
      this.traceOffsets = find(trace, spans);
      this.spanOffsets = new int[spans];
      for (int i = 0; i < spans; i++) {
        byte[] id = ByteBuffer.allocate(10).put((byte) 0x12).put((byte) 8)
            .putLong((long) SEED * spans + i + 1).array();
        spanOffsets[i] = find(id, 1)[0];
      }
      if (!Arrays.equals(body(SEED), template)) {
        throw new IllegalStateException("template patching does not reproduce the template");
      }
    }

    byte[] body(int n) {
      byte[] out = template.clone();
      ByteBuffer b = ByteBuffer.wrap(out);
      for (int off : traceOffsets) {
        b.putLong(off, n + 1L);
      }
      for (int i = 0; i < spans; i++) {
        b.putLong(spanOffsets[i], (long) n * spans + i + 1);
      }
      return out;
    }

    /** Offsets just past the tag of the value, plus 8 for trace ids (the varying half). */
    private int[] find(byte[] pattern, int expected) {
      List<Integer> found = new ArrayList<>();
      outer:
      for (int i = 0; i + pattern.length <= template.length; i++) {
        for (int j = 0; j < pattern.length; j++) {
          if (template[i + j] != pattern[j]) {
            continue outer;
          }
        }
        found.add(pattern.length == 18 ? i + 10 : i + 2);
      }
      if (found.size() != expected) {
        throw new IllegalStateException("expected " + expected + " occurrences, found "
            + found.size());
      }
      return found.stream().mapToInt(Integer::intValue).toArray();
    }
  }

  private static double pct(long[] sorted, double p) {
    if (sorted.length == 0) {
      return Double.NaN; // nothing acknowledged in the window (a very loaded box): the row says so
    }
    return sorted[(int) Math.min(sorted.length - 1, Math.floor(p * sorted.length))] / 1e6;
  }

  private static int post(URI uri, byte[] body) throws Exception {
    return post(uri, body, "application/x-protobuf");
  }

  private static int post(URI uri, byte[] body, String contentType) throws Exception {
    HttpURLConnection c = (HttpURLConnection) uri.toURL().openConnection();
    c.setRequestMethod("POST");
    c.setDoOutput(true);
    c.setRequestProperty("Content-Type", contentType);
    c.setFixedLengthStreamingMode(body.length);
    try (OutputStream out = c.getOutputStream()) {
      out.write(body);
    }
    int code = c.getResponseCode();
    try (InputStream in = code >= 400 ? c.getErrorStream() : c.getInputStream()) {
      if (in != null) {
        in.readAllBytes();
      }
    }
    return code;
  }
}
