package io.flowcost.collector.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

class SpanInterpreterTest {

  private static final String TRACE = "0af7651916cd43dd8448eb211c80319c";
  private static final long T0 = 1_790_000_000_000_000_000L;
  private final SpanInterpreter interpreter =
      new SpanInterpreter(Clock.fixed(Instant.parse("2026-11-24T12:00:00Z"), ZoneOffset.UTC));

  @Test
  void attemptsBecomeRowsOfTheirCallAndTheCallSpanItselfDoesNot() {
    Span root = span("00000000000000a1", null, "ClaimsAgent.chat")
        .addAttributes(attr("flowcost.workflow.root", true))
        .addAttributes(attr("flowcost.workflow.name", "summarize-claim"))
        .addAttributes(attr("flowcost.tag.team", "claims")).build();
    Span call = span("00000000000000b1", "00000000000000a1", "chat gpt-4o-mini")
        .addAttributes(attr("gen_ai.operation.name", "chat"))
        .addAttributes(attr("flowcost.call.kind", "model"))
        .addAttributes(attr("flowcost.attempts", 2L)).build();
    Span attempt1 = span("00000000000000c1", "00000000000000b1", "attempt")
        .addAttributes(attr("flowcost.attempt", 1L))
        .addAttributes(attr("flowcost.call.id", "00000000000000b1"))
        .addAttributes(attr("gen_ai.operation.name", "chat"))
        .addAttributes(attr("http.response.status_code", 429L))
        .setStatus(Status.newBuilder().setCode(Status.StatusCode.STATUS_CODE_ERROR)).build();
    Span attempt2 = span("00000000000000c2", "00000000000000b1", "attempt")
        .addAttributes(attr("flowcost.attempt", 2L))
        .addAttributes(attr("flowcost.call.id", "00000000000000b1"))
        .addAttributes(attr("gen_ai.operation.name", "chat"))
        .addAttributes(attr("http.response.status_code", 200L))
        .addAttributes(attr("gen_ai.usage.input_tokens", 120L))
        .addAttributes(attr("gen_ai.usage.output_tokens", 30L)).build();

    IngestBatch batch = interpreter.interpret(request(root, call, attempt1, attempt2));

    assertThat(batch.rejected()).isZero();
    assertThat(batch.workflowSpans()).singleElement().satisfies(w -> {
      assertThat(w.workflowId()).isEqualTo(TRACE);
      assertThat(w.workflowName()).isEqualTo("summarize-claim");
      assertThat(w.tags()).containsEntry("team", "claims");
    });
    assertThat(batch.calls()).hasSize(2);
    CallRecord first = batch.calls().get(0);
    assertThat(first.callId()).isEqualTo("00000000000000b1");
    assertThat(first.attempt()).isEqualTo(1);
    assertThat(first.status()).isEqualTo("error");
    assertThat(first.errorType()).isEqualTo("http_429");
    assertThat(first.usage()).isNull();
    assertThat(first.wasted()).isFalse();
    CallRecord second = batch.calls().get(1);
    assertThat(second.attempt()).isEqualTo(2);
    assertThat(second.status()).isEqualTo("ok");
    assertThat(second.usage().input()).isEqualTo(120);
  }

  @Test
  void aCallSpanNamingItsWorkflowIsOneHintNeverARowAndTheRootIsNone() {
    Span root = span("00000000000000a1", null, "triage")
        .addAttributes(attr("flowcost.workflow.root", true))
        .addAttributes(attr("flowcost.workflow.name", "triage"))
        .addAttributes(attr("flowcost.tag.team", "claims")).build();
    // the logical call span (its attempt is the row) and a second call carry name and tags
    Span call = span("00000000000000b1", "00000000000000a1", "chat gpt-4o-mini")
        .addAttributes(attr("gen_ai.operation.name", "chat"))
        .addAttributes(attr("flowcost.attempts", 1L))
        .addAttributes(attr("flowcost.workflow.name", "triage"))
        .addAttributes(attr("flowcost.tag.team", "claims"))
        .addAttributes(attr("flowcost.tag.customer", "acme")).build();
    Span attempt = span("00000000000000c1", "00000000000000b1", "attempt")
        .addAttributes(attr("flowcost.attempt", 1L))
        .addAttributes(attr("gen_ai.operation.name", "chat")).build();
    Span other = span("00000000000000b2", "00000000000000a1", "chat gpt-4o-mini")
        .addAttributes(attr("gen_ai.operation.name", "chat"))
        .addAttributes(attr("flowcost.workflow.name", "triage")).build();

    IngestBatch batch = interpreter.interpret(request(call, attempt, other));
    assertThat(batch.rejected()).isZero();
    assertThat(batch.calls()).hasSize(2);
    assertThat(batch.workflowSpans()).isEmpty();
    assertThat(batch.workflowHints()).singleElement().satisfies(h -> {
      assertThat(h.workflowId()).isEqualTo(TRACE);
      assertThat(h.workflowName()).isEqualTo("triage");
      assertThat(h.service()).isEqualTo("svc");
      assertThat(h.tags()).containsExactlyInAnyOrderEntriesOf(
          java.util.Map.of("team", "claims", "customer", "acme"));
    });
    // a root span is a row, not a hint; a call without a name is no hint
    assertThat(interpreter.interpret(request(root)).workflowHints()).isEmpty();
    assertThat(interpreter.interpret(request(attempt)).workflowHints()).isEmpty();
  }

