package io.flowcost.collector;

/**
 * Makes text that came from a request (model, service, workflow and tag names, ids, …) safe to
 * put in a log line or on a terminal: the one place where this is defined.
 *
 * <p>Control characters are replaced by visible escapes: C0 (newline, carriage return, ESC,
 * NUL, …) and DEL, C1 ({@code U+0080}–{@code U+009F}, which some terminals read as escape
 * sequences), the line and paragraph separators, and the bidirectional overrides and isolates
 * that can make a line read differently from what it holds. So a value can neither forge a log
 * line, nor colour, retitle or clear a terminal. Newline, carriage return and tab become
 * {@code \n}, {@code \r}, {@code \t}; the others {@code \}{@code uXXXX}.
 *
 * <p>Backslashes are kept as they are, which makes {@link #escape} idempotent: the log formatter
 * escapes every message again as a last line of defence without doubling escapes made earlier.
 * (So a literal {@code \n} in a name and an escaped newline read the same; both are harmless.)
 */
public final class SafeText {

  /** The default cap, in characters of the original text, of {@link #of(String)}. */
  public static final int DEFAULT_MAX_CHARS = 200;

  private SafeText() {}

  /** {@link #of(String, int)} with {@link #DEFAULT_MAX_CHARS}. */
  public static String of(String text) {
    return of(text, DEFAULT_MAX_CHARS);
  }

  /**
   * Caps {@code text} at {@code maxChars} characters of the original (never splitting a
   * surrogate pair), marks the cut with {@code …(+N chars)}, then {@linkplain #escape escapes}
   * it. {@code null} becomes {@code "null"}.
   */
  public static String of(String text, int maxChars) {
    if (text == null) {
      return "null";
    }
    if (maxChars < 1) {
      throw new IllegalArgumentException("maxChars must be positive");
    }
    if (text.length() <= maxChars) {
      return escape(text);
    }
    int cut = maxChars;
    if (Character.isHighSurrogate(text.charAt(cut - 1))) {
      cut--;
    }
    return escape(text.substring(0, cut)) + "…(+" + (text.length() - cut) + " chars)";
  }

  /** Replaces every unsafe character (see the class comment) by a visible escape; no cap. */
  public static String escape(String text) {
    if (text == null) {
      return "null";
    }
    int i = 0;
    while (i < text.length() && !unsafe(text.charAt(i))) {
      i++;
    }
    if (i == text.length()) {
      return text;
    }
    StringBuilder out = new StringBuilder(text.length() + 16).append(text, 0, i);
    for (; i < text.length(); i++) {
      char c = text.charAt(i);
      if (!unsafe(c)) {
        out.append(c);
      } else if (c == '\n') {
        out.append("\\n");
      } else if (c == '\r') {
        out.append("\\r");
      } else if (c == '\t') {
        out.append("\\t");
      } else {
        out.append(String.format("\\u%04x", (int) c));
      }
    }
    return out.toString();
  }

  /** Whether {@code c} is a character {@link #escape} replaces. */
  public static boolean unsafe(char c) {
    return c < 0x20 || (c >= 0x7f && c <= 0x9f)
        || c == '\u2028' || c == '\u2029' // line / paragraph separator
        || c == '\u061c' || c == '\u200e' || c == '\u200f' // bidi marks
        || (c >= '\u202a' && c <= '\u202e') // bidi embeddings and overrides
        || (c >= '\u2066' && c <= '\u2069') // bidi isolates
        || c == '\ufeff';
  }
}
