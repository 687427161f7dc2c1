package io.flowcost.collector.otlp;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The spans of one OTLP trace export request, read straight from its protobuf encoding into flat
 * tables ({@link OtlpWireReader}): what the collector reads of each span (ids, times, name,
 * status code, attributes) and of each resource (attributes), in the order sent. Strings stay
 * bytes of the request until asked for; attribute values are a type, a number and a byte range,
 * so reading a request allocates nothing per attribute.
 *
 * <p>Indexes: resources {@code 0..resources()-1}; spans {@code 0..spans()-1}, grouped by
 * resource ({@link #firstSpan}, {@link #endSpan}); attributes {@code 0..} grouped by span or
 * resource ({@link #spanAttrFrom}, {@link #resourceAttrFrom}, …). Instances are built once and
 * then only read (not thread-safe while being built).
 */
public final class OtlpSpans {

  /** The kind of an attribute's value: {@code AnyValue}'s oneof case. */
  public enum ValueType {
    /** No value (a {@code KeyValue} without one, or an empty {@code AnyValue}). */
    NONE,
    STRING,
    BOOL,
    INT,
    DOUBLE,
    ARRAY,
    KVLIST,
    BYTES,
    /** {@code string_value_strindex} (profiles' dictionary index): no string of its own. */
    STRINDEX
  }

  private static final ValueType[] TYPES = ValueType.values();

  final byte[] buf;

  int resources;
  int[] resAttrFrom;
  int[] resAttrTo;
  int[] resSpanEnd;

  int spans;
  long[] start;
  long[] end;
  /** Length of the id as sent; the id itself below when the length is the valid one. */
  int[] traceLen;
  long[] traceHi;
  long[] traceLo;
  int[] spanLen;
  long[] spanId;
  int[] parentLen;
  long[] parentId;
  int[] nameOff;
  int[] nameLen;
  int[] status;
  int[] spanAttrFrom;
  int[] spanAttrTo;

  int attrs;
  int[] keyOff;
  int[] keyLen;
  /** {@link String#hashCode()} of the key. */
  int[] keyHash;
  /** Whether the key has non-ASCII characters (then compared as a decoded string). */
  boolean[] keyWide;
  byte[] valueType;
  /** int and bool values; a double's bits. */
  long[] valueBits;
  /** String and bytes values; an array's or kvlist's encoded message. */
  int[] valueOff;
  int[] valueLen;

  OtlpSpans(byte[] buf, int spanCapacity, int attrCapacity) {
    this.buf = buf;
    int r = spanCapacity == 0 ? 0 : 2;
    resAttrFrom = new int[r];
    resAttrTo = new int[r];
    resSpanEnd = new int[r];
    int n = spanCapacity;
    start = new long[n];
    end = new long[n];
    traceLen = new int[n];
    traceHi = new long[n];
    traceLo = new long[n];
    spanLen = new int[n];
    spanId = new long[n];
    parentLen = new int[n];
    parentId = new long[n];
    nameOff = new int[n];
    nameLen = new int[n];
    status = new int[n];
    spanAttrFrom = new int[n];
    spanAttrTo = new int[n];
    int m = attrCapacity;
    keyOff = new int[m];
    keyLen = new int[m];
    keyHash = new int[m];
    keyWide = new boolean[m];
    valueType = new byte[m];
    valueBits = new long[m];
    valueOff = new int[m];
    valueLen = new int[m];
  }

  /** The encoded request the tables point into. */
  public byte[] bytes() {
    return buf;
  }

  /** Number of {@code resourceSpans} entries. */
  public int resources() {
    return resources;
  }

  /** Number of spans in the request. */
  public int spans() {
    return spans;
  }

  /** First span of resource {@code r}. */
  public int firstSpan(int r) {
    return r == 0 ? 0 : resSpanEnd[r - 1];
  }

  /** One past the last span of resource {@code r}. */
  public int endSpan(int r) {
    return resSpanEnd[r];
  }

  public int resourceAttrFrom(int r) {
    return resAttrFrom[r];
  }

  public int resourceAttrTo(int r) {
    return resAttrTo[r];
  }

  public int spanAttrFrom(int s) {
    return spanAttrFrom[s];
  }

  public int spanAttrTo(int s) {
    return spanAttrTo[s];
  }

  public long startTimeUnixNano(int s) {
    return start[s];
  }

  public long endTimeUnixNano(int s) {
    return end[s];
  }

  /** The status code as sent ({@code 2} is {@code STATUS_CODE_ERROR}). */
  public int statusCode(int s) {
    return status[s];
  }

  /** Bytes of the trace id as sent (16 when valid). */
  public int traceIdLength(int s) {
    return traceLen[s];
  }

  /** The first 8 bytes of a 16-byte trace id, big-endian. */
  public long traceIdHigh(int s) {
    return traceHi[s];
  }

  /** The last 8 bytes of a 16-byte trace id, big-endian. */
  public long traceIdLow(int s) {
    return traceLo[s];
  }

  /** Bytes of the span id as sent (8 when valid). */
  public int spanIdLength(int s) {
    return spanLen[s];
  }

  /** An 8-byte span id, big-endian. */
  public long spanId(int s) {
    return spanId[s];
  }

  /** Bytes of the parent span id as sent (0: none; 8 when valid). */
  public int parentSpanIdLength(int s) {
    return parentLen[s];
  }

  /** An 8-byte parent span id, big-endian. */
  public long parentSpanId(int s) {
    return parentId[s];
  }

  /** The span's name (decoded now; the request's bytes are valid UTF-8). */
  public String name(int s) {
    return string(nameOff[s], nameLen[s]);
  }

  /** Whether attribute {@code a}'s key is {@code key}, whose hash code is {@code keyHashCode}. */
  public boolean keyEquals(int a, String key, int keyHashCode) {
    if (keyHash[a] != keyHashCode) {
      return false;
    }
    if (keyWide[a]) {
      return key(a).equals(key);
    }
    int len = keyLen[a];
    if (len != key.length()) {
      return false;
    }
    int off = keyOff[a];
    for (int i = 0; i < len; i++) {
      if (buf[off + i] != key.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  /** Whether attribute {@code a}'s key starts with the ASCII {@code prefix}. */
  public boolean keyStartsWith(int a, String prefix) {
    if (keyWide[a]) {
      return key(a).startsWith(prefix);
    }
    if (keyLen[a] < prefix.length()) {
      return false;
    }
    int off = keyOff[a];
    for (int i = 0; i < prefix.length(); i++) {
      if (buf[off + i] != prefix.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  /** {@link String#hashCode()} of attribute {@code a}'s key (computed once, while decoding). */
  public int keyHash(int a) {
    return keyHash[a];
  }

  /** Attribute {@code a}'s key. */
  public String key(int a) {
    return new String(buf, keyOff[a], keyLen[a], StandardCharsets.UTF_8);
  }

  public ValueType type(int a) {
    return TYPES[valueType[a]];
  }

  /** An {@code INT} value. */
  public long intValue(int a) {
    return valueBits[a];
  }

  /** A {@code BOOL} value. */
  public boolean boolValue(int a) {
    return valueBits[a] != 0;
  }

  /** A {@code DOUBLE} value. */
  public double doubleValue(int a) {
    return Double.longBitsToDouble(valueBits[a]);
  }

  /** A {@code STRING} value. */
  public String stringValue(int a) {
    return string(valueOff[a], valueLen[a]);
  }

  /** Strings of at most this many bytes are shared within the request ({@link #string}). */
  static final int SHARED_MAX_BYTES = 64;
  private static final int SHARED_SLOT_BITS = 8;
  private static final int SHARED_SLOTS = 1 << SHARED_SLOT_BITS;
  private int[] sharedOff;
  private int[] sharedLen;
  private String[] shared;

  /**
   * The UTF-8 string at {@code buf[off, off + len)}. A short one that occurred earlier in the
   * same request is that earlier {@code String}: the model, provider, service, operation and
   * status names a request repeats on each of its spans are then decoded once and held once
   * by the rows that wait for the lake flush, instead of once per span (same text either way).
   * A direct-mapped table of the last string per slot, compared byte by byte with the earlier
   * occurrence, which is in the same buffer.
   */
  private String string(int off, int len) {
    if (len > SHARED_MAX_BYTES) {
      return new String(buf, off, len, StandardCharsets.UTF_8);
    }
    sharedTables();
    int slot = slot(off, len);
    String s = shared[slot];
    if (s != null && sharedLen[slot] == len
        && java.util.Arrays.equals(buf, sharedOff[slot], sharedOff[slot] + len, buf, off,
            off + len)) {
      return s;
    }
    s = new String(buf, off, len, StandardCharsets.UTF_8);
    shared[slot] = s;
    sharedOff[slot] = off;
    sharedLen[slot] = len;
    return s;
  }

  private void sharedTables() {
    if (shared == null) {
      sharedOff = new int[SHARED_SLOTS];
      sharedLen = new int[SHARED_SLOTS];
      shared = new String[SHARED_SLOTS];
    }
  }

  private static final java.lang.invoke.VarHandle LONGS =
      java.lang.invoke.MethodHandles.byteArrayViewVarHandle(long[].class,
          java.nio.ByteOrder.LITTLE_ENDIAN);

  /**
   * The shared-string slot of {@code buf[off, off + len)}: from the length and the first and
   * last 8 bytes, not every byte (a miss or a collision only costs a decode: the slot's string is
   * compared byte by byte before it is used).
   */
  private int slot(int off, int len) {
    long x;
    if (len >= 8) {
      x = (long) LONGS.get(buf, off) * 0x9E3779B97F4A7C15L
          ^ Long.rotateLeft((long) LONGS.get(buf, off + len - 8), 31);
    } else {
      x = 0;
      for (int i = off; i < off + len; i++) {
        x = (x << 8) | (buf[i] & 0xFF);
      }
      x *= 0x9E3779B97F4A7C15L;
    }
    x = (x ^ len) * 0xBF58476D1CE4E5B9L;
    return (int) (x >>> (64 - SHARED_SLOT_BITS));
  }

  /**
   * The first element of an {@code ARRAY} value, as a one-attribute table of its own (key
   * empty), or {@code null} when the array is empty.
   */
  public OtlpSpans firstElement(int a) {
    OtlpSpans element = OtlpWireReader.firstElement(buf, valueOff[a], valueLen[a]);
    if (element != null) {
      // same bytes: the element's strings are shared with this request's (a finish reason
      // array per call span built a 256-slot table of its own, ~3 KB, for one string)
      sharedTables();
      element.sharedOff = sharedOff;
      element.sharedLen = sharedLen;
      element.shared = shared;
    }
    return element;
  }

  // ---- building (OtlpWireReader) ----

  int addResource() {
    if (resources == resAttrFrom.length) {
      int n = Math.max(2, resources * 2);
      resAttrFrom = Arrays.copyOf(resAttrFrom, n);
      resAttrTo = Arrays.copyOf(resAttrTo, n);
      resSpanEnd = Arrays.copyOf(resSpanEnd, n);
    }
    int r = resources++;
    resAttrFrom[r] = attrs;
    resAttrTo[r] = attrs;
    resSpanEnd[r] = spans;
    return r;
  }

  int addSpan() {
    if (spans == start.length) {
      int n = Math.max(16, spans * 2);
      start = Arrays.copyOf(start, n);
      end = Arrays.copyOf(end, n);
      traceLen = Arrays.copyOf(traceLen, n);
      traceHi = Arrays.copyOf(traceHi, n);
      traceLo = Arrays.copyOf(traceLo, n);
      spanLen = Arrays.copyOf(spanLen, n);
      spanId = Arrays.copyOf(spanId, n);
      parentLen = Arrays.copyOf(parentLen, n);
      parentId = Arrays.copyOf(parentId, n);
      nameOff = Arrays.copyOf(nameOff, n);
      nameLen = Arrays.copyOf(nameLen, n);
      status = Arrays.copyOf(status, n);
      spanAttrFrom = Arrays.copyOf(spanAttrFrom, n);
      spanAttrTo = Arrays.copyOf(spanAttrTo, n);
    }
    int s = spans++;
    start[s] = 0;
    end[s] = 0;
    traceLen[s] = 0;
    traceHi[s] = 0;
    traceLo[s] = 0;
    spanLen[s] = 0;
    spanId[s] = 0;
    parentLen[s] = 0;
    parentId[s] = 0;
    nameOff[s] = 0;
    nameLen[s] = 0;
    status[s] = 0;
    spanAttrFrom[s] = attrs;
    spanAttrTo[s] = attrs;
    return s;
  }

  int addAttr() {
    if (attrs == keyOff.length) {
      int n = Math.max(16, attrs * 2);
      keyOff = Arrays.copyOf(keyOff, n);
      keyLen = Arrays.copyOf(keyLen, n);
      keyHash = Arrays.copyOf(keyHash, n);
      keyWide = Arrays.copyOf(keyWide, n);
      valueType = Arrays.copyOf(valueType, n);
      valueBits = Arrays.copyOf(valueBits, n);
      valueOff = Arrays.copyOf(valueOff, n);
      valueLen = Arrays.copyOf(valueLen, n);
    }
    int a = attrs++;
    keyOff[a] = 0;
    keyLen[a] = 0;
    keyHash[a] = 0;
    keyWide[a] = false;
    valueType[a] = 0;
    valueBits[a] = 0;
    valueOff[a] = 0;
    valueLen[a] = 0;
    return a;
  }
}