  @Test
  void aForeignGenAiSpanIsACallAndAForeignRootNamesItsWorkflow() {
    Span root = span("00000000000000a1", null, "POST /ask").build();
    Span chat = span("00000000000000b1", "00000000000000a1", "chat claude")
        .addAttributes(attr("gen_ai.system", "anthropic"))
        .addAttributes(attr("gen_ai.usage.prompt_tokens", 10L))
        .addAttributes(attr("gen_ai.usage.completion_tokens", 5L)).build();
    Span db = span("00000000000000b2", "00000000000000a1", "SELECT").build();

    IngestBatch batch = interpreter.interpret(request(root, chat, db));

    assertThat(batch.workflowSpans()).singleElement()
        .satisfies(w -> assertThat(w.workflowName()).isEqualTo("POST /ask"));
    assertThat(batch.calls()).singleElement().satisfies(c -> {
      assertThat(c.kind()).isEqualTo("model");
      assertThat(c.provider()).isEqualTo("anthropic");
      assertThat(c.callId()).isEqualTo(c.spanId());
      assertThat(c.usage().input()).isEqualTo(10);
      assertThat(c.usage().output()).isEqualTo(5);
    });
  }

  @Test
  void aBadSpanIsRejectedAndCountedWithoutPoisoningTheOthers() {
    Span absurd = span("00000000000000b1", "00000000000000a1", "chat")
        .addAttributes(attr("gen_ai.operation.name", "chat"))
        .addAttributes(attr("gen_ai.usage.input_tokens", 10L))
        .addAttributes(attr("gen_ai.usage.cache_read.input_tokens", 50L)).build();
    Span huge = span("00000000000000b2", "00000000000000a1", "chat")
        .addAttributes(attr("gen_ai.operation.name", "chat"))
        .addAttributes(attr("gen_ai.usage.input_tokens", Long.MAX_VALUE)).build();
    Span zeroId = span("0000000000000000", "00000000000000a1", "chat")
        .addAttributes(attr("gen_ai.operation.name", "chat")).build();
    Span good = span("00000000000000b3", "00000000000000a1", "chat")
        .addAttributes(attr("gen_ai.operation.name", "chat"))
        .addAttributes(attr("gen_ai.usage.input_tokens", 7L)).build();

    IngestBatch batch = interpreter.interpret(request(absurd, huge, zeroId, good));

    assertThat(batch.rejected()).isEqualTo(3);
    assertThat(batch.rejectedByReason()).containsKeys("invalid_usage", "invalid_span_id");
    assertThat(batch.calls()).singleElement()
        .satisfies(c -> assertThat(c.spanId()).isEqualTo("00000000000000b3"));
  }

  @Test
  void spansWithTimesOutsideTheAcceptedWindowAreRejectedAndTheRestKept() {
    Span farEnd = span("00000000000000b1", "00000000000000a1", "chat")
        .addAttributes(attr("gen_ai.operation.name", "chat"))
        .setEndTimeUnixNano(8_000_000_000_000_000_000L).build(); // year 2223
    Span ancient = span("00000000000000b2", "00000000000000a1", "chat")
        .addAttributes(attr("gen_ai.operation.name", "chat"))
        .setStartTimeUnixNano(1L).build();
    Span good = span("00000000000000b3", "00000000000000a1", "chat")
        .addAttributes(attr("gen_ai.operation.name", "chat")).build();

    IngestBatch batch = interpreter.interpret(request(farEnd, ancient, good));

    assertThat(batch.rejectedByReason())
        .containsEntry("invalid_end_time", 1).containsEntry("clock_skew", 1);
    assertThat(batch.calls()).singleElement()
        .satisfies(c -> assertThat(c.spanId()).isEqualTo("00000000000000b3"));
  }

