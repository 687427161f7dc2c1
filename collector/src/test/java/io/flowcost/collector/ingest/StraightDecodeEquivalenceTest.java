package io.flowcost.collector.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.UnknownFieldSet;
import io.flowcost.collector.otlp.BadInputException;
import io.flowcost.collector.otlp.OtlpSpans;
import io.flowcost.collector.otlp.OtlpTraceDecoder;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.ArrayValue;
import io.opentelemetry.proto.common.v1.EntityRef;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.common.v1.KeyValueList;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The straight protobuf reader ({@code OtlpWireReader} into {@link OtlpSpans}) against protobuf's
 * own parser: for a seeded corpus of requests — every {@code AnyValue} type, nested arrays,
 * duplicate keys, ids of every length, events, links, unknown fields of every wire type, known
 * field numbers sent with the wrong wire type, spans sent as two concatenated halves (which
 * protobuf merges: fields out of order, scalars sent twice, status twice), resources with entity
 * refs, invalid UTF-8, and random byte corruptions — every span and attribute reads exactly as
 * the generated message tree says (attributes through the accessors the interpreter uses, with
 * the semantics {@code Attributes} had over the message tree), the rows are the rows, and what
 * protobuf refuses is refused with protobuf's message.
 */
class StraightDecodeEquivalenceTest {

  private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
  private static final List<String> KEYS = List.of("gen_ai.request.model", "gen_ai.usage.input_tokens",
      "gen_ai.usage.output_tokens", "gen_ai.operation.name", "gen_ai.provider.name",
      "gen_ai.response.finish_reasons", "flowcost.attempt", "flowcost.tag.team", "flowcost.tag.é",
      "flowcost.workflow.root", "flowcost.provider_cost_usd", "service.name", "ключ", "", "k",
      "flowcost.", "flowcost.tag.");
  private static final List<String> STRINGS = List.of("", "gpt-4o-mini", " 42 ", "-3", "1.5",
      "true", "TRUE", "0.0021", "1e3", "[\"stop\",\"length\"]", "naïve ☃ 𝄞", "chat", "x".repeat(300));

  @Test
  void aCorpusOfRequestsReadsExactlyAsProtobufParsesIt() throws Exception {
    Random random = new Random(20261206);
    int compared = 0;
    for (int i = 0; i < 400; i++) {
      ExportTraceServiceRequest request = request(random);
      compared += compare(request.toByteArray());
      compared += compare(withUnknownFields(request, random).toByteArray());
      compared += compare(halvedSpans(request, random));
    }
    assertThat(compared).isGreaterThan(1000);
  }

  @Test
  void corruptedBytesAreRefusedExactlyWhenProtobufRefusesThem() throws Exception {
    Random random = new Random(7);
    int refused = 0;
    for (int i = 0; i < 1500; i++) {
      byte[] body = request(random).toByteArray();
      if (body.length == 0) {
        continue;
      }
      int flips = 1 + random.nextInt(3);
      for (int f = 0; f < flips; f++) {
        body[random.nextInt(body.length)] = (byte) random.nextInt(256);
      }
      if (random.nextInt(4) == 0) {
        body = java.util.Arrays.copyOf(body, random.nextInt(body.length));
      }
      if (compare(body) == 0) {
        refused++;
      }
    }
    assertThat(refused).isPositive();
  }

  @Test
  void invalidUtf8AnywhereIsRefusedWithProtobufsMessage() throws Exception {
    byte[] bad = {'o', 'k', (byte) 0xC0, (byte) 0x80}; // an overlong NUL
    // as a span name, an attribute value, a scope name and a status message
    for (int field : new int[] {1, 2, 3, 4}) {
      ByteArrayOutputStream span = new ByteArrayOutputStream();
      CodedOutputStream out = CodedOutputStream.newInstance(span);
      out.writeBytes(1, ByteString.copyFrom(new byte[16]));
      switch (field) {
        case 1 -> out.writeBytes(5, ByteString.copyFrom(bad));
        case 2 -> {
          ByteString value = bytesOf(o -> o.writeBytes(1, ByteString.copyFrom(bad)));
          out.writeBytes(9, bytesOf(o -> {
            o.writeString(1, "k");
            o.writeBytes(2, value);
          }));
        }
        case 3 -> out.writeBytes(3, ByteString.copyFrom(bad)); // trace_state
        default -> out.writeBytes(15, bytesOf(o -> o.writeBytes(2, ByteString.copyFrom(bad))));
      }
      out.flush();
      ByteString spanBytes = ByteString.copyFrom(span.toByteArray());
      byte[] body = bytesOf(o -> o.writeBytes(1, bytesOf(rs -> rs.writeBytes(2,
          bytesOf(ss -> ss.writeBytes(2, spanBytes)))))).toByteArray();
      assertThat(compare(body)).as("field %d", field).isZero();
    }
  }

