package io.flowcost.agent;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The agent's only log: single lines on stderr, prefixed {@code [flowcost]}.
 *
 * <p>Messages carry names, counts and exception class names only — never prompt text, arguments,
 * exception messages, headers or bodies.
 */
public final class AgentLog {

  private static volatile boolean debug;
  private static final Set<String> ONCE = ConcurrentHashMap.newKeySet();
  private static final AtomicLong FAILURES = new AtomicLong();

  private AgentLog() {}

  /** Turns debug output on or off. */
  public static void setDebug(boolean enabled) {
    debug = enabled;
  }

  /** Whether debug output is on. */
  public static boolean isDebug() {
    return debug;
  }

  /** Logs a line unconditionally. */
  public static void info(String message) {
    System.err.println("[flowcost] " + message);
  }

  /** Logs a line when debug output is on. */
  public static void debug(String message) {
    if (debug) {
      info(message);
    }
  }

  /** Logs a line the first time a key is seen, then stays silent for that key. */
  public static void once(String key, String message) {
    if (ONCE.add(key)) {
      info(message);
    }
  }

  /**
   * Counts an unexpected failure inside the agent and logs it once per location (debug: every
   * time). Only the exception's class name is logged, never its message.
   */
  public static void failure(String where, Throwable t) {
    FAILURES.incrementAndGet();
    String line = "internal error in " + where + ": " + t.getClass().getName();
    if (debug) {
      info(line);
    } else {
      once(where, line + " (further errors here are not logged)");
    }
  }

  /** How many failures {@link #failure} has counted since start-up. */
  public static long failures() {
    return FAILURES.get();
  }
}
