package io.flowcost.reliability.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.google.protobuf.ByteString;
import io.flowcost.collector.ingest.CallRecord;
import io.flowcost.collector.ingest.IngestBatch;
import io.flowcost.collector.ingest.LakeRecord;
import io.flowcost.collector.ingest.OutcomeDecoder;
import io.flowcost.collector.ingest.OutcomeRecord;
import io.flowcost.collector.ingest.SpanInterpreter;
import io.flowcost.collector.ingest.TimeBounds;
import io.flowcost.collector.ingest.WorkflowSpanRecord;
import io.flowcost.collector.otlp.BadInputException;
import io.flowcost.collector.otlp.OtlpTraceDecoder;
import io.flowcost.collector.wal.RecordCodec;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;

/**
 * Fuzzes the collector's decoders. Without {@code JAZZER_FUZZ} each target replays its seeds
 * (src/test/resources/.../DecoderFuzzTestInputs) as a regression test; with {@code JAZZER_FUZZ=1}
 * one target is fuzzed for its {@code maxDuration} (run one at a time: scripts/fuzz.sh).
 *
 * <p>Invariants: bad bytes get {@link BadInputException} (a 400) and nothing else; a decoded
 * request is always interpreted without an exception, every span is either read or counted as
 * rejected, and a good span is kept whatever bad spans share its request.
 */
class DecoderFuzzTest {

  private static final SpanInterpreter INTERPRETER = new SpanInterpreter(Clock.systemUTC());
  private static final OutcomeDecoder OUTCOMES = new OutcomeDecoder(Clock.systemUTC());
  private static final ConcurrentHashMap<String, AtomicLong> RUNS = new ConcurrentHashMap<>();

  private static final List<String> KEYS = List.of(
      "gen_ai.operation.name", "gen_ai.provider.name", "gen_ai.system", "gen_ai.request.model",
      "gen_ai.response.model", "gen_ai.usage.input_tokens", "gen_ai.usage.output_tokens",
      "gen_ai.usage.cache_read.input_tokens", "gen_ai.usage.cache_creation.input_tokens",
      "flowcost.attempt", "flowcost.attempts", "flowcost.call.kind", "flowcost.workflow.root",
      "flowcost.workflow.name", "flowcost.step", "flowcost.tag.team", "http.response.status_code",
      "error.type", "flowcost.external_key", "gen_ai.conversation.id", "enduser.id",
      "flowcost.tool.name", "gen_ai.request.stream");

  @AfterAll
  static void printExecutions() {
    RUNS.forEach((target, n) -> System.out.println("fuzz target " + target + ": " + n.get()
        + " executions"));
  }

  private static void count(String target, String outcome) {
    RUNS.computeIfAbsent(target + " " + outcome, k -> new AtomicLong()).incrementAndGet();
  }

  /** Raw bytes as OTLP protobuf or JSON. */
  @FuzzTest(maxDuration = "30s")
  void otlpBytes(FuzzedDataProvider data) {
    String type = data.consumeBoolean() ? "application/json" : "application/x-protobuf";
    byte[] body = data.consumeRemainingAsBytes();
    OtlpTraceDecoder.Decoded decoded;
    try {
      decoded = OtlpTraceDecoder.decode(body, type);
    } catch (BadInputException expected) {
      count("otlpBytes", "400");
      return;
    }
    IngestBatch batch = INTERPRETER.interpret(decoded);
    checkAccounting(decoded.spans(), batch);
    count("otlpBytes", batch.rejected() > 0 ? "accepted-with-rejections" : "accepted");
  }