  @Test
  void theUtf8CheckAgreesWithProtobufs() throws Exception {
    Random random = new Random(3);
    byte[][] alphabet = {{0x41}, {(byte) 0xC2, (byte) 0xA9}, {(byte) 0xE2, (byte) 0x98, (byte) 0x83},
        {(byte) 0xF0, (byte) 0x9D, (byte) 0x84, (byte) 0x9E}, {(byte) 0xED, (byte) 0xA0, (byte) 0x80},
        {(byte) 0xC0}, {(byte) 0x80}, {(byte) 0xF4, (byte) 0x90}, {(byte) 0xE0, (byte) 0x80},
        {(byte) 0xFF}, {(byte) 0xF0, (byte) 0x80}, {(byte) 0xC1, (byte) 0xBF}, {(byte) 0xF4, (byte) 0x8F}};
    int valid = 0;
    for (int i = 0; i < 20_000; i++) {
      ByteArrayOutputStream b = new ByteArrayOutputStream();
      int n = random.nextInt(6);
      for (int j = 0; j < n; j++) {
        byte[] piece = random.nextInt(3) == 0 ? new byte[] {(byte) random.nextInt(256)}
            : alphabet[random.nextInt(alphabet.length)];
        b.write(piece, 0, piece.length);
      }
      byte[] bytes = b.toByteArray();
      boolean expected = ByteString.copyFrom(bytes).isValidUtf8();
      ByteString span = bytesOf(o -> o.writeBytes(5, ByteString.copyFrom(bytes)));
      byte[] body = bytesOf(o -> o.writeBytes(1, bytesOf(rs -> rs.writeBytes(2,
          bytesOf(ss -> ss.writeBytes(2, span)))))).toByteArray();
      boolean read;
      try {
        OtlpTraceDecoder.decode(body, "application/x-protobuf");
        read = true;
      } catch (BadInputException e) {
        read = false;
      }
      assertThat(read).as("%s", ByteString.copyFrom(bytes)).isEqualTo(expected);
      valid += expected ? 1 : 0;
    }
    assertThat(valid).isBetween(1000, 19_000);
  }

  /**
   * Decodes {@code body} both ways and compares; returns the spans compared (0 when protobuf
   * refuses the body, which the straight path must then refuse with protobuf's message).
   */
  private static int compare(byte[] body) throws Exception {
    ExportTraceServiceRequest tree;
    try {
      tree = ExportTraceServiceRequest.parseFrom(body);
    } catch (InvalidProtocolBufferException e) {
      assertThatThrownBy(() -> OtlpTraceDecoder.decode(body, "application/x-protobuf"))
          .isInstanceOf(BadInputException.class)
          .hasMessageStartingWith("malformed OTLP protobuf: " + e.getClass().getSimpleName());
      return 0;
    }
    OtlpTraceDecoder.Decoded decoded = OtlpTraceDecoder.decode(body, "application/x-protobuf");
    OtlpSpans table = decoded.table();
    assertThat(table.resources()).isEqualTo(tree.getResourceSpansCount());
    int compared = 0;
    for (int r = 0; r < tree.getResourceSpansCount(); r++) {
      ResourceSpans rs = tree.getResourceSpans(r);
      sameAttributes(Attributes.ofResource(table, r), rs.getResource().getAttributesList());
      List<Span> spans = new ArrayList<>();
      rs.getScopeSpansList().forEach(ss -> spans.addAll(ss.getSpansList()));
      assertThat(table.endSpan(r) - table.firstSpan(r)).isEqualTo(spans.size());
      for (int i = 0; i < spans.size(); i++) {
        sameSpan(table, table.firstSpan(r) + i, spans.get(i));
        compared++;
      }
    }
    // and the rows: the straight read of these bytes, and of protobuf's re-encoding of its parse
    Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
    IngestBatch straight = new SpanInterpreter(clock).interpret(decoded);
    IngestBatch viaTree = new SpanInterpreter(clock).interpret(tree);
    assertThat(straight).isEqualTo(viaTree);
    return compared;
  }

