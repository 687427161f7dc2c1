package io.flowcost.collector.metrics;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * The collector's Prometheus metrics: families registered once, rendered as Prometheus text
 * exposition format 0.0.4 by {@link #render()} (served at {@code GET /metrics}).
 *
 * <p><b>Registration point for other collector features.</b> A feature that wants to show a
 * figure on {@code /metrics} registers it here once, at start:
 * <ul>
 *   <li>{@link #counter} for something counted as it happens (values are {@code long}: exact,
 *       and a sum of nano-dollars stays exact up to 2<sup>63</sup>);
 *   <li>{@link #gauge} for a figure read when scraped: the supplier returns the current samples
 *       (it runs on a worker thread, never the event loop, and must be quick and thread-safe).
 * </ul>
 * Names must match {@code [a-zA-Z_:][a-zA-Z0-9_:]*}; a name registered twice is refused.
 *
 * <p><b>Bounded labels.</b> Label values that come from requests (intent, model, team, service,
 * …) must never make an unbounded set of series. Every counter label is bounded: per label
 * name, the first {@link #maxValuesPerLabel()} distinct values seen since start keep their own
 * series, later ones are counted under {@value #OTHER}. Values are cut to
 * {@value #MAX_LABEL_VALUE_CHARS} characters and escaped per the exposition format. Gauges whose
 * label values come from configuration (budgets) are bounded by that configuration and are not
 * collapsed (collapsing gauges would make duplicate series).
 *
 * <p><b>Budget gauges (issue 12 item 2 implements them; the Grafana dashboard queries them).</b>
 * Registered by the budgets feature with exactly these names and labels ({@link #BUDGET_LABELS}):
 * {@link #BUDGET_USED_RATIO}, {@link #BUDGET_SPEND_USD}, {@link #BUDGET_LIMIT_USD}.
 */
public final class MetricsRegistry {

  /** The label value that stands for every value past the first {@code N} of a label. */
  public static final String OTHER = "other";
  /** Longest label value kept; longer ones are cut. */
  public static final int MAX_LABEL_VALUE_CHARS = 128;
  /** Default number of distinct values a label keeps before using {@value #OTHER}. */
  public static final int DEFAULT_MAX_VALUES_PER_LABEL = 20;

  /**
   * Budget use: spend so far in the current period divided by the budget's limit (its hard cap,
   * or its soft cap without one; 1.0 = limit reached). Labels {@link #BUDGET_LABELS}.
   */
  public static final String BUDGET_USED_RATIO = "flowcost_budget_used_ratio";
  /** Budget spend so far in the current period, USD. Labels {@link #BUDGET_LABELS}. */
  public static final String BUDGET_SPEND_USD = "flowcost_budget_spend_usd";
  /** Budget limit for the period (hard cap, else soft cap), USD. Labels {@link #BUDGET_LABELS}. */
  public static final String BUDGET_LIMIT_USD = "flowcost_budget_limit_usd";
  /**
   * Labels of the budget gauges: {@code owner_key} is the tag key the budget is on (team,
   * feature, customer, …), {@code owner} its value, {@code period} {@code day} or {@code month}.
   */
  public static final List<String> BUDGET_LABELS = List.of("owner_key", "owner", "period");

  private static final Pattern NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
  private static final Pattern LABEL = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");

  /** Kind of a family, as written on its {@code # TYPE} line. */
  public enum Type {
    COUNTER("counter"), GAUGE("gauge");

    private final String text;

    Type(String text) {
      this.text = text;
    }
  }

  /** One sample of a gauge: label values in the family's label order, and the value. */
  public record Sample(List<String> labelValues, double value) {
    public Sample {
      labelValues = List.copyOf(labelValues);
    }

    /** A sample with no labels. */
    public static Sample of(double value) {
      return new Sample(List.of(), value);
    }
  }

  private final int maxValuesPerLabel;
  private final Map<String, Family> families = new java.util.LinkedHashMap<>();
  private final Map<String, Set<String>> admitted = new ConcurrentHashMap<>();

  /** A registry whose labels keep {@value #DEFAULT_MAX_VALUES_PER_LABEL} values each. */
  public MetricsRegistry() {
    this(DEFAULT_MAX_VALUES_PER_LABEL);
  }

  /** A registry whose labels keep {@code maxValuesPerLabel} distinct values each, then other. */
  public MetricsRegistry(int maxValuesPerLabel) {
    if (maxValuesPerLabel < 1) {
      throw new IllegalArgumentException("the number of label values kept must be at least 1");
    }
    this.maxValuesPerLabel = maxValuesPerLabel;
  }

  /** Distinct values each counter label keeps before later ones are counted as other. */
  public int maxValuesPerLabel() {
    return maxValuesPerLabel;
  }

  /** Registers a counter family; {@code name} should end in {@code _total}. */
  public synchronized Counter counter(String name, String help, String... labelNames) {
    Counter c = new Counter(name, help, List.of(labelNames), 1L);
    register(c);
    return c;
  }

  /**
   * Registers a counter family whose values are written divided by {@code divisor}: a counter
   * of nano-dollars with divisor 10<sup>9</sup> is written in USD, exactly (as a decimal with
   * nine places), though a scraper parses it into a double (exact to 1e-9 below ~$9M).
   */
  public synchronized Counter scaledCounter(String name, String help, long divisor,
      String... labelNames) {
    Counter c = new Counter(name, help, List.of(labelNames), divisor);
    register(c);
    return c;
  }

  /**
   * Registers a gauge family read at scrape time. {@code samples} runs on a worker thread for
   * every scrape; its label values are written as they are (escaped and cut, not collapsed).
   */
  public synchronized void gauge(String name, String help, List<String> labelNames,
      Supplier<? extends Collection<Sample>> samples) {
    register(new Gauge(name, help, List.copyOf(labelNames), samples));
  }

  /** Registers a gauge without labels read at scrape time. */
  public void gauge(String name, String help, java.util.function.DoubleSupplier value) {
    gauge(name, help, List.of(), () -> List.of(Sample.of(value.getAsDouble())));
  }

  /** Whether a family of that name is registered. */
  public synchronized boolean isRegistered(String name) {
    return families.containsKey(name);
  }

  /** Names of every registered family, in registration order. */
  public synchronized List<String> names() {
    return List.copyOf(families.keySet());
  }

  private void register(Family f) {
    if (!NAME.matcher(f.name).matches()) {
      throw new IllegalArgumentException("invalid metric name: " + f.name);
    }
    for (String l : f.labelNames) {
      if (!LABEL.matcher(l).matches() || l.startsWith("__")) {
        throw new IllegalArgumentException("invalid label name: " + l);
      }
    }
    if (families.putIfAbsent(f.name, f) != null) {
      throw new IllegalArgumentException("metric registered twice: " + f.name);
    }
  }

  /** The metrics in Prometheus text format 0.0.4 ({@code text/plain; version=0.0.4}). */
  public String render() {
    List<Family> all;
    synchronized (this) {
      all = new ArrayList<>(families.values());
    }
    StringBuilder out = new StringBuilder(4096);
    for (Family f : all) {
      f.render(out);
    }
    return out.toString();
  }

  /** The value a label takes: its own while fewer than N values are known, else other. */
  String bounded(String labelName, String value) {
    String v = value == null ? "" : value.length() > MAX_LABEL_VALUE_CHARS
        ? value.substring(0, MAX_LABEL_VALUE_CHARS) : value;
    Set<String> known = admitted.computeIfAbsent(labelName, k -> ConcurrentHashMap.newKeySet());
    if (known.contains(v)) {
      return v;
    }
    synchronized (known) {
      if (known.contains(v)) {
        return v;
      }
      if (known.size() < maxValuesPerLabel) {
        known.add(v);
        return v;
      }
    }
    return OTHER;
  }

  private abstract static class Family {
    final String name;
    final String help;
    final List<String> labelNames;
    final Type type;

    Family(String name, String help, List<String> labelNames, Type type) {
      this.name = name;
      this.help = help;
      this.labelNames = labelNames;
      this.type = type;
    }

    final void render(StringBuilder out) {
      out.append("# HELP ").append(name).append(' ').append(escapeHelp(help)).append('\n');
      out.append("# TYPE ").append(name).append(' ').append(type.text).append('\n');
      renderSamples(out);
    }

    abstract void renderSamples(StringBuilder out);

    final void sample(StringBuilder out, List<String> values, String number) {
      out.append(name);
      if (!labelNames.isEmpty()) {
        out.append('{');
        for (int i = 0; i < labelNames.size(); i++) {
          if (i > 0) {
            out.append(',');
          }
          out.append(labelNames.get(i)).append("=\"");
          String v = values.get(i) == null ? "" : values.get(i);
          escapeLabelValue(out, v.length() > MAX_LABEL_VALUE_CHARS
              ? v.substring(0, MAX_LABEL_VALUE_CHARS) : v);
          out.append('"');
        }
        out.append('}');
      }
      out.append(' ').append(number).append('\n');
    }
  }

  /**
   * A counter family: monotonically increasing {@code long} per label set. Label values are
   * bounded ({@link MetricsRegistry}); thread-safe, lock-free once a series exists.
   */
  public final class Counter extends Family {
    private final long divisor;
    private final Map<List<String>, AtomicLong> series = new ConcurrentHashMap<>();

    private Counter(String name, String help, List<String> labelNames, long divisor) {
      super(name, help, labelNames, Type.COUNTER);
      this.divisor = divisor;
    }

    /** Adds {@code amount} (≥ 0) to the series of these label values (bounded first). */
    public void add(long amount, String... labelValues) {
      if (amount < 0) {
        throw new IllegalArgumentException("a counter only increases: " + name);
      }
      if (labelValues.length != labelNames.size()) {
        throw new IllegalArgumentException(name + " has labels " + labelNames);
      }
      List<String> key = new ArrayList<>(labelValues.length);
      for (int i = 0; i < labelValues.length; i++) {
        key.add(bounded(labelNames.get(i), labelValues[i]));
      }
      series.computeIfAbsent(List.copyOf(key), k -> new AtomicLong()).addAndGet(amount);
    }

    /** Adds one. */
    public void inc(String... labelValues) {
      add(1, labelValues);
    }

    /** The current value of one series (label values as written), 0 when it does not exist. */
    public long value(String... labelValues) {
      AtomicLong v = series.get(List.of(labelValues));
      return v == null ? 0 : v.get();
    }

    @Override
    void renderSamples(StringBuilder out) {
      List<Map.Entry<List<String>, AtomicLong>> entries = new ArrayList<>(series.entrySet());
      entries.sort((a, b) -> String.join("\0", a.getKey()).compareTo(String.join("\0", b.getKey())));
      for (Map.Entry<List<String>, AtomicLong> e : entries) {
        long v = e.getValue().get();
        String number = divisor == 1 ? Long.toString(v)
            : BigDecimal.valueOf(v).divide(BigDecimal.valueOf(divisor)).toPlainString();
        sample(out, e.getKey(), number);
      }
    }
  }

  private static final class Gauge extends Family {
    private final Supplier<? extends Collection<Sample>> samples;

    Gauge(String name, String help, List<String> labelNames,
        Supplier<? extends Collection<Sample>> samples) {
      super(name, help, labelNames, Type.GAUGE);
      this.samples = samples;
    }

    @Override
    void renderSamples(StringBuilder out) {
      for (Sample s : Objects.requireNonNull(samples.get(), name)) {
        if (s.labelValues().size() != labelNames.size()) {
          throw new IllegalStateException(name + " has labels " + labelNames);
        }
        sample(out, s.labelValues(), formatDouble(s.value()));
      }
    }
  }

  /** A double as the exposition format writes it ({@code NaN}, {@code +Inf}, {@code -Inf}). */
  static String formatDouble(double v) {
    if (Double.isNaN(v)) {
      return "NaN";
    }
    if (Double.isInfinite(v)) {
      return v > 0 ? "+Inf" : "-Inf";
    }
    if (v == Math.rint(v) && Math.abs(v) < 1e15) {
      return Long.toString((long) v);
    }
    return Double.toString(v);
  }

  /** Label values escape backslash, double quote and line feed (exposition format 0.0.4). */
  static void escapeLabelValue(StringBuilder out, String v) {
    for (int i = 0; i < v.length(); i++) {
      char c = v.charAt(i);
      switch (c) {
        case '\\' -> out.append("\\\\");
        case '"' -> out.append("\\\"");
        case '\n' -> out.append("\\n");
        default -> out.append(c);
      }
    }
  }

  /** HELP text escapes backslash and line feed. */
  static String escapeHelp(String help) {
    return help.replace("\\", "\\\\").replace("\n", "\\n");
  }
}
