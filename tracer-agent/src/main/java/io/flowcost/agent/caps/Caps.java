package io.flowcost.agent.caps;

import java.math.BigDecimal;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;

/**
 * An immutable set of limits, one per {@link Cap} at most. Parsed from {@code
 * key=value,key=value} where wall time takes a unit ({@code 1500ms}, {@code 90s}, {@code 5m},
 * {@code 1h}) and is held in milliseconds.
 */
public final class Caps {

  /** No limits. */
  public static final Caps NONE = new Caps(new EnumMap<>(Cap.class));

  private final Map<Cap, BigDecimal> limits;

  private Caps(EnumMap<Cap, BigDecimal> limits) {
    this.limits = Collections.unmodifiableMap(limits);
  }

  /**
   * Parses {@code text}. A malformed entry is left out and described in {@code problems} (one
   * entry each, naming {@code setting} and the entry); the others still apply.
   *
   * @param setting the setting's name, for problem descriptions ({@code flowcost.caps})
   */
  public static Caps parse(String setting, String text, List<String> problems) {
    EnumMap<Cap, BigDecimal> limits = new EnumMap<>(Cap.class);
    if (text == null || text.isBlank()) {
      return NONE;
    }
    for (String raw : text.split(",")) {
      String entry = raw.trim();
      if (entry.isEmpty()) {
        continue;
      }
      int eq = entry.indexOf('=');
      if (eq < 0) {
        problems.add(setting + ": '" + Printable.of(entry) + "' is not key=value; running without it");
        continue;
      }
      String key = entry.substring(0, eq).trim();
      String value = entry.substring(eq + 1).trim();
      Cap cap = Cap.fromKey(key);
      if (cap == null) {
        problems.add(setting + ": unknown cap '" + Printable.of(key) + "' (known: " + known() + "); running without it");
        continue;
      }
      BigDecimal limit = value(cap, value);
      if (limit == null) {
        problems.add(setting + ": " + cap.key() + "='" + Printable.of(value) + "' is not "
            + expected(cap) + "; running without this cap");
        continue;
      }
      limits.put(cap, limit);
    }
    return limits.isEmpty() ? NONE : new Caps(limits);
  }

  private static BigDecimal value(Cap cap, String value) {
    try {
      switch (cap) {
        case MAX_COST_USD:
          {
            BigDecimal usd = new BigDecimal(value);
            return usd.signum() >= 0 ? usd : null;
          }
        case MAX_WALL_TIME:
          return millis(value);
        default:
          {
            long n = Long.parseLong(value);
            return n >= 0 ? BigDecimal.valueOf(n) : null;
          }
      }
    } catch (NumberFormatException e) {
      return null;
    }
  }

  /** A duration with a unit ({@code ms}, {@code s}, {@code m}, {@code h}) in ms, or {@code null}; may throw NumberFormatException. */
  static BigDecimal millis(String value) {
    String v = value.toLowerCase(Locale.ROOT);
    long factor;
    String number;
    if (v.endsWith("ms")) {
      factor = 1;
      number = v.substring(0, v.length() - 2);
    } else if (v.endsWith("s")) {
      factor = 1000;
      number = v.substring(0, v.length() - 1);
    } else if (v.endsWith("m")) {
      factor = 60_000;
      number = v.substring(0, v.length() - 1);
    } else if (v.endsWith("h")) {
      factor = 3_600_000;
      number = v.substring(0, v.length() - 1);
    } else {
      return null;
    }
    long n = Long.parseLong(number.trim());
    if (n < 0 || n > Long.MAX_VALUE / factor) {
      return null;
    }
    return BigDecimal.valueOf(n * factor);
  }

  private static String expected(Cap cap) {
    switch (cap) {
      case MAX_COST_USD:
        return "a decimal number of USD >= 0";
      case MAX_WALL_TIME:
        return "a duration >= 0 with a unit (ms, s, m or h), e.g. 5m";
      default:
        return "a whole number >= 0";
    }
  }

  private static String known() {
    StringJoiner j = new StringJoiner(", ");
    for (Cap cap : Cap.values()) {
      if (cap != Cap.BUDGET_USD) { // set on the collector (--budgets), not per workflow
        j.add(cap.key());
      }
    }
    return j.toString();
  }

  /** These limits, each replaced by {@code override}'s where it has one. */
  public Caps overriddenBy(Caps override) {
    if (override.limits.isEmpty()) {
      return this;
    }
    if (limits.isEmpty()) {
      return override;
    }
    EnumMap<Cap, BigDecimal> merged = new EnumMap<>(Cap.class);
    merged.putAll(limits);
    merged.putAll(override.limits);
    return new Caps(merged);
  }

  /** The limit of {@code cap}, or {@code null} when unlimited. */
  public BigDecimal limit(Cap cap) {
    return limits.get(cap);
  }

  /** The limits set, by cap; unmodifiable. */
  public Map<Cap, BigDecimal> limits() {
    return limits;
  }

  /** {@code true} when no limit is set. */
  public boolean isEmpty() {
    return limits.isEmpty();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Caps && ((Caps) o).limits.equals(limits);
  }

  @Override
  public int hashCode() {
    return limits.hashCode();
  }

  @Override
  public String toString() {
    StringJoiner j = new StringJoiner(",");
    limits.forEach((cap, limit) -> j.add(cap.key() + '=' + limit.toPlainString()
        + (cap == Cap.MAX_WALL_TIME ? "ms" : "")));
    return j.toString();
  }
}
