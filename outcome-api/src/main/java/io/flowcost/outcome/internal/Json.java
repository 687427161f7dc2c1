package io.flowcost.outcome.internal;

import java.math.BigDecimal;

/**
 * A minimal streaming JSON writer: objects, arrays, strings, numbers and booleans.
 *
 * <p>Internal to Flowcost; not an API. Strings are escaped per RFC 8259: quote, backslash and
 * every control character below U+0020 are escaped, as are U+2028/U+2029 (so the output is also
 * valid JavaScript) and lone surrogates (replaced by U+FFFD, as they cannot be encoded in UTF-8).
 */
public final class Json {

  private final StringBuilder out = new StringBuilder(256);
  /** {@code true} when the next value in the current container needs a leading comma. */
  private boolean needComma;

  /** Starts an object value. */
  public Json beginObject() {
    separate();
    out.append('{');
    needComma = false;
    return this;
  }

  /** Ends the current object. */
  public Json endObject() {
    out.append('}');
    needComma = true;
    return this;
  }

  /** Starts an array value. */
  public Json beginArray() {
    separate();
    out.append('[');
    needComma = false;
    return this;
  }

  /** Ends the current array. */
  public Json endArray() {
    out.append(']');
    needComma = true;
    return this;
  }

  /** Writes a member name; the next call must write its value. */
  public Json name(String name) {
    separate();
    quote(name);
    out.append(':');
    needComma = false;
    return this;
  }

  /** Writes a string value, or {@code null}. */
  public Json value(String value) {
    separate();
    if (value == null) {
      out.append("null");
    } else {
      quote(value);
    }
    needComma = true;
    return this;
  }

  /** Writes a number value in plain (non-exponent) notation. */
  public Json value(BigDecimal value) {
    separate();
    out.append(value.toPlainString());
    needComma = true;
    return this;
  }

  /** Writes a number value. */
  public Json value(long value) {
    separate();
    out.append(value);
    needComma = true;
    return this;
  }

  /** Writes a boolean value. */
  public Json value(boolean value) {
    separate();
    out.append(value);
    needComma = true;
    return this;
  }

  /** Writes {@code "name": value} when {@code value} is not {@code null}. */
  public Json optional(String name, String value) {
    return value == null ? this : name(name).value(value);
  }

  @Override
  public String toString() {
    return out.toString();
  }

  private void separate() {
    if (needComma) {
      out.append(',');
    }
  }

  private void quote(String s) {
    out.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        case '\b' -> out.append("\\b");
        case '\f' -> out.append("\\f");
        case '\u2028', '\u2029' -> unicode(c);
        default -> {
          if (c < 0x20) {
            unicode(c);
          } else if (Character.isHighSurrogate(c)
              && i + 1 < s.length()
              && Character.isLowSurrogate(s.charAt(i + 1))) {
            out.append(c).append(s.charAt(++i));
          } else if (Character.isSurrogate(c)) {
            out.append('\uFFFD');
          } else {
            out.append(c);
          }
        }
      }
    }
    out.append('"');
  }

  private void unicode(char c) {
    out.append("\\u");
    String hex = Integer.toHexString(c);
    for (int pad = hex.length(); pad < 4; pad++) {
      out.append('0');
    }
    out.append(hex);
  }
}
