package io.flowcost.collector.otlp;

/**
 * Reads an OTLP {@code ExportTraceServiceRequest} straight from its protobuf wire encoding into
 * {@link OtlpSpans}, without building the generated message tree: one pass over the bytes, no
 * object per span field or attribute.
 *
 * <p>It reads what protobuf's own parser would, with the same result, for every encoding it is
 * sure about: fields in any order, unknown fields and fields of an unexpected wire type skipped
 * (protobuf keeps them as unknown fields, which the collector never reads), a repeated scalar
 * field's last value winning, every string checked to be UTF-8 as proto3 requires (including
 * strings the collector does not read: events, links, scopes, status messages). Anything else —
 * malformed bytes, groups, a singular message field sent twice (which protobuf merges), nesting
 * near protobuf's depth limit, {@code Resource.entity_refs} (not read here) — is {@link Odd}: the
 * caller then lets protobuf parse the request (refusing it with protobuf's message, or merging
 * as protobuf does) and reads protobuf's canonical re-encoding, {@code trusted}, instead.
 */
final class OtlpWireReader {

  /** The encoding is one this reader leaves to protobuf's parser. */
  static final class Odd extends Exception {
    private static final long serialVersionUID = 1L;

    Odd() {
      super(null, null, false, false);
    }
  }

  private static final Odd ODD = new Odd();

  /** Protobuf's default recursion limit is 100 nested messages; stay clear of it. */
  private static final int MAX_DEPTH = 90;

  private final byte[] buf;
  /** Bytes produced by protobuf's serializer from a parsed message: valid and canonical. */
  private final boolean trusted;
  private final OtlpSpans out;
  private int pos;

  private OtlpWireReader(byte[] buf, boolean trusted, OtlpSpans out) {
    this.buf = buf;
    this.trusted = trusted;
    this.out = out;
  }

  /**
   * Reads a request.
   *
   * @param trusted whether {@code body} is protobuf's own encoding of a parsed message
   * @throws Odd when the encoding must be left to protobuf's parser (never when trusted, short of
   *     a bug)
   */
  static OtlpSpans read(byte[] body, boolean trusted) throws Odd {
    // a span of the agent's is ~250 bytes with ~7 attributes: size the tables once
    int spans = Math.max(16, body.length / 200);
    OtlpWireReader r = new OtlpWireReader(body, trusted, new OtlpSpans(body, spans, spans * 8));
    r.request();
    return r.out;
  }

  /** The first element of an encoded {@code ArrayValue} as a one-attribute table, or null. */
  static OtlpSpans firstElement(byte[] buf, int off, int len) {
    OtlpWireReader r = new OtlpWireReader(buf, true, new OtlpSpans(buf, 0, 1));
    r.pos = off;
    int end = off + len;
    try {
      while (r.pos < end) {
        int tag = r.tag();
        if (tag == 10) {
          int valueEnd = r.lengthEnd(end);
          int a = r.out.addAttr();
          r.anyValue(valueEnd, a, 0);
          return r.out;
        }
        r.skip(tag, end);
      }
    } catch (Odd e) {
      throw new IllegalStateException("an array value that was read once no longer reads", e);
    }
    return null;
  }

  private void request() throws Odd {
    int end = buf.length;
    while (pos < end) {
      int tag = tag();
      if (tag == 10) {
        resourceSpans(lengthEnd(end));
      } else {
        skip(tag, end);
      }
    }
  }

  private void resourceSpans(int end) throws Odd {
    int r = out.addResource();
    boolean resourceSeen = false;
    while (pos < end) {
      int tag = tag();
      switch (tag) {
        case 10 -> { // resource
          int e = lengthEnd(end);
          if (resourceSeen && !trusted) {
            throw ODD; // protobuf merges the two
          }
          resourceSeen = true;
          resource(r, e);
        }
        case 18 -> scopeSpans(r, lengthEnd(end));
        case 26 -> string(lengthEnd(end)); // schema_url
        default -> skip(tag, end);
      }
    }
    out.resSpanEnd[r] = out.spans;
  }

  private void resource(int r, int end) throws Odd {
    out.resAttrFrom[r] = out.attrs;
    while (pos < end) {
      int tag = tag();
      switch (tag) {
        case 10 -> {
          int e = lengthEnd(end);
          keyValue(e, out.addAttr(), 2);
        }
        case 16 -> varint(); // dropped_attributes_count
        case 26 -> {
          if (!trusted) {
            throw ODD; // entity_refs: not read here, left to protobuf to validate
          }
          pos = lengthEnd(end);
        }
        default -> skip(tag, end);
      }
    }
    out.resAttrTo[r] = out.attrs;
  }

