package io.flowcost.agent.trace;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.exporter.internal.otlp.traces.LowAllocationTraceRequestMarshaler;
import io.opentelemetry.exporter.internal.otlp.traces.TraceRequestMarshaler;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.DelegatingSpanData;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@link AgentTracer} records what the OpenTelemetry SDK's tracer (always-on sampling, as the
 * agent had it) records for the same calls: the same OTLP request byte for byte once ids and times
 * (random and clock-read on both sides) are renumbered alike, and the same parent/child ids,
 * trace state, flags and clock behaviour.
 */
class AgentTracerTest {

  private static final Resource RESOURCE =
      Resource.getDefault().merge(Resource.create(Attributes.of(
          AttributeKey.stringKey("service.name"), "claims-bot",
          AttributeKey.stringKey("flowcost.agent.version"), "test")));
  private static final AttributeKey<String> NAME = AttributeKey.stringKey("gen_ai.request.model");
  private static final AttributeKey<Long> TOKENS = AttributeKey.longKey("gen_ai.usage.input_tokens");
  private static final AttributeKey<Boolean> ROOT = AttributeKey.booleanKey("flowcost.workflow.root");
  private static final AttributeKey<Double> SHARE = AttributeKey.doubleKey("flowcost.share");
  private static final AttributeKey<List<String>> REASONS =
      AttributeKey.stringArrayKey("gen_ai.response.finish_reasons");
  private static final AttributeKey<List<Long>> LONGS = AttributeKey.longArrayKey("a.longs");

  @Test
  void exportsTheSameRequestAsTheSdkForTheSameCalls() throws Exception {
    List<SpanData> expected = recordedBySdk();
    InMemorySpanExporter agentSpans = InMemorySpanExporter.create();
    AgentTracer agent =
        new AgentTracer("io.flowcost.agent", RESOURCE, SimpleSpanProcessor.create(agentSpans));

    record(agent);

    List<SpanData> actual = agentSpans.getFinishedSpanItems();
    assertThat(actual).hasSize(expected.size()).hasSize(7);
    assertThat(actual).allMatch(s -> s instanceof AgentSpan);
    assertThat(encode(renumbered(actual))).isEqualTo(encode(renumbered(expected)));
    assertThat(encodeLowAllocation(renumbered(actual))).isEqualTo(encode(renumbered(expected)));
    // the renumbering kept the ids' structure: check it holds on the real ids too
    assertThat(structure(actual)).isEqualTo(structure(expected));
  }

  /** The spans the OpenTelemetry SDK records for {@link #record}'s calls: the reference. */
  private static List<SpanData> recordedBySdk() {
    InMemorySpanExporter sdkSpans = InMemorySpanExporter.create();
    SdkTracerProvider sdk = SdkTracerProvider.builder().setResource(RESOURCE)
        .setSampler(Sampler.alwaysOn()).addSpanProcessor(SimpleSpanProcessor.create(sdkSpans))
        .build();
    record(sdk.get("io.flowcost.agent"));
    List<SpanData> spans = sdkSpans.getFinishedSpanItems();
    sdk.shutdown().join(5, TimeUnit.SECONDS);
    return spans;
  }

  /**
   * However much room a span's builder makes for attributes up front (fewer than it gets, as
   * many, more; past the limit), what is recorded is what the SDK records: the same request.
   */
  @Test
  void exportsTheSameRequestWhateverRoomIsMadeForAttributes() throws Exception {
    List<SpanData> sdkSpans = recordedBySdk();
    byte[] expected = encode(renumbered(sdkSpans));
    for (int room : new int[] {-1, 0, 1, 2, 3, 7, 16, 128, 1_000}) {
      InMemorySpanExporter agentSpans = InMemorySpanExporter.create();
      AgentTracer agent =
          new AgentTracer("io.flowcost.agent", RESOURCE, SimpleSpanProcessor.create(agentSpans));
      record(name -> AgentTracer.spanBuilder(agent, name, room));
      List<SpanData> actual = agentSpans.getFinishedSpanItems();
      assertThat(actual).hasSize(7).allMatch(s -> s instanceof AgentSpan);
      assertThat(encode(renumbered(actual))).as("room for %d", room).isEqualTo(expected);
      assertThat(structure(actual)).isEqualTo(structure(sdkSpans));
    }
    // another tracer (the no-op one before the agent is installed) is asked as it is
    assertThat(AgentTracer.spanBuilder(io.opentelemetry.api.trace.TracerProvider.noop().get("x"),
        "n", 4).startSpan().getSpanContext().isValid()).isFalse();
  }

