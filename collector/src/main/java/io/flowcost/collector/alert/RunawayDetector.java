package io.flowcost.collector.alert;

import io.flowcost.collector.budget.SpendLedger;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Runaway workflows: a workflow still running whose spend or call count passes a multiple of its
 * intent's usual p99.
 *
 * <p><b>Running workflows.</b> A workflow is running from its first call row until its root span
 * arrives (the agent exports the root when the workflow ends). Its intent (workflow name) comes
 * from the call spans ({@code flowcost.workflow.name}, see {@link #named}) or its root. At most
 * {@link Settings#maxRunning} workflows are tracked; beyond that the least recently active one is
 * forgotten, and one without a call for {@link Settings#idleAfter} is forgotten at the next
 * evaluation (a workflow whose process died never sends its root).
 *
 * <p><b>Baseline.</b> Each finished workflow (root arrived) adds its spend and call rows to its
 * intent's baseline: the last {@link Settings#baselineSize} finished workflows of the intent (at
 * most {@link Settings#maxIntents} intents, least recently finished dropped). The collector
 * rebuilds it from the lake's last days at start ({@link #finished(String, long, long)}).
 *
 * <p><b>Rule.</b> At each evaluation, a running workflow of an intent with at least
 * {@link Settings#minBaseline} finished workflows is a runaway when its spend exceeds
 * {@code multiple × p99(spend)} (when that p99 is above zero) or its call rows exceed
 * {@code multiple × max(p99(calls), 1)}. p99 is the nearest-rank 99th percentile. One alert per
 * workflow (claimed under {@code runaway|<workflow id>}), raised while it runs.
 *
 * <p>Thread-safe; evaluation ({@link #tick}) claims and sends outside the lock.
 */
public final class RunawayDetector {

  /**
   * Settings.
   *
   * @param multiple how many times the intent's p99 a running workflow must exceed (default 3)
   * @param minBaseline finished workflows an intent needs before its workflows can alert
   *     (default 20)
   * @param baselineSize finished workflows per intent the p99 is taken over (default 200)
   * @param maxIntents intents with a baseline (default 10,000)
   * @param maxRunning running workflows tracked at once (default 100,000)
   * @param idleAfter a running workflow without a call for this long is forgotten (default 1 h)
   */
  public record Settings(BigDecimal multiple, int minBaseline, int baselineSize, int maxIntents,
      int maxRunning, Duration idleAfter) {

    public Settings {
      if (multiple.compareTo(BigDecimal.ONE) < 0) {
        throw new IllegalArgumentException("the runaway multiple must be at least 1");
      }
      if (minBaseline < 1 || baselineSize < minBaseline || maxIntents < 1 || maxRunning < 1) {
        throw new IllegalArgumentException("runaway settings out of range");
      }
    }

    /** Multiple 3, 20 to 200 finished workflows per intent, 100,000 running, idle after 1 h. */
    public static Settings defaults() {
      return withMultiple(new BigDecimal("3"));
    }

    /** The defaults with another multiple ({@code --runaway-multiple}). */
    public static Settings withMultiple(BigDecimal multiple) {
      return new Settings(multiple, 20, 200, 10_000, 100_000, Duration.ofHours(1));
    }
  }

  private static final class Running {
    String intent;
    /** The earliest start of its calls seen, or {@code null} before the first. */
    Instant since;
    long nanos;
    long calls;
    long lastActive;
    boolean alerted;
  }

  /** The last finished workflows of one intent (ring buffers). */
  private static final class Baseline {
    final long[] nanos;
    final long[] calls;
    int size;
    int next;

    Baseline(int capacity) {
      nanos = new long[capacity];
      calls = new long[capacity];
    }

    void add(long n, long c) {
      nanos[next] = n;
      calls[next] = c;
      next = (next + 1) % nanos.length;
      size = Math.min(size + 1, nanos.length);
    }

    static long p99(long[] values, int size) {
      long[] v = Arrays.copyOf(values, size);
      Arrays.sort(v);
      int rank = (int) Math.ceil(0.99 * size); // nearest rank, 1-based
      return v[Math.max(rank, 1) - 1];
    }
  }

  private final Settings settings;
  private final Clock clock;
  private final AlertClaims claims;
  private final Consumer<Alert> sink;
  /** Least recently active first. */
  private final LinkedHashMap<String, Running> running;
  /** Least recently finished first. */
  private final LinkedHashMap<String, Baseline> baselines;
  private long forgotten;

  public RunawayDetector(Settings settings, Clock clock, AlertClaims claims,
      Consumer<Alert> sink) {
    this.settings = settings;
    this.clock = clock;
    this.claims = claims;
    this.sink = sink;
    this.running = new LinkedHashMap<>(1024, 0.75f, true);
    this.baselines = new LinkedHashMap<>(256, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, Baseline> e) {
        return size() > settings.maxIntents();
      }
    };
  }

  /** The settings. */
  public Settings settings() {
    return settings;
  }

  /**
   * A call row of {@code workflowId} (started at {@code start}, cost {@code nanos}, 0 when
   * unpriced) was accepted.
   */
  public synchronized void call(String workflowId, Instant start, long nanos) {
    Running r = track(workflowId);
    if (r.since == null || start.isBefore(r.since)) {
      r.since = start;
    }
    r.nanos += nanos;
    r.calls++;
  }

  /**
   * A call span named the workflow's intent; told before the call's row, so it starts tracking
   * the workflow. The first name wins.
   */
  public synchronized void named(String workflowId, String intent) {
    Running r = track(workflowId);
    if (r.intent == null) {
      r.intent = intent;
    }
  }

  private Running track(String workflowId) {
    Running r = running.get(workflowId);
    if (r == null) {
      if (running.size() >= settings.maxRunning()) {
        Iterator<String> eldest = running.keySet().iterator();
        eldest.next();
        eldest.remove();
        forgotten++;
      }
      r = new Running();
      running.put(workflowId, r);
    }
    r.lastActive = clock.millis();
    return r;
  }

  /** The root span of {@code workflowId} arrived: it finished; its totals join the baseline. */
  public synchronized void finished(String workflowId, String intent) {
    Running r = running.remove(workflowId);
    if (r != null && r.calls > 0) {
      finished(r.intent != null ? r.intent : intent, r.nanos, r.calls);
    }
  }

  /** A finished workflow of {@code intent} spent {@code nanos} in {@code calls} call rows. */
  public synchronized void finished(String intent, long nanos, long calls) {
    if (intent == null) {
      return;
    }
    baselines.computeIfAbsent(intent, i -> new Baseline(settings.baselineSize()))
        .add(nanos, calls);
  }

  /** What the collector has seen a running workflow spend so far, or -1 when not tracked. */
  public synchronized long spendOf(String workflowId) {
    Running r = running.get(workflowId);
    return r == null ? -1 : r.nanos;
  }

  /** When the first call of a running workflow started, or {@code null} when not tracked. */
  public synchronized Instant since(String workflowId) {
    Running r = running.get(workflowId);
    return r == null ? null : r.since;
  }

  /** Running workflows tracked now. */
  public synchronized int running() {
    return running.size();
  }

  /** Running workflows forgotten because the bound was reached, since start. */
  public synchronized long forgotten() {
    return forgotten;
  }

  /** Evaluates every running workflow now; raises the alerts due. */
  public void tick() {
    List<Alert> due = new ArrayList<>();
    synchronized (this) {
      long idleBefore = clock.millis() - settings.idleAfter().toMillis();
      Map<String, long[]> p99s = new HashMap<>();
      Iterator<Map.Entry<String, Running>> it = running.entrySet().iterator();
      while (it.hasNext()) {
        Map.Entry<String, Running> e = it.next();
        Running r = e.getValue();
        if (r.lastActive < idleBefore) {
          it.remove(); // its root never came (the process died, or the spans were lost)
          continue;
        }
        if (r.alerted || r.intent == null || r.calls == 0) {
          continue;
        }
        Baseline b = baselines.get(r.intent);
        if (b == null || b.size < settings.minBaseline()) {
          continue;
        }
        long[] p = p99s.computeIfAbsent(r.intent, i -> new long[] {
            Baseline.p99(b.nanos, b.size), Baseline.p99(b.calls, b.size)});
        BigDecimal m = settings.multiple();
        boolean bySpend = p[0] > 0
            && BigDecimal.valueOf(r.nanos).compareTo(m.multiply(BigDecimal.valueOf(p[0]))) > 0;
        boolean byCalls = BigDecimal.valueOf(r.calls)
            .compareTo(m.multiply(BigDecimal.valueOf(Math.max(p[1], 1)))) > 0;
        if (!bySpend && !byCalls) {
          continue;
        }
        r.alerted = true;
        BigDecimal spent = SpendLedger.usd(r.nanos);
        BigDecimal p99Usd = SpendLedger.usd(p[0]);
        due.add(new Alert(Alert.Kind.RUNAWAY, "runaway|" + e.getKey(),
            "workflow " + e.getKey() + " (intent " + r.intent + ")",
            "workflow " + e.getKey() + " of intent " + r.intent + " is still running and has"
                + " spent $" + spent.toPlainString() + " in " + r.calls + " calls, more than "
                + m.toPlainString() + "x its intent's p99 ($" + p99Usd.toPlainString() + ", "
                + p[1] + " calls, over the last " + b.size + " finished workflows)",
            spent.toPlainString(), r.since, clock.instant(),
            Map.of("workflow_id", e.getKey(), "intent", r.intent,
                "calls", Long.toString(r.calls), "p99_usd", p99Usd.toPlainString(),
                "p99_calls", Long.toString(p[1]), "multiple", m.toPlainString(),
                "baseline_workflows", Integer.toString(b.size),
                "trigger", bySpend && byCalls ? "spend,calls" : bySpend ? "spend" : "calls")));
      }
    }
    for (Alert a : due) {
      if (claims.claim(a.dedupKey(), a.at().plus(Duration.ofDays(2)))) {
        sink.accept(a);
      }
    }
  }
}
