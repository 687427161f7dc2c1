package io.flowcost.outcome.internal;

import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;

/**
 * W3C trace-context identifiers: 32-hex trace ids and 16-hex span ids.
 *
 * <p>Internal to Flowcost; not an API. Ids come from {@link ThreadLocalRandom}, like the
 * OpenTelemetry SDK's default id generator: unique, not secret.
 */
public final class Ids {

  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private Ids() {}

  /** A random, non-zero 32-hex trace id. */
  public static String newTraceId() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    long hi;
    long lo;
    do {
      hi = random.nextLong();
      lo = random.nextLong();
    } while (hi == 0 && lo == 0);
    return hex(hi) + hex(lo);
  }

  /** A random, non-zero 16-hex span id. */
  public static String newSpanId() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    long id;
    do {
      id = random.nextLong();
    } while (id == 0);
    return hex(id);
  }

  /**
   * Returns the lower-case form of a 32-hex trace id.
   *
   * @throws IllegalArgumentException when {@code id} is not 32 hex digits or is all zeros
   */
  public static String requireTraceId(String id) {
    if (id == null || id.length() != 32 || !isHex(id) || id.chars().allMatch(ch -> ch == '0')) {
      throw new IllegalArgumentException("workflow id must be 32 hex digits, not all zero");
    }
    return id.toLowerCase(Locale.ROOT);
  }

  static boolean isHex(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      boolean hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
      if (!hex) {
        return false;
      }
    }
    return true;
  }

  private static String hex(long v) {
    char[] out = new char[16];
    for (int i = 15; i >= 0; i--) {
      out[i] = HEX[(int) (v & 0xF)];
      v >>>= 4;
    }
    return new String(out);
  }
}
