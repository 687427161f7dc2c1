package io.flowcost.collector.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.flowcost.collector.wal.RecordCodec;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The agent's cap breach span becomes one {@code cap_breaches} row and nothing else. */
class CapBreachIngestTest {

  private static final String TRACE = "0af7651916cd43dd8448eb211c80319c";
  private static final long T0 = 1_790_000_000_000_000_000L;
  private final SpanInterpreter interpreter =
      new SpanInterpreter(Clock.fixed(Instant.parse("2026-11-24T12:00:00Z"), ZoneOffset.UTC));

  @Test
  void aBreachSpanIsOneBreachRowNeverACallOrAWorkflow() throws Exception {
    Span breach = breach("00000000000000c1", "max-model-calls", "5", "5").build();
    IngestBatch batch = interpreter.interpret(request(breach));

    assertThat(batch.rejected()).isZero();
    assertThat(batch.calls()).isEmpty();
    assertThat(batch.workflowSpans()).isEmpty();
    CapBreachRecord b = batch.capBreaches().get(0);
    assertThat(batch.capBreaches()).hasSize(1);
    assertThat(b.workflowId()).isEqualTo(TRACE);
    assertThat(b.spanId()).isEqualTo("00000000000000c1");
    assertThat(b.workflowName()).isEqualTo("runaway-agent");
    assertThat(b.service()).isEqualTo("svc");
    assertThat(b.capKind()).isEqualTo("max-model-calls");
    assertThat(b.capLimit()).isEqualByComparingTo("5");
    assertThat(b.spent()).isEqualByComparingTo("5");
    assertThat(b.unit()).isEqualTo("calls");
    assertThat(b.mode()).isEqualTo("enforce");
    assertThat(b.enforced()).isTrue();
    assertThat(b.modelCalls()).isEqualTo(5L);
    assertThat(b.toolCalls()).isEqualTo(4L);
    assertThat(b.breachedAt()).isEqualTo(Instant.ofEpochSecond(0, T0));
    assertThat(b.dedupKey()).isEqualTo("b:00000000000000c1");

    // the write-ahead log keeps it exactly
    assertThat(RecordCodec.decode(RecordCodec.encode(List.of(b)))).containsExactly(b);
  }

  @Test
  void aWorkflowRefusedByItsOwnersBudgetIsABreachRowOfItsOwnTrace() throws Exception {
    // the agent records it as a root span: the workflow never opened
    Span refused = breach("00000000000000c6", "budget-usd", "1.00", "1.350000000")
        .clearParentSpanId()
        .addAttributes(attr("flowcost.cap.owner", "team=payments"))
        .build();
    IngestBatch batch = interpreter.interpret(request(refused));

    assertThat(batch.rejected()).isZero();
    assertThat(batch.workflowSpans()).as("not a foreign root workflow").isEmpty();
    assertThat(batch.capBreaches()).singleElement().satisfies(b -> {
      assertThat(b.capKind()).isEqualTo("budget-usd");
      assertThat(b.capLimit()).isEqualByComparingTo("1.00");
      assertThat(b.spent()).isEqualByComparingTo("1.35");
    });
  }

  @Test
  void aBreachWithAnUnknownCapOrAnUnreadableAmountIsRejectedAloneAndNamed() {
    Span unknown = breach("00000000000000c2", "max-vibes", "1", "1").build();
    Span negative = breach("00000000000000c3", "max-tokens", "-1", "5").build();
    Span tooFine = breach("00000000000000c4", "max-cost-usd", "0.5", "0.5000000001").build();
    Span good = breach("00000000000000c5", "max-cost-usd", "0.50", "0.512345678").build();

    IngestBatch batch = interpreter.interpret(request(unknown, negative, tooFine, good));

    assertThat(batch.rejected()).isEqualTo(3);
    assertThat(batch.rejectedByReason()).containsOnlyKeys("invalid_cap_breach");
    assertThat(batch.capBreaches()).singleElement().satisfies(b -> {
      assertThat(b.spanId()).isEqualTo("00000000000000c5");
      assertThat(b.spent()).isEqualByComparingTo("0.512345678");
    });
  }

  private static Span.Builder breach(String id, String kind, String limit, String spent) {
    return Span.newBuilder()
        .setTraceId(ByteString.copyFrom(HexFormat.of().parseHex(TRACE)))
        .setSpanId(ByteString.copyFrom(HexFormat.of().parseHex(id)))
        .setParentSpanId(ByteString.copyFrom(HexFormat.of().parseHex("00000000000000a1")))
        .setName("cap_breach " + kind)
        .setStartTimeUnixNano(T0)
        .setEndTimeUnixNano(T0)
        .addAttributes(attr("flowcost.cap.breach", true))
        .addAttributes(attr("flowcost.workflow.name", "runaway-agent"))
        .addAttributes(attr("flowcost.cap.kind", kind))
        .addAttributes(attr("flowcost.cap.limit", limit))
        .addAttributes(attr("flowcost.cap.spent", spent))
        .addAttributes(attr("flowcost.cap.unit", "calls"))
        .addAttributes(attr("flowcost.cap.mode", "enforce"))
        .addAttributes(attr("flowcost.cap.enforced", true))
        .addAttributes(attr("flowcost.cap.model_calls", 5L))
        .addAttributes(attr("flowcost.cap.tool_calls", 4L));
  }

  private static ExportTraceServiceRequest request(Span... spans) {
    return ExportTraceServiceRequest.newBuilder().addResourceSpans(ResourceSpans.newBuilder()
        .setResource(Resource.newBuilder().addAttributes(attr("service.name", "svc")))
        .addScopeSpans(ScopeSpans.newBuilder().addAllSpans(List.of(spans)))).build();
  }

  private static KeyValue attr(String key, Object value) {
    AnyValue.Builder v = AnyValue.newBuilder();
    if (value instanceof String s) {
      v.setStringValue(s);
    } else if (value instanceof Long l) {
      v.setIntValue(l);
    } else if (value instanceof Boolean b) {
      v.setBoolValue(b);
    }
    return KeyValue.newBuilder().setKey(key).setValue(v).build();
  }
}
