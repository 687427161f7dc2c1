package io.flowcost.agent.propagation;

import java.util.Locale;

/**
 * A parsed W3C {@code traceparent} header ({@code 00-<trace id>-<parent id>-<flags>}).
 *
 * @param traceId 32 lower-case hex
 * @param parentId 16 lower-case hex
 * @param flags the trace flags byte as two hex digits ({@code 01} sampled)
 */
public record Traceparent(String traceId, String parentId, String flags) {

  /** Formats {@code 00-traceId-parentId-flags}. */
  public String header() {
    return header(traceId, parentId, flags);
  }

  /**
   * Formats {@code 00-traceId-parentId-flags} into a builder of the exact size (the header of
   * every outgoing request: no growth of the builder's array on the way).
   */
  public static String header(String traceId, String parentId, String flags) {
    return new StringBuilder(6 + traceId.length() + parentId.length() + flags.length())
        .append("00-").append(traceId).append('-').append(parentId).append('-').append(flags)
        .toString();
  }

  /** Parses a header; {@code null} when it is malformed or carries all-zero ids. */
  public static Traceparent parse(String header) {
    if (header == null) {
      return null;
    }
    String h = header.trim().toLowerCase(Locale.ROOT);
    // version 00 is exactly 55 characters; later versions may append fields after a dash
    if (h.length() < 55 || (h.length() > 55 && h.charAt(55) != '-') || h.startsWith("ff")) {
      return null;
    }
    if (h.charAt(2) != '-' || h.charAt(35) != '-' || h.charAt(52) != '-') {
      return null;
    }
    String traceId = h.substring(3, 35);
    String parentId = h.substring(36, 52);
    String flags = h.substring(53, 55);
    if (!isHex(h.substring(0, 2)) || !isHex(traceId) || !isHex(parentId) || !isHex(flags)
        || isZero(traceId) || isZero(parentId)) {
      return null;
    }
    return new Traceparent(traceId, parentId, flags);
  }

  /** Whether the sampled bit is set. */
  public boolean sampled() {
    return (Integer.parseInt(flags, 16) & 1) == 1;
  }

  static boolean isHex(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
        return false;
      }
    }
    return !s.isEmpty();
  }

  private static boolean isZero(String s) {
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) != '0') {
        return false;
      }
    }
    return true;
  }
}
