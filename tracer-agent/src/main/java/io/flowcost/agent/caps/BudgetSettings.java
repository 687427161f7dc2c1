package io.flowcost.agent.caps;

import java.util.Locale;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * How the agent follows the collector's budgets ({@code GET /v1/budgets}), read through the
 * agent's one settings reader. The collector endpoint and API key are the export settings'
 * ({@code flowcost.endpoint}, {@code flowcost.api-key}); the mode is {@code flowcost.caps.mode}.
 *
 * <ul>
 *   <li>{@code flowcost.budgets.poll} — how often the status is fetched, a duration with a unit
 *       ({@code 15s} by default; {@code off} or {@code 0} turns budgets off in this agent).
 *   <li>{@code flowcost.budgets.max-age} — how old the last status may be and still refuse
 *       workflows ({@code 5m} by default): when the collector has not answered for longer, the
 *       agent refuses nothing on budgets (it never blocks the app on stale data) and logs so once.
 * </ul>
 *
 * @param pollMillis fetch interval in ms; 0 when off
 * @param maxAgeMillis the stale bound in ms (at least the interval)
 */
public record BudgetSettings(long pollMillis, long maxAgeMillis) {

  /** Settings key of the poll interval. */
  public static final String POLL_KEY = "flowcost.budgets.poll";
  /** Settings key of the stale bound. */
  public static final String MAX_AGE_KEY = "flowcost.budgets.max-age";
  /** Default interval: 15 s (the collector re-evaluates budgets every 10 s). */
  public static final long DEFAULT_POLL_MILLIS = 15_000;
  /** Default stale bound: 5 min (20 missed polls). */
  public static final long DEFAULT_MAX_AGE_MILLIS = 300_000;

  /** Budgets not followed. */
  public static final BudgetSettings OFF = new BudgetSettings(0, DEFAULT_MAX_AGE_MILLIS);

  /**
   * Reads the settings; a malformed value is reported once through {@code problems} and the
   * default is used.
   */
  public static BudgetSettings read(Function<String, String> lookup, Consumer<String> problems) {
    long poll = DEFAULT_POLL_MILLIS;
    String pollText = lookup.apply(POLL_KEY);
    if (pollText != null) {
      String p = pollText.trim().toLowerCase(Locale.ROOT);
      if (p.equals("off") || p.equals("0")) {
        poll = 0;
      } else {
        Long ms = millis(p);
        if (ms == null || ms < 100) {
          problems.accept(POLL_KEY + ": '" + Printable.of(pollText) + "' is not a duration of at"
              + " least 100ms with a unit (ms, s, m or h) or 'off'; polling every 15s");
        } else {
          poll = ms;
        }
      }
    }
    long maxAge = DEFAULT_MAX_AGE_MILLIS;
    String ageText = lookup.apply(MAX_AGE_KEY);
    if (ageText != null) {
      Long ms = millis(ageText.trim().toLowerCase(Locale.ROOT));
      if (ms == null || ms <= 0) {
        problems.accept(MAX_AGE_KEY + ": '" + Printable.of(ageText) + "' is not a duration > 0"
            + " with a unit (ms, s, m or h); using 5m");
      } else {
        maxAge = ms;
      }
    }
    return new BudgetSettings(poll, Math.max(maxAge, poll));
  }

  /** Whether the agent polls budgets. */
  public boolean enabled() {
    return pollMillis > 0;
  }

  private static Long millis(String v) {
    try {
      java.math.BigDecimal parsed = Caps.millis(v); // the syntax of max-wall-time
      return parsed == null ? null : parsed.longValue();
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
