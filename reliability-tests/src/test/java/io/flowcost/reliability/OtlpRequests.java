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

  /**
   * {@code workflows} whole workflows numbered from {@code firstWorkflow}: for each, a Flowcost
   * workflow root ({@code flowcost.workflow.root}, one of 20 intents) and {@code callsPerWorkflow}
   * chat spans under it, in a trace of its own (trace id {@code 0x0123_4567, w + 1}: the workflow
   * id), span ids unique across every {@code sequence} (a request's number).
   */
  static byte[] workflowSpans(long firstWorkflow, int workflows, int callsPerWorkflow,
      long sequence, String service) {
    long now = System.currentTimeMillis() * 1_000_000L;
    int spansPerWorkflow = callsPerWorkflow + 1;
    ScopeSpans.Builder scope = ScopeSpans.newBuilder();
    for (int w = 0; w < workflows; w++) {
      long workflow = firstWorkflow + w;
      ByteString trace = ByteString.copyFrom(
          ByteBuffer.allocate(16).putLong(0x0123_4567L).putLong(workflow + 1).array());
      long base = (sequence * workflows + w) * spansPerWorkflow + 1;
      ByteString root = ByteString.copyFrom(ByteBuffer.allocate(8).putLong(base).array());
      scope.addSpans(Span.newBuilder()
          .setTraceId(trace)
          .setSpanId(root)
          .setName("workflow")
          .setKind(Span.SpanKind.SPAN_KIND_INTERNAL)
          .setStartTimeUnixNano(now)
          .setEndTimeUnixNano(now + 900_000_000L)
          .addAttributes(boolAttr("flowcost.workflow.root", true))
          .addAttributes(attr("flowcost.workflow.name", "intent-" + (workflow % 20)))
          // an owner for budgets (the memory run's --budgets name some of these teams)
          .addAttributes(attr("flowcost.tag.team", "team-" + (workflow % 8))));
      for (int i = 1; i <= callsPerWorkflow; i++) {
        scope.addSpans(Span.newBuilder()
            .setTraceId(trace)
            .setSpanId(ByteString.copyFrom(ByteBuffer.allocate(8).putLong(base + i).array()))
            .setParentSpanId(root)
            .setName("chat gpt-4o-mini")
            .setKind(Span.SpanKind.SPAN_KIND_CLIENT)
            .setStartTimeUnixNano(now + i)
            .setEndTimeUnixNano(now + 250_000_000L)
            .addAttributes(attr("gen_ai.operation.name", "chat"))
            .addAttributes(attr("gen_ai.provider.name", "openai"))
            .addAttributes(attr("gen_ai.request.model", "gpt-4o-mini"))
            .addAttributes(intAttr("gen_ai.usage.input_tokens", 1200))
            .addAttributes(intAttr("gen_ai.usage.output_tokens", 150)));
      }
    }
    return ExportTraceServiceRequest.newBuilder()
        .addResourceSpans(ResourceSpans.newBuilder()
            .setResource(Resource.newBuilder().addAttributes(attr("service.name", service)))
            .addScopeSpans(scope))
        .build().toByteArray();
  }

  /** The workflow id {@link #workflowSpans} gives workflow number {@code workflow}. */
  static String workflowId(long workflow) {
    return String.format("%016x%016x", 0x0123_4567L, workflow + 1);
  }

  static KeyValue boolAttr(String key, boolean value) {
    return KeyValue.newBuilder().setKey(key)
        .setValue(AnyValue.newBuilder().setBoolValue(value)).build();
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