  private static void sameSpan(OtlpSpans t, int s, Span span) {
    assertThat(t.traceIdLength(s)).isEqualTo(span.getTraceId().size());
    if (span.getTraceId().size() == 16) {
      java.nio.ByteBuffer b = span.getTraceId().asReadOnlyByteBuffer();
      assertThat(t.traceIdHigh(s)).isEqualTo(b.getLong());
      assertThat(t.traceIdLow(s)).isEqualTo(b.getLong());
    }
    assertThat(t.spanIdLength(s)).isEqualTo(span.getSpanId().size());
    if (span.getSpanId().size() == 8) {
      assertThat(t.spanId(s)).isEqualTo(span.getSpanId().asReadOnlyByteBuffer().getLong());
    }
    assertThat(t.parentSpanIdLength(s)).isEqualTo(span.getParentSpanId().size());
    if (span.getParentSpanId().size() == 8) {
      assertThat(t.parentSpanId(s)).isEqualTo(span.getParentSpanId().asReadOnlyByteBuffer().getLong());
    }
    assertThat(t.startTimeUnixNano(s)).isEqualTo(span.getStartTimeUnixNano());
    assertThat(t.endTimeUnixNano(s)).isEqualTo(span.getEndTimeUnixNano());
    assertThat(t.name(s)).isEqualTo(span.getName());
    assertThat(t.statusCode(s)).isEqualTo(span.getStatus().getCodeValue());
    sameAttributes(Attributes.ofSpan(t, s), span.getAttributesList());
    // and through the one-pass index the interpreter uses (reused across spans, as it does)
    sameAttributes(Attributes.ofSpan(t, s, INDEX), span.getAttributesList());
  }

  private static final Attributes.Index INDEX = new Attributes.Index();

  /** Every accessor agrees with the message-tree semantics, for every key sent and a few not. */
  private static void sameAttributes(Attributes straight, List<KeyValue> list) {
    TreeAttributes tree = new TreeAttributes(list);
    List<String> keys = new ArrayList<>(KEYS);
    list.forEach(kv -> keys.add(kv.getKey()));
    keys.add("absent.key");
    for (String k : keys) {
      assertThat(straight.has(k)).as(k).isEqualTo(tree.has(k));
      assertThat(straight.string(k)).as(k).isEqualTo(tree.string(k));
      assertThat(straight.bool(k)).as(k).isEqualTo(tree.bool(k));
      assertThat(straight.nonNegativeDecimal(k)).as(k).isEqualTo(tree.nonNegativeDecimal(k));
      assertThat(outcome(() -> straight.integer(k))).as(k).isEqualTo(outcome(() -> tree.integer(k)));
    }
    for (String prefix : List.of("", "flowcost.", "flowcost.tag.", "k")) {
      assertThat(straight.withPrefix(prefix)).isEqualTo(tree.withPrefix(prefix));
    }
  }

  private static String outcome(java.util.function.Supplier<Long> f) {
    try {
      return String.valueOf(f.get());
    } catch (IllegalArgumentException e) {
      return "threw " + e.getMessage();
    }
  }

  // ---- the corpus ----

  private static ExportTraceServiceRequest request(Random r) {
    ExportTraceServiceRequest.Builder req = ExportTraceServiceRequest.newBuilder();
    int resources = r.nextInt(3);
    for (int i = 0; i < resources; i++) {
      Resource.Builder res = Resource.newBuilder();
      if (r.nextBoolean()) {
        res.addAttributes(KeyValue.newBuilder().setKey("service.name").setValue(value(r, 0)));
      }
      for (int a = r.nextInt(3); a > 0; a--) {
        res.addAttributes(keyValue(r, 0));
      }
      if (r.nextInt(10) == 0) {
        res.addEntityRefs(EntityRef.newBuilder().setType("service").addIdKeys("service.name"));
      }
      ResourceSpans.Builder rs = ResourceSpans.newBuilder().setSchemaUrl(r.nextBoolean() ? "" : "s");
      if (r.nextInt(5) > 0) {
        rs.setResource(res);
      }
      for (int s = r.nextInt(3); s > 0; s--) {
        ScopeSpans.Builder ss = ScopeSpans.newBuilder();
        if (r.nextBoolean()) {
          ss.setScope(InstrumentationScope.newBuilder().setName(pick(r, STRINGS)).setVersion("1")
              .addAttributes(keyValue(r, 0)));
        }
        for (int n = r.nextInt(4); n > 0; n--) {
          ss.addSpans(span(r));
        }
        rs.addScopeSpans(ss);
      }
      req.addResourceSpans(rs);
    }
    return req.build();
  }

