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
  /** The span's attributes by key hash, or null: then each look-up scans the range. */
  private final Index index;

  private Attributes(OtlpSpans table, int from, int to, Index index) {
    this.table = table;
    this.from = from;
    this.to = to;
    this.index = index;
  }

  /** The attributes of span {@code s}; each look-up scans them (see {@link #ofSpan(OtlpSpans, int, Index)}). */
  static Attributes ofSpan(OtlpSpans table, int s) {
    return new Attributes(table, table.spanAttrFrom(s), table.spanAttrTo(s), null);
  }

  /**
   * The attributes of span {@code s}, filed into {@code index} in one pass now, so that each
   * look-up is a hash probe instead of a scan (the interpreter asks for ≈ 40 keys per span). The
   * index is reused: once it is built for another span, this view falls back to scanning — still
   * the same answers.
   */
  static Attributes ofSpan(OtlpSpans table, int s, Index index) {
    int from = table.spanAttrFrom(s);
    int to = table.spanAttrTo(s);
    index.build(table, from, to);
    return new Attributes(table, from, to, index);
  }

  /** The attributes of resource {@code r} (a couple of look-ups each: scanned). */
  static Attributes ofResource(OtlpSpans table, int r) {
    return new Attributes(table, table.resourceAttrFrom(r), table.resourceAttrTo(r), null);
  }

  /** The index of {@code key}'s last occurrence, or -1. */
  private int find(String key) {
    int h = key.hashCode();
    if (index != null && index.isFor(table, from, to)) {
      return index.find(table, key, h);
    }
    for (int a = to - 1; a >= from; a--) {
      if (table.keyEquals(a, key, h)) {
        return a;
      }
    }
    return -1;
  }

  /**
   * An open-addressing table from key hash to attribute, rebuilt for each span: one pass over the
   * span's attributes files every one of them (duplicates included); a look-up probes its key's
   * cluster and keeps the matching attribute that came last, which is what the backwards scan
   * returns. Mutable scratch, reused for the spans of one request by one thread.
   */
  static final class Index {
    private static final int MIN_BITS = 4;
    /** Attribute index + 1 per slot; 0 is an empty slot. */
    private int[] slots = new int[1 << MIN_BITS];
    /** The key hash of the attribute in each slot. */
    private int[] hashes = new int[1 << MIN_BITS];
    private int shift = 32 - MIN_BITS;
    /**
     * One bit per key hash of the span's attributes ({@link #bit}): most of the interpreter's
     * look-ups are for keys the span does not have (a chat span has 5 to 25 of the ≈ 45 keys
     * asked for), and a clear bit answers those without probing.
     */
    private long present;
    private OtlpSpans builtFor;
    private int builtFrom;
    private int builtTo;

    void build(OtlpSpans table, int from, int to) {
      int n = to - from;
      int bits = MIN_BITS;
      while ((1 << bits) < 2 * n) { // at most half full: clusters stay short
        bits++;
      }
      if (slots.length < (1 << bits)) {
        slots = new int[1 << bits];
        hashes = new int[1 << bits];
      } else {
        java.util.Arrays.fill(slots, 0, 1 << bits, 0);
      }
      shift = 32 - bits;
      int mask = (1 << bits) - 1;
      long bits64 = 0;
      for (int a = from; a < to; a++) {
        int h = table.keyHash(a);
        bits64 |= bit(h);
        int i = slot(h);
        while (slots[i] != 0) {
          i = (i + 1) & mask;
        }
        slots[i] = a + 1;
        hashes[i] = h;
      }
      present = bits64;
      builtFor = table;
      builtFrom = from;
      builtTo = to;
    }

    boolean isFor(OtlpSpans table, int from, int to) {
      return builtFor == table && builtFrom == from && builtTo == to;
    }

    /** Fibonacci hashing: similar keys' {@code String} hashes differ mostly in their low bits. */
    private int slot(int h) {
      return (h * 0x9E3779B9) >>> shift;
    }

    /** The bit of {@link #present} for key hash {@code h} (its top 6 bits, Fibonacci-mixed). */
    private static long bit(int h) {
      return 1L << ((h * 0x9E3779B9) >>> 26);
    }

    int find(OtlpSpans table, String key, int h) {
      if ((present & bit(h)) == 0) {
        return -1;
      }
      int mask = (-1 >>> shift);
      int last = -1;
      for (int i = slot(h); slots[i] != 0; i = (i + 1) & mask) {
        int a = slots[i] - 1;
        if (hashes[i] == h && a > last && table.keyEquals(a, key, h)) {
          last = a;
        }
      }
      return last;
    }
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