  /** The same calls, whichever tracer records them. */
  private static void record(Tracer tracer) {
    Span root = tracer.spanBuilder("workflow").setNoParent()
        .setAttribute(ROOT, true)
        .setAttribute("flowcost.workflow.name", "claims")
        .setAttribute("n", 3L)
        .setAttribute("ratio", 0.25)
        .setAttribute("flag", false)
        .setAllAttributes(Attributes.of(NAME, "gpt-4o", TOKENS, 12L))
        .setAttribute(TOKENS, 13L) // set again: replaced, and counted as the SDK counts it
        .setAttribute(NAME, null) // ignored
        .setAttribute(AttributeKey.stringKey(""), "x") // ignored
        .startSpan();
    root.updateName("workflow claims");
    try (Scope ignored = root.makeCurrent()) {
      Span call = tracer.spanBuilder("chat gpt-4o").setSpanKind(SpanKind.CLIENT).startSpan();
      call.setAttribute(REASONS, List.of("stop", "tool_calls"));
      call.setAttribute(LONGS, List.of(1L, 2L));
      call.setAttribute(SHARE, 0.5);
      call.setStatus(StatusCode.ERROR, "timed out");
      Span attempt = tracer.spanBuilder("attempt").setParent(Context.current().with(call))
          .setSpanKind(SpanKind.CLIENT).setAttribute("attempt", 1L).startSpan();
      attempt.setStatus(StatusCode.OK);
      attempt.setStatus(StatusCode.ERROR, "too late: OK stays");
      attempt.end();
      attempt.setAttribute("after.end", "ignored");
      attempt.end(); // once
      call.addEvent("retry", Attributes.of(TOKENS, 5L), 1_700_000_000_123L, TimeUnit.NANOSECONDS);
      call.end();
      Span tool = tracer.spanBuilder("execute_tool lookup").startSpan();
      tool.setStatus(StatusCode.ERROR);
      tool.end();
    }
    Span many = tracer.spanBuilder("many").setNoParent()
        .setStartTimestamp(1_700_000_000L, TimeUnit.SECONDS).startSpan();
    for (int i = 0; i < 140; i++) {
      many.setAttribute("k" + (char) ('a' + i % 26) + i, (long) i); // over the 128 limit
    }
    many.end(1_700_000_005L, TimeUnit.SECONDS);
    SpanContext linked = SpanContext.create("0af7651916cd43dd8448eb211c80319c",
        "b7ad6b7169203331", TraceFlags.getSampled(), TraceState.getDefault());
    Span boundary = tracer.spanBuilder("boundary").setNoParent().addLink(linked)
        .addLink(SpanContext.getInvalid()).startSpan();
    boundary.end();
    SpanContext remote = SpanContext.createFromRemoteParent("4bf92f3577b34da6a3ce929d0e0e4736",
        "00f067aa0ba902b7", TraceFlags.getDefault(),
        TraceState.builder().put("vendor", "v1").build());
    Span joined = tracer.spanBuilder("joined").setParent(Context.root().with(Span.wrap(remote)))
        .setSpanKind(SpanKind.SERVER).startSpan();
    joined.end();
    root.end();
  }

  /** Ids renumbered in order of first appearance, times replaced by their order: a fixed form. */
  private static List<SpanData> renumbered(List<SpanData> spans) {
    Map<String, String> ids = new HashMap<>();
    List<SpanData> fixed = new ArrayList<>();
    for (SpanData span : spans) {
      SpanContext context = renumber(span.getSpanContext(), ids);
      SpanContext parent = renumber(span.getParentSpanContext(), ids);
      fixed.add(new DelegatingSpanData(span) {
        @Override public SpanContext getSpanContext() { return context; }
        @Override public SpanContext getParentSpanContext() { return parent; }
        // explicit times stay, clock readings become one fixed value on both sides
        @Override public long getStartEpochNanos() { return clockFree(span.getStartEpochNanos()); }
        @Override public long getEndEpochNanos() { return clockFree(span.getEndEpochNanos()); }
      });
    }
    return fixed;
  }

  private static long clockFree(long epochNanos) {
    return epochNanos % 1_000_000_000L == 0 ? epochNanos : 42L;
  }

