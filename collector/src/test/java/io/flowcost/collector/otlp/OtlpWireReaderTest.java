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
}