  private static Span span(Random r) {
    long now = NOW.getEpochSecond() * 1_000_000_000L;
    Span.Builder s = Span.newBuilder()
        .setTraceId(id(r, pick(r, List.of(16, 16, 16, 0, 8, 17))))
        .setSpanId(id(r, pick(r, List.of(8, 8, 8, 0, 4))))
        .setName(pick(r, STRINGS))
        .setKindValue(r.nextInt(6))
        .setStartTimeUnixNano(pick(r, List.of(now, now + 7, 0L, -5L, now + 100_000_000_000_000L)))
        .setEndTimeUnixNano(pick(r, List.of(0L, now + 1_000_000, now - 1)))
        .setFlags(r.nextInt(3));
    if (r.nextBoolean()) {
      s.setParentSpanId(id(r, pick(r, List.of(8, 8, 3))));
    }
    if (r.nextBoolean()) {
      s.setStatus(Status.newBuilder().setCodeValue(pick(r, List.of(0, 1, 2, 2, 7)))
          .setMessage(pick(r, STRINGS)));
    }
    for (int a = r.nextInt(9); a > 0; a--) {
      s.addAttributes(keyValue(r, 0));
    }
    if (r.nextInt(4) == 0) {
      s.addEvents(Span.Event.newBuilder().setName("e").setTimeUnixNano(now)
          .addAttributes(keyValue(r, 0)));
    }
    if (r.nextInt(4) == 0) {
      s.addLinks(Span.Link.newBuilder().setTraceId(id(r, 16)).setSpanId(id(r, 8))
          .setTraceState("a=b").addAttributes(keyValue(r, 0)).setFlags(1));
    }
    return s.build();
  }

  private static KeyValue keyValue(Random r, int depth) {
    KeyValue.Builder kv = KeyValue.newBuilder().setKey(pick(r, KEYS));
    if (r.nextInt(8) > 0) {
      kv.setValue(value(r, depth));
    }
    return kv.build();
  }

  private static AnyValue value(Random r, int depth) {
    AnyValue.Builder v = AnyValue.newBuilder();
    switch (r.nextInt(depth > 2 ? 5 : 10)) {
      case 0 -> { } // not set
      case 1, 2 -> v.setStringValue(pick(r, STRINGS));
      case 3 -> v.setIntValue(pick(r, List.of(0L, 1200L, -1L, Long.MAX_VALUE, 3L)));
      case 4 -> v.setBoolValue(r.nextBoolean());
      case 5 -> v.setDoubleValue(pick(r, List.of(3.0, 0.0021, 1e16, -0.0, Double.NaN, 2.5)));
      case 6, 7 -> {
        ArrayValue.Builder a = ArrayValue.newBuilder();
        for (int i = r.nextInt(3); i > 0; i--) {
          a.addValues(value(r, depth + 1));
        }
        v.setArrayValue(a);
      }
      case 8 -> v.setKvlistValue(KeyValueList.newBuilder().addValues(keyValue(r, depth + 1)));
      default -> {
        if (r.nextBoolean()) {
          v.setBytesValue(ByteString.copyFromUtf8("b"));
        } else {
          v.setStringValueStrindex(r.nextInt(3));
        }
      }
    }
    return v.build();
  }

  private static ByteString id(Random r, int length) {
    byte[] b = new byte[length];
    if (r.nextInt(6) > 0) {
      r.nextBytes(b);
    }
    return ByteString.copyFrom(b);
  }

  private static <T> T pick(Random r, List<T> list) {
    return list.get(r.nextInt(list.size()));
  }

  // ---- odd encodings ----

  /** Unknown fields of every wire type at every level, some with known numbers. */
  private static ExportTraceServiceRequest withUnknownFields(ExportTraceServiceRequest req,
      Random r) {
    ExportTraceServiceRequest.Builder b = req.toBuilder().setUnknownFields(unknown(r, 9));
    for (ResourceSpans.Builder rs : b.getResourceSpansBuilderList()) {
      rs.setUnknownFields(unknown(r, 4));
      for (ScopeSpans.Builder ss : rs.getScopeSpansBuilderList()) {
        ss.setUnknownFields(unknown(r, 1));
        for (Span.Builder s : ss.getSpansBuilderList()) {
          // 7 and 8 are the times (fixed64), 2 the span id, 9 the attributes: other wire types
          s.setUnknownFields(unknown(r, pick(r, List.of(7, 8, 2, 9, 15, 99))));
          for (KeyValue.Builder kv : s.getAttributesBuilderList()) {
            kv.setUnknownFields(unknown(r, pick(r, List.of(1, 2, 3, 77))));
            if (kv.hasValue()) {
              kv.getValueBuilder().setUnknownFields(unknown(r, pick(r, List.of(1, 3, 4, 5, 9))));
            }
          }
        }
      }
    }
    return b.build();
  }