  private void scopeSpans(int r, int end) throws Odd {
    boolean scopeSeen = false;
    while (pos < end) {
      int tag = tag();
      switch (tag) {
        case 10 -> {
          int e = lengthEnd(end);
          if (scopeSeen && !trusted) {
            throw ODD;
          }
          scopeSeen = true;
          scope(e);
        }
        case 18 -> span(lengthEnd(end));
        case 26 -> string(lengthEnd(end)); // schema_url
        default -> skip(tag, end);
      }
    }
  }

  private void scope(int end) throws Odd {
    while (pos < end) {
      int tag = tag();
      switch (tag) {
        case 10, 18 -> string(lengthEnd(end)); // name, version
        case 26 -> keyValue(lengthEnd(end), -1, 3);
        case 32 -> varint();
        default -> skip(tag, end);
      }
    }
  }

  private void span(int end) throws Odd {
    OtlpSpans o = out;
    int s = o.addSpan();
    boolean statusSeen = false;
    // attributes must stay contiguous: events' and links' attributes are only checked
    int attrFrom = o.attrs;
    while (pos < end) {
      int tag = tag();
      switch (tag) {
        case 10 -> { // trace_id
          int e = lengthEnd(end);
          int len = e - pos;
          o.traceLen[s] = len;
          if (len == 16) {
            o.traceHi[s] = bigEndian64(pos);
            o.traceLo[s] = bigEndian64(pos + 8);
          }
          pos = e;
        }
        case 18 -> { // span_id
          int e = lengthEnd(end);
          int len = e - pos;
          o.spanLen[s] = len;
          if (len == 8) {
            o.spanId[s] = bigEndian64(pos);
          }
          pos = e;
        }
        case 26 -> string(lengthEnd(end)); // trace_state
        case 34 -> { // parent_span_id
          int e = lengthEnd(end);
          int len = e - pos;
          o.parentLen[s] = len;
          if (len == 8) {
            o.parentId[s] = bigEndian64(pos);
          }
          pos = e;
        }
        case 42 -> { // name
          int e = lengthEnd(end);
          o.nameOff[s] = pos;
          o.nameLen[s] = e - pos;
          string(e);
        }
        case 48 -> varint(); // kind
        case 57 -> o.start[s] = fixed64(end);
        case 65 -> o.end[s] = fixed64(end);
        case 74 -> keyValue(lengthEnd(end), o.addAttr(), 4);
        case 80, 96, 112 -> varint(); // dropped counts
        case 90 -> event(lengthEnd(end));
        case 106 -> link(lengthEnd(end));
        case 122 -> { // status
          int e = lengthEnd(end);
          if (statusSeen && !trusted) {
            throw ODD;
          }
          statusSeen = true;
          status(s, e);
        }
        case 133 -> fixed32(end); // flags
        default -> skip(tag, end);
      }
    }
    o.spanAttrFrom[s] = attrFrom;
    o.spanAttrTo[s] = o.attrs;
  }

  private void event(int end) throws Odd {
    while (pos < end) {
      int tag = tag();
      switch (tag) {
        case 9 -> fixed64(end);
        case 18 -> string(lengthEnd(end));
        case 26 -> keyValue(lengthEnd(end), -1, 5);
        case 32 -> varint();
        default -> skip(tag, end);
      }
    }
  }

  private void link(int end) throws Odd {
    while (pos < end) {
      int tag = tag();
      switch (tag) {
        case 10, 18 -> pos = lengthEnd(end); // ids: any bytes
        case 26 -> string(lengthEnd(end));
        case 34 -> keyValue(lengthEnd(end), -1, 5);
        case 40 -> varint();
        case 53 -> fixed32(end);
        default -> skip(tag, end);
      }
    }
  }

  private void status(int s, int end) throws Odd {
    while (pos < end) {
      int tag = tag();
      switch (tag) {
        case 18 -> string(lengthEnd(end)); // message
        case 24 -> out.status[s] = (int) varint(); // an enum is read as int32
        default -> skip(tag, end);
      }
    }
  }

