package io.flowcost.collector.alert;

import io.flowcost.collector.budget.SpendLedger;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * Burn-rate anomalies: spend per intent (workflow name) per 5-minute window against that
 * intent's rolling baseline.
 *
 * <p><b>Rule.</b> At each evaluation, for each intent, let {@code S} be its spend in the current
 * window and {@code B} the median spend of its previous {@code baselineWindows} windows (windows
 * without spend count as 0). An anomaly starts when the intent has at least
 * {@code baselineWindows / 2} windows of history, {@code S > factor × B} and {@code S > floor}.
 * The median ignores a few earlier spikes, the floor keeps a quiet intent's cents from alerting.
 * One alert per anomaly: it is not raised again for the intent until a window ends below the
 * threshold (then a new spike is a new anomaly).
 *
 * <p>Spend is credited to the window of the call's start, when the call's workflow is known
 * (its root span arrived: see {@link SpendLedger}). Thread-safe.
 */
public final class BurnRateDetector {

  /** Window length: 5 minutes. */
  public static final Duration WINDOW = Duration.ofMinutes(5);

  /**
   * Settings.
   *
   * @param factor how many times the baseline a window must exceed (default 5)
   * @param baselineWindows how many earlier windows form the baseline (default 12 = 1 h)
   * @param floorUsd spend a window must exceed in any case (default $1)
   * @param maxIntents intents tracked at once (default 10,000; the least recent are dropped)
   */
  public record Settings(BigDecimal factor, int baselineWindows, BigDecimal floorUsd,
      int maxIntents) {
    /** factor 5, 12 windows, floor $1, 10,000 intents. */
    public static Settings defaults() {
      return new Settings(new BigDecimal("5"), 12, BigDecimal.ONE, 10_000);
    }
  }

  private static final class History {
    final TreeMap<Long, Long> windows = new TreeMap<>();
    long firstWindow = Long.MAX_VALUE;
    long lastSeen;
    boolean inAnomaly;
    long anomalyWindow = -1;
  }

  private final Settings settings;
  private final Clock clock;
  private final AlertClaims claims;
  private final Consumer<Alert> sink;
  private final Map<String, History> intents = new HashMap<>();

  public BurnRateDetector(Settings settings, Clock clock, AlertClaims claims,
      Consumer<Alert> sink) {
    this.settings = settings;
    this.clock = clock;
    this.claims = claims;
    this.sink = sink;
  }

  private static long windowOf(Instant t) {
    return Math.floorDiv(t.getEpochSecond(), WINDOW.toSeconds());
  }

  /** A call of a workflow of {@code intent} that started at {@code start} cost {@code nanos}. */
  public synchronized void spent(String intent, Instant start, long nanos) {
    History h = intents.get(intent);
    if (h == null) {
      if (intents.size() >= settings.maxIntents()) {
        String stalest = intents.entrySet().stream()
            .min((a, b) -> Long.compare(a.getValue().lastSeen, b.getValue().lastSeen))
            .map(Map.Entry::getKey).orElseThrow();
        intents.remove(stalest);
      }
      h = new History();
      intents.put(intent, h);
    }
    long w = windowOf(start);
    h.firstWindow = Math.min(h.firstWindow, w);
    h.lastSeen = Math.max(h.lastSeen, w);
    long current = windowOf(clock.instant());
    int m = settings.baselineWindows();
    if (w < current - 2L * m - 1 || w > current + m) {
      // Bounded: only the windows a tick can still read (the baseline's, which tick() prunes to)
      // or will read soon are kept. A call that started further back cannot change an alert any
      // more; one stamped further ahead comes from a clock that is wrong by over an hour
      // (defaults), and kept, one window per distinct start, such calls would hold a map entry
      // each until that time came, years ahead at worst.
      return;
    }
    h.windows.merge(w, nanos, Long::sum);
  }

  /** Windows held across all intents (tests: memory stays bounded). */
  synchronized int windowsHeld() {
    return intents.values().stream().mapToInt(h -> h.windows.size()).sum();
  }

  /** Evaluates every intent's current window now; raises the alerts due. */
  public void tick() {
    List<Alert> due = new ArrayList<>();
    synchronized (this) {
      long current = windowOf(clock.instant());
      long floor = SpendLedger.nanos(settings.floorUsd());
      int m = settings.baselineWindows();
      for (Map.Entry<String, History> e : intents.entrySet()) {
        History h = e.getValue();
        // forget windows older than the baseline needs
        h.windows.headMap(current - 2 * m - 1).clear();
        boolean history = current - h.firstWindow >= m / 2;
        long spend = h.windows.getOrDefault(current, 0L);
        long base = baseline(h, current);
        boolean highNow = history && high(spend, base, floor);
        if (h.inAnomaly) {
          if (highNow) {
            h.anomalyWindow = current;
          } else if (current - 1 > h.anomalyWindow
              && !high(h.windows.getOrDefault(current - 1, 0L), baseline(h, current - 1), floor)) {
            // a whole window ended below the threshold: the anomaly is over
            h.inAnomaly = false;
          }
          continue;
        }
        if (!highNow) {
          continue;
        }
        h.inAnomaly = true;
        h.anomalyWindow = current;
        Instant since = Instant.ofEpochSecond(current * WINDOW.toSeconds());
        String key = "burn|" + e.getKey() + "|" + since;
        BigDecimal s = SpendLedger.usd(spend);
        BigDecimal b = SpendLedger.usd(base);
        due.add(new Alert(Alert.Kind.BURN_RATE, key, "intent " + e.getKey(),
            "intent " + e.getKey() + " spent $" + s.toPlainString() + " in the 5-minute window"
                + " from " + since + ", against a median of $" + b.toPlainString()
                + " over the previous " + m + " windows",
            s.toPlainString(), since, clock.instant(),
            Map.of("intent", e.getKey(), "window_start", since.toString(),
                "baseline_usd", b.toPlainString(), "factor", settings.factor().toPlainString(),
                "floor_usd", settings.floorUsd().toPlainString())));
      }
    }
    // claimed outside the lock: a shared store's round trip must not hold up the write path
    for (Alert a : due) {
      if (claims.claim(a.dedupKey(), a.since().plus(Duration.ofDays(1)))) {
        sink.accept(a);
      }
    }
  }

  private boolean high(long spend, long base, long floor) {
    return spend > floor && BigDecimal.valueOf(spend)
        .compareTo(settings.factor().multiply(BigDecimal.valueOf(base))) > 0;
  }

  private long baseline(History h, long window) {
    int m = settings.baselineWindows();
    long[] v = new long[m];
    for (int i = 0; i < m; i++) {
      v[i] = h.windows.getOrDefault(window - 1 - i, 0L);
    }
    Arrays.sort(v);
    return m % 2 == 1 ? v[m / 2] : (v[m / 2 - 1] + v[m / 2]) / 2;
  }
}
