package io.flowcost.agent.export;

import static io.flowcost.agent.trace.OtlpRequests.groups;
import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.exporter.internal.otlp.traces.TraceRequestMarshaler;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.sdk.common.InstrumentationScopeInfo;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.testing.trace.TestSpanData;
import io.opentelemetry.sdk.trace.data.EventData;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.data.StatusData;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The exporter's low-allocation encoding is the request OpenTelemetry's own {@code
 * TraceRequestMarshaler} writes, for spans with every attribute type, events, parents and
 * statuses — byte for byte for one resource and scope (the agent's own spans), and the same
 * groups of the same spans in the same order for several (both encoders order the groups by
 * identity hash, so that order was never fixed) — and stays so when the reused encoder encodes
 * again.
 */
class SpoolingSpanExporterTest {

  @Test
  void encodesTheSameRequestAsTraceRequestMarshalerBatchAfterBatch() throws Exception {
    SpoolingSpanExporter exporter = new SpoolingSpanExporter(null);
    List<SpanData> mixed = spans(0, false);
    List<SpanData> agentOnly = spans(7, true);
    List<SpanData> again = spans(3, false);
    again.addAll(mixed.subList(0, 2));

    assertThat(encoded(exporter, agentOnly)).isEqualTo(reference(agentOnly));
    assertThat(groups(encoded(exporter, mixed))).isEqualTo(groups(reference(mixed)));
    assertThat(encoded(exporter, agentOnly)).isEqualTo(reference(agentOnly));
    assertThat(groups(encoded(exporter, again))).isEqualTo(groups(reference(again)));
    // grouped by resource instance, as OpenTelemetry does: two "app" instances and one "o"
    assertThat(ExportTraceServiceRequest.parseFrom(encoded(exporter, again))
        .getResourceSpansCount()).isEqualTo(3);
    // each batch went into the same buffer, given back after it, larger or smaller than before
    assertThat(exporter.buffers().created()).isEqualTo(1);
  }

  @Test
  void aBufferStillWithTheShipperIsNotReusedAndAReleasedOneIs() throws Exception {
    SpoolingSpanExporter exporter = new SpoolingSpanExporter(null);
    List<SpanData> big = spans(1, false);
    List<SpanData> small = spans(2, true).subList(0, 2);
    byte[] expectedBig = reference(big);

    RequestBuffer queued = exporter.encode(big); // still queued or in flight: not given back
    RequestBuffer next = exporter.encode(small);
    assertThat(next).isNotSameAs(queued);
    assertThat(next.array()).isNotSameAs(queued.array());
    assertThat(groups(queued.toByteArray())).isEqualTo(groups(expectedBig));
    assertThat(next.toByteArray()).isEqualTo(reference(small));

    queued.release();
    next.release();
    RequestBuffer reused = exporter.encode(small);
    assertThat(reused).isIn(queued, next);
    assertThat(reused.toByteArray()).as("only the new request, though the array is larger")
        .isEqualTo(reference(small));
    assertThat(exporter.buffers().created()).isEqualTo(2);
  }

  /** What the exporter hands the shipper for {@code spans}, as a copy; the buffer given back. */
  private static byte[] encoded(SpoolingSpanExporter exporter, List<SpanData> spans)
      throws Exception {
    RequestBuffer buffer = exporter.encode(spans);
    try {
      return buffer.toByteArray();
    } finally {
      buffer.release();
    }
  }


  private static byte[] reference(List<SpanData> spans) throws Exception {
    TraceRequestMarshaler request = TraceRequestMarshaler.create(spans);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    request.writeBinaryTo(out);
    return out.toByteArray();
  }

  private static List<SpanData> spans(int seed, boolean agentOnly) {
    Resource app = Resource.create(Attributes.of(AttributeKey.stringKey("service.name"), "app"));
    Resource other = Resource.create(Attributes.of(AttributeKey.stringKey("service.name"), "o"));
    InstrumentationScopeInfo agent = InstrumentationScopeInfo.builder("flowcost")
        .setVersion("0.1.0").build();
    InstrumentationScopeInfo user = InstrumentationScopeInfo.create("user");
    List<SpanData> spans = new ArrayList<>();
    String trace = String.format("%032x", 0xabc00L + seed);
    for (int i = 0; i < 6; i++) {
      String id = String.format("%016x", 0x100L + seed * 16 + i);
      SpanContext context = SpanContext.create(trace, id, TraceFlags.getSampled(),
          TraceState.getDefault());
      SpanContext parent = i == 0 ? SpanContext.getInvalid() : SpanContext.create(trace,
          String.format("%016x", 0x100L + seed * 16), TraceFlags.getSampled(),
          TraceState.getDefault());
      Attributes attributes = Attributes.builder()
          .put("gen_ai.operation.name", "chat")
          .put("gen_ai.usage.input_tokens", 100L + i + seed)
          .put("flowcost.usage.estimated", i % 2 == 0)
          .put("flowcost.ratio", 0.25 * i)
          .put(AttributeKey.stringArrayKey("gen_ai.response.finish_reasons"), List.of("stop", "é"))
          .put(AttributeKey.longArrayKey("flowcost.longs"), List.of(1L, 2L))
          .build();
      spans.add(TestSpanData.builder()
          .setName(i == 0 ? "invoke_agent" : "chat gpt-4o-mini")
          .setKind(i == 0 ? SpanKind.INTERNAL : SpanKind.CLIENT)
          .setSpanContext(context)
          .setParentSpanContext(parent)
          .setStartEpochNanos(1_700_000_000_000_000_000L + i)
          .setEndEpochNanos(1_700_000_000_001_000_000L + i)
          .setAttributes(attributes)
          .setEvents(i == 3 ? List.of(EventData.create(1_700_000_000_000_500_000L, "exception",
              Attributes.of(AttributeKey.stringKey("exception.type"), "java.io.IOException")))
              : List.of())
          .setTotalRecordedEvents(i == 3 ? 1 : 0)
          .setStatus(i == 3 ? StatusData.error() : StatusData.unset())
          .setHasEnded(true)
          .setResource(agentOnly || i < 4 ? app : other)
          .setInstrumentationScopeInfo(!agentOnly && i % 3 == 0 ? user : agent)
          .build());
    }
    return spans;
  }
}