  @Test
  void aBilledAttemptThatFailedIsDiscardedWaste() {
    Span timedOut = span("00000000000000c1", "00000000000000b1", "attempt")
        .addAttributes(attr("flowcost.attempt", 1L))
        .addAttributes(attr("gen_ai.operation.name", "chat"))
        .addAttributes(attr("error.type", "java.net.http.HttpTimeoutException"))
        .addAttributes(attr("flowcost.usage.estimated", true))
        .addAttributes(attr("gen_ai.usage.input_tokens", 100L))
        .addAttributes(attr("gen_ai.usage.output_tokens", 40L))
        .setStatus(Status.newBuilder().setCode(Status.StatusCode.STATUS_CODE_ERROR)).build();

    CallRecord c = interpreter.interpret(request(timedOut)).calls().get(0);

    assertThat(c.wasted()).isTrue();
    assertThat(c.wasteCause()).isEqualTo("discarded");
    assertThat(c.usage().estimated()).isTrue();
    assertThat(c.errorType()).isEqualTo("java.net.http.HttpTimeoutException");
  }

  @Test
  void cacheWritesAndTheServedTierAreReadUnderTheirCurrentAndOlderNames() {
    Span current = span("00000000000000b1", "00000000000000a1", "chat")
        .addAttributes(attr("gen_ai.operation.name", "chat"))
        .addAttributes(attr("gen_ai.usage.input_tokens", 100L))
        .addAttributes(attr("gen_ai.usage.cache_write.input_tokens", 40L))
        .addAttributes(attr("openai.response.service_tier", "flex")).build();
    Span older = span("00000000000000b2", "00000000000000a1", "chat")
        .addAttributes(attr("gen_ai.operation.name", "chat"))
        .addAttributes(attr("gen_ai.usage.input_tokens", 100L))
        .addAttributes(attr("gen_ai.usage.cache_creation.input_tokens", 30L))
        .addAttributes(attr("gen_ai.openai.response.service_tier", "priority")).build();
    Span both = span("00000000000000b3", "00000000000000a1", "chat")
        .addAttributes(attr("gen_ai.operation.name", "chat"))
        .addAttributes(attr("gen_ai.usage.input_tokens", 100L))
        // the current name wins when an instrumentation sends both during the rename
        .addAttributes(attr("gen_ai.usage.cache_write.input_tokens", 20L))
        .addAttributes(attr("gen_ai.usage.cache_creation.input_tokens", 25L))
        .addAttributes(attr("openai.response.service_tier", "default"))
        .addAttributes(attr("gen_ai.openai.response.service_tier", "priority")).build();

    IngestBatch batch = interpreter.interpret(request(current, older, both));

    assertThat(batch.calls()).extracting(c -> c.usage().cacheWrite()).containsExactly(40L, 30L, 20L);
    assertThat(batch.calls()).extracting(c -> c.usage().serviceTier())
        .containsExactly("flex", "priority", "default");
  }

  @Test
  void providerReportedCostIsReadFromEachKnownAttributeAndOnlyInUsd() {
    java.util.function.BiFunction<String, KeyValue[], Span> chat = (id, extra) -> {
      Span.Builder b = span(id, "00000000000000a1", "chat")
          .addAttributes(attr("gen_ai.operation.name", "chat"))
          .addAttributes(attr("gen_ai.usage.input_tokens", 10L));
      for (KeyValue kv : extra) {
        b.addAttributes(kv);
      }
      return b.build();
    };
    KeyValue amount = KeyValue.newBuilder().setKey("gen_ai.usage.cost.amount")
        .setValue(AnyValue.newBuilder().setDoubleValue(0.0021)).build();
    IngestBatch batch = interpreter.interpret(request(
        chat.apply("00000000000000b1", new KeyValue[] {amount}),
        chat.apply("00000000000000b2", new KeyValue[] {amount,
            attr("gen_ai.usage.cost.currency", "EUR")}),
        chat.apply("00000000000000b3", new KeyValue[] {attr("flowcost.provider_cost_usd",
            "0.0000001234")}),
        chat.apply("00000000000000b4", new KeyValue[] {attr("gen_ai.usage.cost", "-1")}),
        chat.apply("00000000000000b5", new KeyValue[] {
            attr("http.response.header.x-litellm-response-cost", "0.5")}),
        chat.apply("00000000000000b6", new KeyValue[] {attr("gen_ai.usage.cost.amount", "lots")}),
        chat.apply("00000000000000b7", new KeyValue[0])));

    assertThat(batch.rejected()).isZero();
    assertThat(batch.calls()).extracting(CallRecord::providerCostUsd).containsExactly(
        new java.math.BigDecimal("0.002100000"), null, new java.math.BigDecimal("0.000000123"),
        null, new java.math.BigDecimal("0.500000000"), null, null);
  }

