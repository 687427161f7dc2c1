package io.flowcost.reliability;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.nio.ByteBuffer;

/** OTLP requests of model-call spans with predictable, unique span ids. */
final class OtlpRequests {

  private OtlpRequests() {}

  /**
   * Request {@code n} of a load: {@code spans} chat spans, span ids {@code n * spans + i + 1}, all
   * children of a workflow root that is not sent (so each span becomes exactly one call row).
   */
  static byte[] chatSpans(int n, int spans, String service) {
    long now = System.currentTimeMillis() * 1_000_000L;
    ByteString trace = ByteString.copyFrom(
        ByteBuffer.allocate(16).putLong(0x0123_4567L).putLong(n + 1L).array());
    ByteString root = ByteString.copyFrom(ByteBuffer.allocate(8).putLong(Long.MAX_VALUE).array());
    ScopeSpans.Builder scope = ScopeSpans.newBuilder();
    for (int i = 0; i < spans; i++) {
      long id = (long) n * spans + i + 1;
      scope.addSpans(Span.newBuilder()
          .setTraceId(trace)
          .setSpanId(ByteString.copyFrom(ByteBuffer.allocate(8).putLong(id).array()))
          .setParentSpanId(root)
          .setName("chat gpt-4o-mini")
          .setKind(Span.SpanKind.SPAN_KIND_CLIENT)
          .setStartTimeUnixNano(now)
          .setEndTimeUnixNano(now + 250_000_000L)
          .addAttributes(attr("gen_ai.operation.name", "chat"))
          .addAttributes(attr("gen_ai.provider.name", "openai"))
          .addAttributes(attr("gen_ai.request.model", "gpt-4o-mini"))
          .addAttributes(intAttr("gen_ai.usage.input_tokens", 1200))
          .addAttributes(intAttr("gen_ai.usage.output_tokens", 150)));
    }
    return ExportTraceServiceRequest.newBuilder()
        .addResourceSpans(ResourceSpans.newBuilder()
            .setResource(Resource.newBuilder().addAttributes(attr("service.name", service)))
            .addScopeSpans(scope))
        .build().toByteArray();
  }

  static KeyValue attr(String key, String value) {
    return KeyValue.newBuilder().setKey(key)
        .setValue(AnyValue.newBuilder().setStringValue(value)).build();
  }

  static KeyValue intAttr(String key, long value) {
    return KeyValue.newBuilder().setKey(key)
        .setValue(AnyValue.newBuilder().setIntValue(value)).build();
  }
}