  /**
   * One {@code KeyValue}: into attribute {@code a}, or (a = -1) only checked.
   *
   * @param depth messages this one is nested in
   */
  private void keyValue(int end, int a, int depth) throws Odd {
    boolean valueSeen = false;
    while (pos < end) {
      int tag = tag();
      switch (tag) {
        case 10 -> { // key
          int e = lengthEnd(end);
          int from = pos;
          string(e);
          if (a >= 0) {
            out.keyOff[a] = from;
            out.keyLen[a] = e - from;
            key(a, from, e);
          }
        }
        case 18 -> { // value
          int e = lengthEnd(end);
          if (valueSeen && !trusted) {
            throw ODD; // protobuf merges the two values
          }
          valueSeen = true;
          anyValue(e, a, depth + 1);
        }
        case 24 -> varint(); // key_strindex
        default -> skip(tag, end);
      }
    }
  }

  /** One {@code AnyValue}: into attribute {@code a}, or (a = -1) only checked. */
  private void anyValue(int end, int a, int depth) throws Odd {
    if (depth > MAX_DEPTH && !trusted) {
      throw ODD;
    }
    boolean messageSeen = false;
    while (pos < end) {
      int tag = tag();
      switch (tag) {
        case 10 -> { // string_value
          int e = lengthEnd(end);
          set(a, OtlpSpans.ValueType.STRING, 0, pos, e - pos);
          string(e);
        }
        case 16 -> set(a, OtlpSpans.ValueType.BOOL, varint() != 0 ? 1 : 0, 0, 0);
        case 24 -> set(a, OtlpSpans.ValueType.INT, varint(), 0, 0);
        case 33 -> set(a, OtlpSpans.ValueType.DOUBLE, fixed64(end), 0, 0);
        case 42, 50 -> { // array_value, kvlist_value
          int e = lengthEnd(end);
          if (messageSeen && !trusted) {
            throw ODD; // a message-typed member sent twice may be merged by protobuf
          }
          messageSeen = true;
          set(a, tag == 42 ? OtlpSpans.ValueType.ARRAY : OtlpSpans.ValueType.KVLIST, 0, pos,
              e - pos);
          values(e, tag == 42, depth + 1);
        }
        case 58 -> { // bytes_value
          int e = lengthEnd(end);
          set(a, OtlpSpans.ValueType.BYTES, 0, pos, e - pos);
          pos = e;
        }
        case 64 -> set(a, OtlpSpans.ValueType.STRINDEX, (int) varint(), 0, 0);
        default -> skip(tag, end);
      }
    }
  }

  /** An {@code ArrayValue} ({@code AnyValue}s) or {@code KeyValueList} ({@code KeyValue}s). */
  private void values(int end, boolean array, int depth) throws Odd {
    while (pos < end) {
      int tag = tag();
      if (tag == 10) {
        int e = lengthEnd(end);
        if (array) {
          anyValue(e, -1, depth + 1);
        } else {
          keyValue(e, -1, depth + 1);
        }
      } else {
        skip(tag, end);
      }
    }
  }

  private void set(int a, OtlpSpans.ValueType type, long bits, int off, int len) {
    if (a >= 0) {
      out.valueType[a] = (byte) type.ordinal();
      out.valueBits[a] = bits;
      out.valueOff[a] = off;
      out.valueLen[a] = len;
    }
  }

  // ---- wire primitives ----

  private int tag() throws Odd {
    long t = varint();
    int tag = (int) t;
    if ((tag >>> 3) == 0) {
      throw ODD; // protobuf: invalid tag
    }
    return tag;
  }