  /**
   * The interpreter files a span's attributes in one pass: the order they come in does not change
   * the row, and of a key sent twice the last value counts (as protobuf's map view had it).
   */
  @Test
  void aSpanGivesTheSameRowWhateverTheOrderOfItsAttributesAndTheLastOfADuplicateCounts() {
    List<KeyValue> attrs = List.of(
        attr("flowcost.attempt", 1L),
        attr("flowcost.call.kind", "model"),
        attr("flowcost.call.id", "00000000000000b1"),
        attr("gen_ai.operation.name", "chat"),
        attr("gen_ai.provider.name", "openai"),
        attr("gen_ai.request.model", "gpt-4o-mini"),
        attr("gen_ai.response.model", "gpt-4o-mini-2024-07-18"),
        attr("gen_ai.response.id", "chatcmpl-1"),
        attr("gen_ai.response.finish_reasons", "stop"),
        attr("gen_ai.usage.input_tokens", 120L),
        attr("gen_ai.usage.output_tokens", 30L),
        attr("gen_ai.usage.cache_read.input_tokens", 100L),
        attr("openai.response.service_tier", "default"),
        attr("http.response.status_code", 200L),
        attr("server.address", "api.openai.com"),
        attr("url.path", "/v1/chat/completions"),
        attr("flowcost.provider_cost_usd", "0.0021"),
        attr("gen_ai.request.stream", true),
        attr("flowcost.workflow.name", "triage"));
    CallRecord reference = onlyCall(attrs, "00000000000000c1");
    // the reference itself, from the attributes as sent
    assertThat(reference.attempt()).isEqualTo(1);
    assertThat(reference.callId()).isEqualTo("00000000000000b1");
    assertThat(reference.requestModel()).isEqualTo("gpt-4o-mini");
    assertThat(reference.usage().input()).isEqualTo(120);
    assertThat(reference.usage().output()).isEqualTo(30);
    assertThat(reference.usage().cacheRead()).isEqualTo(100);
    assertThat(reference.providerCostUsd()).isEqualTo(new java.math.BigDecimal("0.002100000"));

    java.util.Random random = new java.util.Random(20261206);
    for (int round = 0; round < 50; round++) {
      List<KeyValue> shuffled = new java.util.ArrayList<>(attrs);
      java.util.Collections.shuffle(shuffled, random);
      // earlier, different values of some keys, each placed before the value that counts
      for (int d = 0; d < 5; d++) {
        KeyValue counted = attrs.get(random.nextInt(attrs.size()));
        int at = shuffled.indexOf(counted);
        shuffled.add(random.nextInt(at + 1), attr(counted.getKey(), "stale " + round));
      }
      // a distinct span id per round, so the response id is not a repeat of an earlier round
      String spanId = String.format("%016x", 0xc100 + round);
      CallRecord row = onlyCall(shuffled, spanId);
      assertThat(row).as("round %d: %s", round, shuffled)
          .usingRecursiveComparison().ignoringFields("spanId").isEqualTo(reference);
    }
  }

  private static CallRecord onlyCall(List<KeyValue> attrs, String spanId) {
    SpanInterpreter fresh =
        new SpanInterpreter(Clock.fixed(Instant.parse("2026-11-24T12:00:00Z"), ZoneOffset.UTC));
    Span attempt = span(spanId, "00000000000000b1", "attempt").addAllAttributes(attrs).build();
    IngestBatch batch = fresh.interpret(request(attempt));
    assertThat(batch.rejected()).isZero();
    assertThat(batch.calls()).hasSize(1);
    return batch.calls().get(0);
  }

  private static Span.Builder span(String id, String parent, String name) {
    Span.Builder b = Span.newBuilder()
        .setTraceId(ByteString.copyFrom(HexFormat.of().parseHex(TRACE)))
        .setSpanId(ByteString.copyFrom(HexFormat.of().parseHex(id)))
        .setName(name)
        .setStartTimeUnixNano(T0)
        .setEndTimeUnixNano(T0 + 1_000_000);
    if (parent != null) {
      b.setParentSpanId(ByteString.copyFrom(HexFormat.of().parseHex(parent)));
    }
    return b;
  }

  private static ExportTraceServiceRequest request(Span... spans) {
    return ExportTraceServiceRequest.newBuilder().addResourceSpans(ResourceSpans.newBuilder()
        .setResource(Resource.newBuilder().addAttributes(attr("service.name", "svc")))
        .addScopeSpans(ScopeSpans.newBuilder().addAllSpans(java.util.List.of(spans)))).build();
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