  private static UnknownFieldSet unknown(Random r, int number) {
    UnknownFieldSet.Field.Builder f = UnknownFieldSet.Field.newBuilder();
    switch (r.nextInt(5)) {
      case 0 -> f.addVarint(r.nextLong());
      case 1 -> f.addFixed32(r.nextInt());
      case 2 -> f.addFixed64(r.nextLong());
      case 3 -> f.addLengthDelimited(ByteString.copyFromUtf8("junk"));
      default -> f.addGroup(UnknownFieldSet.newBuilder().addField(1,
          UnknownFieldSet.Field.newBuilder().addVarint(5).build()).build());
    }
    return UnknownFieldSet.newBuilder().addField(number, f.build()).build();
  }

  /**
   * The request with each span sent as two concatenated encodings (another span's, then its
   * own), which protobuf merges: fields out of order, scalars twice, repeated fields joined.
   */
  private static byte[] halvedSpans(ExportTraceServiceRequest req, Random r) throws IOException {
    return bytesOf(o -> {
      for (ResourceSpans rs : req.getResourceSpansList()) {
        o.writeBytes(1, bytesOf(ro -> {
          if (rs.hasResource()) {
            ro.writeMessage(1, rs.getResource());
          }
          for (ScopeSpans ss : rs.getScopeSpansList()) {
            ro.writeBytes(2, bytesOf(so -> {
              for (Span s : ss.getSpansList()) {
                Span other = span(r);
                if (r.nextBoolean()) {
                  other = other.toBuilder().clearStatus().build(); // mostly the fast path
                }
                so.writeBytes(2, other.toByteString().concat(s.toByteString()));
              }
            }));
          }
        }));
      }
    }).toByteArray();
  }

  private interface Writer {
    void write(CodedOutputStream out) throws IOException;
  }

  private static ByteString bytesOf(Writer w) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    CodedOutputStream out = CodedOutputStream.newInstance(bytes);
    w.write(out);
    out.flush();
    return ByteString.copyFrom(bytes.toByteArray());
  }

  /**
   * The attribute semantics the interpreter had over protobuf's message tree (a map of key to
   * {@code AnyValue}, the last value of a key winning): the reference the straight read is
   * held to.
   */
  private static final class TreeAttributes {
    private final Map<String, AnyValue> values;

    TreeAttributes(List<KeyValue> list) {
      values = new HashMap<>();
      for (KeyValue kv : list) {
        values.put(kv.getKey(), kv.getValue());
      }
    }

    private TreeAttributes(Map<String, AnyValue> values) {
      this.values = values;
    }

    boolean has(String key) {
      return values.containsKey(key);
    }

    String string(String key) {
      AnyValue v = values.get(key);
      if (v == null) {
        return null;
      }
      return switch (v.getValueCase()) {
        case STRING_VALUE -> v.getStringValue();
        case INT_VALUE -> Long.toString(v.getIntValue());
        case BOOL_VALUE -> Boolean.toString(v.getBoolValue());
        case DOUBLE_VALUE -> Double.toString(v.getDoubleValue());
        case ARRAY_VALUE -> v.getArrayValue().getValuesCount() == 0 ? null
            : new TreeAttributes(Map.of("x", v.getArrayValue().getValues(0))).string("x");
        default -> null;
      };
    }

    Long integer(String key) {
      AnyValue v = values.get(key);
      if (v == null) {
        return null;
      }
      switch (v.getValueCase()) {
        case INT_VALUE:
          return v.getIntValue();
        case DOUBLE_VALUE:
          double d = v.getDoubleValue();
          if (d == Math.rint(d) && Math.abs(d) < 1e15) {
            return (long) d;
          }
          throw new IllegalArgumentException("attribute " + key + " is not an integer");
        case STRING_VALUE:
          try {
            return Long.parseLong(v.getStringValue().trim());
          } catch (NumberFormatException e) {
            throw new IllegalArgumentException("attribute " + key + " is not an integer");
          }
        default:
          throw new IllegalArgumentException("attribute " + key + " is not an integer");
      }
    }

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
      AnyValue v = values.get(key);
      if (v == null) {
        return false;
      }
      if (v.getValueCase() == AnyValue.ValueCase.BOOL_VALUE) {
        return v.getBoolValue();
      }
      return "true".equalsIgnoreCase(string(key));
    }

    Map<String, String> withPrefix(String prefix) {
      Map<String, String> out = new LinkedHashMap<>();
      values.keySet().stream().sorted().forEach(k -> {
        if (k.startsWith(prefix) && k.length() > prefix.length()) {
          String s = string(k);
          if (s != null) {
            out.put(k.substring(prefix.length()), s);
          }
        }
      });
      return out;
    }
  }
}