  /** Protobuf's readRawVarint64: up to 10 bytes, bits past 64 dropped. */
  private long varint() throws Odd {
    long result = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos >= buf.length) {
        throw ODD;
      }
      byte b = buf[pos++];
      result |= (long) (b & 0x7F) << shift;
      if ((b & 0x80) == 0) {
        return result;
      }
    }
    throw ODD; // malformed varint
  }

  /** Reads a length prefix; returns where the value ends (pos is at its start). */
  private int lengthEnd(int limit) throws Odd {
    int len = (int) varint();
    if (len < 0 || len > limit - pos) {
      throw ODD;
    }
    return pos + len;
  }

  private long fixed64(int limit) throws Odd {
    if (limit - pos < 8) {
      throw ODD;
    }
    long v = (buf[pos] & 0xFFL) | (buf[pos + 1] & 0xFFL) << 8 | (buf[pos + 2] & 0xFFL) << 16
        | (buf[pos + 3] & 0xFFL) << 24 | (buf[pos + 4] & 0xFFL) << 32
        | (buf[pos + 5] & 0xFFL) << 40 | (buf[pos + 6] & 0xFFL) << 48
        | (buf[pos + 7] & 0xFFL) << 56;
    pos += 8;
    return v;
  }

  private void fixed32(int limit) throws Odd {
    if (limit - pos < 4) {
      throw ODD;
    }
    pos += 4;
  }

  private long bigEndian64(int at) {
    long v = 0;
    for (int i = 0; i < 8; i++) {
      v = v << 8 | (buf[at + i] & 0xFF);
    }
    return v;
  }

  /** An unknown field (or one of an unexpected wire type, which protobuf treats as unknown). */
  private void skip(int tag, int limit) throws Odd {
    switch (tag & 7) {
      case 0 -> varint();
      case 1 -> {
        if (limit - pos < 8) {
          throw ODD;
        }
        pos += 8;
      }
      case 2 -> pos = lengthEnd(limit);
      case 5 -> fixed32(limit);
      case 3 -> group(tag >>> 3, limit, 0);
      default -> throw ODD; // a stray end-group or an invalid wire type: left to protobuf
    }
    if (pos > limit) {
      throw ODD;
    }
  }

  /** Skips an unknown group (a deprecated encoding protobuf still keeps as an unknown field). */
  private void group(int field, int limit, int depth) throws Odd {
    if (depth > MAX_DEPTH) {
      throw ODD;
    }
    while (pos < limit) {
      int tag = tag();
      int wireType = tag & 7;
      if (wireType == 4) {
        if ((tag >>> 3) != field) {
          throw ODD;
        }
        return;
      }
      if (wireType == 3) {
        group(tag >>> 3, limit, depth + 1);
      } else {
        skip(tag, limit);
      }
    }
    throw ODD; // the group never ends
  }

  /** A string field ending at {@code end}: proto3 strings must be valid UTF-8. */
  private void string(int end) throws Odd {
    if (!trusted && !Utf8.isValid(buf, pos, end)) {
      throw ODD; // protobuf refuses the request: "Protocol message had invalid UTF-8."
    }
    pos = end;
  }

  /** The key's {@link String#hashCode()}: from its bytes when ASCII (almost always). */
  private void key(int a, int from, int to) {
    int h = 0;
    for (int i = from; i < to; i++) {
      byte b = buf[i];
      if (b < 0) {
        out.keyWide[a] = true;
        out.keyHash[a] = new String(buf, from, to - from, java.nio.charset.StandardCharsets.UTF_8)
            .hashCode();
        return;
      }
      h = 31 * h + b;
    }
    out.keyHash[a] = h;
  }

  /** UTF-8 validity as protobuf checks it (no overlong forms, surrogates or code points past U+10FFFF). */
  static final class Utf8 {
    private Utf8() {}

    static boolean isValid(byte[] b, int from, int to) {
      int i = from;
      while (i < to && b[i] >= 0) {
        i++;
      }
      while (i < to) {
        int c = b[i++];
        if (c >= 0) {
          continue;
        }
        if (c < (byte) 0xE0) { // two bytes: C2..DF
          if (i >= to || c < (byte) 0xC2 || b[i++] > (byte) 0xBF) {
            return false;
          }
        } else if (c < (byte) 0xF0) { // three bytes
          if (i + 1 >= to) {
            return false;
          }
          int b2 = b[i++];
          if (b2 > (byte) 0xBF
              || (c == (byte) 0xE0 && b2 < (byte) 0xA0) // overlong
              || (c == (byte) 0xED && b2 >= (byte) 0xA0) // surrogates
              || b[i++] > (byte) 0xBF) {
            return false;
          }
        } else { // four bytes
          if (i + 2 >= to) {
            return false;
          }
          int b2 = b[i++];
          if (b2 > (byte) 0xBF
              // F0 needs 90..BF, F4 needs 80..8F, above F4 never
              || (((c << 28) + (b2 - (byte) 0x90)) >> 30) != 0
              || b[i++] > (byte) 0xBF
              || b[i++] > (byte) 0xBF) {
            return false;
          }
        }
      }
      return true;
    }
  }
}