  private static SpanContext renumber(SpanContext context, Map<String, String> ids) {
    if (!context.isValid()) {
      return context;
    }
    String trace = ids.computeIfAbsent(context.getTraceId(), k -> String.format("%032x", ids.size() + 1));
    String span = ids.computeIfAbsent(context.getSpanId(), k -> String.format("%016x", ids.size() + 1));
    return context.isRemote()
        ? SpanContext.createFromRemoteParent(trace, span, context.getTraceFlags(), context.getTraceState())
        : SpanContext.create(trace, span, context.getTraceFlags(), context.getTraceState());
  }

  /** Per span: name, whether its trace is its parent's, its parent's name, flags, trace state. */
  private static List<String> structure(List<SpanData> spans) {
    Map<String, SpanData> byId = new HashMap<>();
    spans.forEach(s -> byId.put(s.getSpanId(), s));
    List<String> lines = new ArrayList<>();
    for (SpanData s : spans) {
      SpanData parent = byId.get(s.getParentSpanId());
      lines.add(s.getName() + " parent=" + (parent == null ? s.getParentSpanContext().isValid()
          : parent.getName()) + " sameTrace=" + s.getTraceId().equals(s.getParentSpanContext()
          .isValid() ? s.getParentSpanContext().getTraceId() : s.getTraceId())
          + " flags=" + s.getSpanContext().getTraceFlags().asHex() + " state="
          + s.getSpanContext().getTraceState().asMap() + " ordered="
          + (s.getEndEpochNanos() >= s.getStartEpochNanos()));
    }
    return lines;
  }

  private static byte[] encode(List<SpanData> spans) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    TraceRequestMarshaler.create(spans).writeBinaryTo(out);
    return out.toByteArray();
  }

  private static byte[] encodeLowAllocation(List<SpanData> spans) throws Exception {
    LowAllocationTraceRequestMarshaler marshaler = new LowAllocationTraceRequestMarshaler();
    marshaler.initialize(spans);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    marshaler.writeBinaryTo(out);
    return out.toByteArray();
  }

  @Test
  void aChildSharesItsParentsClockAndIds() {
    InMemorySpanExporter spans = InMemorySpanExporter.create();
    AgentTracer tracer = new AgentTracer("s", RESOURCE, SimpleSpanProcessor.create(spans));
    Span root = tracer.spanBuilder("root").startSpan();
    assertThat(Span.current().getSpanContext().isValid()).isFalse();
    Span child;
    try (Scope ignored = root.makeCurrent()) {
      assertThat(Span.current()).isSameAs(root);
      child = tracer.spanBuilder("child").startSpan();
      child.end();
    }
    root.end();
    AgentSpan c = (AgentSpan) child;
    AgentSpan r = (AgentSpan) root;
    assertThat(c.anchorEpochNanos).isEqualTo(r.anchorEpochNanos);
    assertThat(c.getStartEpochNanos()).isGreaterThanOrEqualTo(r.getStartEpochNanos());
    assertThat(r.getEndEpochNanos()).isGreaterThanOrEqualTo(c.getEndEpochNanos());
    assertThat(c.getParentSpanContext()).isEqualTo(r.getSpanContext());
    assertThat(c.getTraceId()).isEqualTo(r.getTraceId());
    assertThat(c.getSpanId()).isNotEqualTo(r.getSpanId());
    assertThat(r.getSpanContext().isSampled()).isTrue();
    assertThat(spans.getFinishedSpanItems()).containsExactly(c, r);
    assertThat(c.isRecording()).isFalse();
  }

  @Test
  void readsOfASpanStillRecordingAreCopiesAndShutdownStopsRecording() {
    InMemorySpanExporter spans = InMemorySpanExporter.create();
    AgentTracer tracer = new AgentTracer("s", RESOURCE, SimpleSpanProcessor.create(spans));
    Span span = tracer.spanBuilder("root").setAttribute(NAME, "a").startSpan();
    Attributes before = ((AgentSpan) span).getAttributes();
    span.setAttribute(TOKENS, 1L);
    assertThat(before.asMap()).containsOnlyKeys(NAME);
    assertThat(((AgentSpan) span).getAttribute(TOKENS)).isEqualTo(1L);
    span.end();
    assertThat(((AgentSpan) span).getAttributes().asMap()).containsOnlyKeys(NAME, TOKENS);

    assertThat(spans.getFinishedSpanItems()).hasSize(1);
    CompletableResultCode done = tracer.shutdown(); // the in-memory exporter forgets its spans
    assertThat(done.join(5, TimeUnit.SECONDS).isSuccess()).isTrue();
    Span after = tracer.spanBuilder("late").startSpan();
    after.end();
    assertThat(after.isRecording()).isFalse();
    assertThat(after.getSpanContext().isValid()).isFalse();
  }
}
