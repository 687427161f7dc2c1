package io.flowcost.collector.otlp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import org.junit.jupiter.api.Test;

/**
 * Which encodings the straight reader reads itself and which it leaves to protobuf (the
 * equivalence of what it reads is {@code StraightDecodeEquivalenceTest}'s).
 */
class OtlpWireReaderTest {

  private static Span.Builder span() {
    return Span.newBuilder().setTraceId(ByteString.copyFrom(new byte[16]))
        .setSpanId(ByteString.copyFrom(new byte[] {1, 2, 3, 4, 5, 6, 7, 8})).setName("chat")
        .setStartTimeUnixNano(5).addAttributes(KeyValue.newBuilder().setKey("gen_ai.system")
            .setValue(AnyValue.newBuilder().setStringValue("openai")));
  }

  private static byte[] request(ByteString spanBytes) {
    ScopeSpans scope = ScopeSpans.newBuilder().build();
    byte[] scopeBytes = scope.toByteString().concat(ByteString.copyFrom(new byte[] {0x12}))
        .concat(ByteString.copyFrom(new byte[] {(byte) spanBytes.size()})).concat(spanBytes)
        .toByteArray();
    ResourceSpans rs = ResourceSpans.newBuilder().build();
    ByteString rsBytes = rs.toByteString().concat(ByteString.copyFrom(new byte[] {0x12,
        (byte) scopeBytes.length})).concat(ByteString.copyFrom(scopeBytes));
    return ByteString.copyFrom(new byte[] {0x0A, (byte) rsBytes.size()}).concat(rsBytes)
        .toByteArray();
  }

  @Test
  void aCanonicalRequestIsReadStraightWithoutProtobuf() throws Exception {
    byte[] body = ExportTraceServiceRequest.newBuilder().addResourceSpans(ResourceSpans
        .newBuilder().addScopeSpans(ScopeSpans.newBuilder().addSpans(span()))).build()
        .toByteArray();
    OtlpSpans t = OtlpWireReader.read(body, false);
    assertThat(t.spans()).isEqualTo(1);
    assertThat(t.spanId(0)).isEqualTo(0x0102030405060708L);
    assertThat(t.name(0)).isEqualTo("chat");
    assertThat(t.key(t.spanAttrFrom(0))).isEqualTo("gen_ai.system");
    assertThat(t.stringValue(t.spanAttrFrom(0))).isEqualTo("openai");
  }

  @Test
  void aStatusSentTwiceIsLeftToProtobufWhichMergesIt() throws Exception {
    ByteString twice = span().setStatus(Status.newBuilder().setCode(Status.StatusCode
        .STATUS_CODE_ERROR)).build().toByteString().concat(Span.newBuilder().setStatus(Status
        .newBuilder().setMessage("m")).build().toByteString());
    byte[] body = request(twice);
    assertThatThrownBy(() -> OtlpWireReader.read(body, false))
        .isInstanceOf(OtlpWireReader.Odd.class);
    // merged by protobuf: the code of the first status survives the second's message
    OtlpSpans t = OtlpTraceDecoder.decode(body, "application/x-protobuf").table();
    assertThat(t.statusCode(0)).isEqualTo(Status.StatusCode.STATUS_CODE_ERROR_VALUE);
  }

  @Test
  void aScalarSentTwiceIsReadStraightTheLastOneWinning() throws Exception {
    ByteString twice = span().setName("first").build().toByteString()
        .concat(Span.newBuilder().setName("second").build().toByteString());
    OtlpSpans t = OtlpWireReader.read(request(twice), false);
    assertThat(t.name(0)).isEqualTo("second");
    assertThat(t.spanAttrTo(0) - t.spanAttrFrom(0)).isEqualTo(1);
  }

  /**
   * Short strings are shared within a request by a slot picked from their length and first and
   * last 8 bytes: values that share those (and so a slot) but differ in between, or differ in
   * length only, each read as their own text; a value repeated is one {@code String}; an array's
   * first element reads through the same sharing.
   */
  @Test
  void stringsSharingASlotReadAsTheirOwnTextAndRepeatsAreOneString() throws Exception {
    java.util.List<String> values = new java.util.ArrayList<>();
    for (int len = 0; len <= 70; len++) { // past the 64 bytes that are shared
      StringBuilder b = new StringBuilder();
      for (int i = 0; i < len; i++) {
        b.append((char) ('a' + i % 26));
      }
      values.add(b.toString());
      if (len >= 17) { // same first and last 8 bytes, one byte different in the middle
        b.setCharAt(8, 'Z');
        values.add(b.toString());
      }
    }
    values.add("modèle-ü"); // not ASCII
    ScopeSpans.Builder scope = ScopeSpans.newBuilder();
    for (int round = 0; round < 2; round++) {
      Span.Builder s = span();
      for (String v : values) {
        s.addAttributes(KeyValue.newBuilder().setKey("k").setValue(
            AnyValue.newBuilder().setStringValue(v)));
      }
      s.addAttributes(KeyValue.newBuilder().setKey("finish").setValue(AnyValue.newBuilder()
          .setArrayValue(io.opentelemetry.proto.common.v1.ArrayValue.newBuilder()
              .addValues(AnyValue.newBuilder().setStringValue("stop")))));
      scope.addSpans(s);
    }
    byte[] body = ExportTraceServiceRequest.newBuilder().addResourceSpans(ResourceSpans
        .newBuilder().addScopeSpans(scope)).build().toByteArray();
    OtlpSpans t = OtlpWireReader.read(body, false);
    int n = values.size();
    for (int round = 0; round < 2; round++) {
      int from = t.spanAttrFrom(round) + 1; // after span()'s gen_ai.system
      for (int i = 0; i < n; i++) {
        assertThat(t.stringValue(from + i)).isEqualTo(values.get(i));
      }
    }
    int first = t.spanAttrFrom(0) + 1 + n - 1; // the last short value, read again: same String
    assertThat(t.stringValue(first)).isSameAs(t.stringValue(first));
    int finish0 = t.spanAttrFrom(0) + 1 + n;
    int finish1 = t.spanAttrFrom(1) + 1 + n;
    assertThat(t.key(finish0)).isEqualTo("finish");
    OtlpSpans e0 = t.firstElement(finish0);
    OtlpSpans e1 = t.firstElement(finish1);
    assertThat(e0.stringValue(0)).isEqualTo("stop");
    assertThat(e1.stringValue(0)).isSameAs(e0.stringValue(0));
  }
}