  /**
   * A request of spans with fuzzed ids, times, statuses and attributes (known keys, any types,
   * huge values, absurd numbers), plus one good model call that must always come out as a row.
   */
  @FuzzTest(maxDuration = "30s")
  void mixedBatch(FuzzedDataProvider data) {
    ScopeSpans.Builder scope = ScopeSpans.newBuilder();
    int n = data.consumeInt(0, 8);
    for (int i = 0; i < n; i++) {
      Span.Builder span = Span.newBuilder()
          .setTraceId(ByteString.copyFrom(data.consumeBytes(data.consumeInt(0, 20))))
          .setSpanId(ByteString.copyFrom(data.consumeBytes(data.consumeInt(0, 10))))
          .setName(data.consumeString(40))
          .setStartTimeUnixNano(data.consumeLong())
          .setEndTimeUnixNano(data.consumeLong())
          .setStatus(Status.newBuilder().setCodeValue(data.consumeInt(-1, 5)))
          .setKindValue(data.consumeInt(-1, 7));
      if (data.consumeBoolean()) {
        span.setParentSpanId(ByteString.copyFrom(data.consumeBytes(data.consumeInt(0, 10))));
      }
      int attrs = data.consumeInt(0, 10);
      for (int a = 0; a < attrs; a++) {
        span.addAttributes(KeyValue.newBuilder().setKey(data.pickValue(KEYS))
            .setValue(anyValue(data)));
      }
      scope.addSpans(span);
    }
    long now = System.currentTimeMillis() * 1_000_000L;
    ByteString goodId = ByteString.copyFrom(ByteBuffer.allocate(8).putLong(0x600D).array());
    scope.addSpans(Span.newBuilder()
        .setTraceId(ByteString.copyFrom(ByteBuffer.allocate(16).putLong(1).putLong(2).array()))
        .setSpanId(goodId)
        .setParentSpanId(ByteString.copyFrom(ByteBuffer.allocate(8).putLong(1).array()))
        .setName("chat")
        .setStartTimeUnixNano(now).setEndTimeUnixNano(now + 1_000_000)
        .addAttributes(str("gen_ai.operation.name", "chat"))
        .addAttributes(str("gen_ai.provider.name", "openai"))
        .addAttributes(str("gen_ai.request.model", "gpt-4o-mini")));
    ExportTraceServiceRequest request = ExportTraceServiceRequest.newBuilder()
        .addResourceSpans(ResourceSpans.newBuilder()
            .setResource(Resource.newBuilder().addAttributes(
                KeyValue.newBuilder().setKey(data.consumeBoolean() ? "service.name"
                    : "flowcost.agent.dropped_spans").setValue(anyValue(data))))
            .addScopeSpans(scope))
        .build();
    // through the wire format too, as the server sees it
    IngestBatch batch = INTERPRETER.interpret(
        OtlpTraceDecoder.decode(request.toByteArray(), "application/x-protobuf"));
    checkAccounting(OtlpTraceDecoder.Decoded.of(request).spans(), batch);
    assertThat(batch.calls()).extracting(CallRecord::spanId).contains("000000000000600d");
    count("mixedBatch", batch.rejected() > 0 ? "good-kept-bad-rejected" : "all-accepted");
  }

  /** Raw bytes as an outcome report. */
  @FuzzTest(maxDuration = "30s")
  void outcomeBytes(byte[] body) {
    List<OutcomeRecord> outcomes;
    try {
      outcomes = OUTCOMES.decode(body);
    } catch (BadInputException expected) {
      count("outcomeBytes", "400");
      return;
    }
    for (OutcomeRecord o : outcomes) {
      assertThat(o.outcomeId()).isNotBlank();
      assertThat(o.workflowId() != null || o.externalKey() != null).isTrue();
      assertThat(TimeBounds.contains(o.reportedAt())).as("reported_at in the window").isTrue();
    }
    survivesTheLog(outcomes);
    count("outcomeBytes", "accepted");
  }

  private static void checkAccounting(int spans, IngestBatch batch) {
    assertThat(batch.spansReceived()).isEqualTo(spans);
    assertThat(batch.rejected()).isBetween(0, spans);
    assertThat(batch.rejectedByService().values().stream().mapToInt(Integer::intValue).sum())
        .isEqualTo(batch.rejected());
    assertThat(batch.calls().size() + batch.rejected()).isLessThanOrEqualTo(spans);
    for (CallRecord c : batch.calls()) {
      assertThat(c.spanId()).hasSize(16);
      assertThat(TimeBounds.contains(c.startTime())).as("start in the window").isTrue();
      assertThat(c.endTime() == null || TimeBounds.contains(c.endTime())).as("end").isTrue();
    }
    for (WorkflowSpanRecord w : batch.workflowSpans()) {
      assertThat(TimeBounds.contains(w.startTime())).as("start in the window").isTrue();
      assertThat(w.endTime() == null || TimeBounds.contains(w.endTime())).as("end").isTrue();
    }
    List<LakeRecord> rows = new java.util.ArrayList<>(batch.calls());
    rows.addAll(batch.workflowSpans());
    survivesTheLog(rows);
  }

  /** Whatever a decoder accepts, the write-ahead log's codec stores and reads back unchanged. */
  private static void survivesTheLog(List<? extends LakeRecord> records) {
    try {
      assertThat(RecordCodec.decode(RecordCodec.encode(records)))
          .containsExactlyElementsOf(records);
    } catch (java.io.IOException e) {
      throw new AssertionError("an accepted record does not survive the log codec", e);
    }
  }

  private static AnyValue anyValue(FuzzedDataProvider data) {
    switch (data.consumeInt(0, 5)) {
      case 0:
        return AnyValue.newBuilder().setStringValue(data.consumeBoolean()
            ? "x".repeat(data.consumeInt(0, 200_000)) : data.consumeString(64)).build();
      case 1:
        return AnyValue.newBuilder().setIntValue(data.consumeLong()).build();
      case 2:
        return AnyValue.newBuilder().setDoubleValue(data.consumeDouble()).build();
      case 3:
        return AnyValue.newBuilder().setBoolValue(data.consumeBoolean()).build();
      case 4:
        return AnyValue.newBuilder().setBytesValue(ByteString.copyFrom(data.consumeBytes(16)))
            .build();
      default:
        return AnyValue.getDefaultInstance();
    }
  }

  private static KeyValue str(String key, String value) {
    return KeyValue.newBuilder().setKey(key)
        .setValue(AnyValue.newBuilder().setStringValue(value)).build();
  }
}
