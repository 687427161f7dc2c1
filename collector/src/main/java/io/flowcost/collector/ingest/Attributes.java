package io.flowcost.collector.ingest;

import io.flowcost.collector.otlp.OtlpSpans;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Read-only typed access to one span's (or resource's) attributes, a range of an {@link
 * OtlpSpans} table. When a key is sent more than once, the last value counts (as protobuf's
 * message tree read into a map always had it).
 */
final class Attributes {

  private final OtlpSpans table;
  private final int from;
  private final int to;

  private Attributes(OtlpSpans table, int from, int to) {
    this.table = table;
    this.from = from;
    this.to = to;
  }

  /** The attributes of span {@code s}. */
  static Attributes ofSpan(OtlpSpans table, int s) {
    return new Attributes(table, table.spanAttrFrom(s), table.spanAttrTo(s));
  }

  /** The attributes of resource {@code r}. */
  static Attributes ofResource(OtlpSpans table, int r) {
    return new Attributes(table, table.resourceAttrFrom(r), table.resourceAttrTo(r));
  }

  /** The index of {@code key}'s last occurrence, or -1. */
  private int find(String key) {
    int h = key.hashCode();
    for (int a = to - 1; a >= from; a--) {
      if (table.keyEquals(a, key, h)) {
        return a;
      }
    }
    return -1;
  }

  boolean has(String key) {
    return find(key) >= 0;
  }

  String string(String key) {
    int a = find(key);
    return a < 0 ? null : string(table, a);
  }

  private static String string(OtlpSpans t, int a) {
    switch (t.type(a)) {
      case STRING:
        return t.stringValue(a);
      case INT:
        return Long.toString(t.intValue(a));
      case BOOL:
        return Boolean.toString(t.boolValue(a));
      case DOUBLE:
        return Double.toString(t.doubleValue(a));
      case ARRAY:
        OtlpSpans first = t.firstElement(a);
        return first == null ? null : string(first, 0);
      default:
        return null;
    }
  }

  /**
   * Returns an integer attribute; string-encoded integers are accepted because some SDKs send them.
   *
   * @throws IllegalArgumentException when present but not an integer
   */
  Long integer(String key) {
    int a = find(key);
    if (a < 0) {
      return null;
    }
    switch (table.type(a)) {
      case INT:
        return table.intValue(a);
      case DOUBLE:
        double d = table.doubleValue(a);
        if (d == Math.rint(d) && Math.abs(d) < 1e15) {
          return (long) d;
        }
        throw new IllegalArgumentException("attribute " + key + " is not an integer");
      case STRING:
        try {
          return Long.parseLong(table.stringValue(a).trim());
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException("attribute " + key + " is not an integer");
        }
      default:
        throw new IllegalArgumentException("attribute " + key + " is not an integer");
    }
  }

  /**
   * Returns a non-negative decimal attribute (double, integer or decimal string; an array's first
   * element), or null when absent or not such a number. A double is read by its shortest decimal
   * form ({@code 0.0021} stays 0.0021).
   */
  java.math.BigDecimal nonNegativeDecimal(String key) {
    String s = string(key);
    if (s == null) {
      return null;
    }
    try {
      java.math.BigDecimal d = new java.math.BigDecimal(s.trim());
      return d.signum() < 0 ? null : d;
    } catch (NumberFormatException e) {
      return null;
    }
  }

  boolean bool(String key) {
    int a = find(key);
    if (a < 0) {
      return false;
    }
    if (table.type(a) == OtlpSpans.ValueType.BOOL) {
      return table.boolValue(a);
    }
    return "true".equalsIgnoreCase(string(table, a));
  }

  /**
   * All attributes whose key starts with {@code prefix} and whose value reads as a string, keyed
   * by the rest of the key, in key order.
   */
  Map<String, String> withPrefix(String prefix) {
    Map<String, Integer> last = new TreeMap<>();
    for (int a = from; a < to; a++) {
      if (table.keyStartsWith(a, prefix)) {
        String k = table.key(a);
        if (k.length() > prefix.length()) {
          last.put(k, a);
        }
      }
    }
    Map<String, String> out = new LinkedHashMap<>();
    last.forEach((k, a) -> {
      String s = string(table, a);
      if (s != null) {
        out.put(k.substring(prefix.length()), s);
      }
    });
    return out;
  }
}
