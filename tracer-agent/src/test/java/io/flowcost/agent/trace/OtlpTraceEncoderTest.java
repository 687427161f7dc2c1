package io.flowcost.agent.trace;

import static io.flowcost.agent.trace.OtlpRequests.groups;
import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.context.Context;
import io.opentelemetry.exporter.internal.otlp.traces.LowAllocationTraceRequestMarshaler;
import io.opentelemetry.exporter.internal.otlp.traces.TraceRequestMarshaler;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.sdk.common.InstrumentationScopeInfo;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.testing.trace.TestSpanData;
import io.opentelemetry.sdk.trace.data.EventData;
import io.opentelemetry.sdk.trace.data.LinkData;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.data.StatusData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The oracle for {@link OtlpTraceEncoder}: for the same spans it writes the bytes OpenTelemetry's
 * own encoders ({@code TraceRequestMarshaler}, and {@code LowAllocationTraceRequestMarshaler},
 * which the agent used before) write — byte for byte, for spans recorded by {@link AgentTracer}
 * with every attribute type, empty and non-ASCII values (unpaired surrogates included), events,
 * exceptions, links, statuses, kinds, remote parents with a trace state, attribute limits, and
 * batches from one span to thousands, encoded one after another by the same reused encoder.
 */
class OtlpTraceEncoderTest {

  private static final Resource RESOURCE =
      Resource.getDefault().merge(Resource.create(Attributes.of(
          AttributeKey.stringKey("service.name"), "claims-bot",
          AttributeKey.stringKey("flowcost.agent.version"), "test")));

  /** Strings that exercise the UTF-8 encoding: empty, ASCII, 2-, 3- and 4-byte, broken pairs. */
  private static final String[] TEXTS = {
      "", "chat", "gpt-4o-mini", "é", "Überweisung prüfen", "日本語のテキスト", "emoji 😀 ok",
      "high \uD83D alone", "low \uDE00 alone", "ends high \uD83D", "\uDE00\uD83D swapped",
      "x".repeat(200), "ü".repeat(100), "tab\tnew\nline\u0000nul", "\u007f\u0080\u07ff\u0800\uffff"};

  private static final SpanKind[] KINDS = SpanKind.values();

  @Test
  void writesTheSdksBytesForTheAgentsSpansBatchAfterBatch() throws Exception {
    OtlpTraceEncoder encoder = new OtlpTraceEncoder();
    LowAllocationTraceRequestMarshaler lowAllocation = new LowAllocationTraceRequestMarshaler();
    Random random = new Random(13);
    int[] batchSizes = {1, 2, 9, 50, 1, 300, 2_500, 7};
    int compared = 0;
    for (int batchSize : batchSizes) {
      List<SpanData> spans = agentSpans(random, batchSize);
      assertThat(spans).hasSize(batchSize).allMatch(s -> s instanceof AgentSpan);
      byte[] expected = reference(spans);
      int size = encoder.encode(spans);
      assertThat(size).isEqualTo(expected.length);
      assertThat(encoder.toByteArray()).as("batch of %d spans", batchSize).isEqualTo(expected);
      ByteArrayOutputStream written = new ByteArrayOutputStream();
      encoder.writeTo(written);
      assertThat(written.toByteArray()).isEqualTo(expected);
      assertThat(encoder.toByteArray()).isEqualTo(lowAllocation(lowAllocation, spans));
      compared += batchSize;
    }
    assertThat(compared).isGreaterThan(2_800);
  }

  @Test
  void writesTheSdksBytesForEveryAttributeTypeAndEdgeValue() throws Exception {
    InMemorySpanExporter out = InMemorySpanExporter.create();
    AgentTracer tracer = tracerInto(out);
    SpanBuilder builder = tracer.spanBuilder("edges").setNoParent()
        .setAttribute("empty", "")
        .setAttribute("zero", 0L)
        .setAttribute("negative", -1L)
        .setAttribute("min", Long.MIN_VALUE)
        .setAttribute("max", Long.MAX_VALUE)
        .setAttribute("false", false)
        .setAttribute("true", true)
        .setAttribute("zero.double", 0.0)
        .setAttribute("negative.zero", -0.0)
        .setAttribute("nan", Double.NaN)
        .setAttribute("infinity", Double.NEGATIVE_INFINITY)
        .setAttribute(AttributeKey.stringArrayKey("strings.empty"), List.of())
        .setAttribute(AttributeKey.stringArrayKey("strings"), List.of("", "a", "é", "😀"))
        .setAttribute(AttributeKey.booleanArrayKey("booleans"), List.of(true, false))
        .setAttribute(AttributeKey.longArrayKey("longs"), List.of(0L, -5L, 300L))
        .setAttribute(AttributeKey.doubleArrayKey("doubles"), List.of(0.0, 1.5, -2.25))
        .setAttribute(AttributeKey.longArrayKey("longs.empty"), List.of());
    for (String text : TEXTS) {
      builder.setAttribute("text." + text, text); // non-ASCII keys too
    }
    Span span = builder.startSpan();
    span.setStatus(StatusCode.ERROR, "");
    span.end();
    Span ok = tracer.spanBuilder("").setNoParent().startSpan(); // "<unspecified span name>"
    ok.setStatus(StatusCode.OK, "ignored by the SDK for OK? recorded as given");
    ok.end();
    Span unicodeStatus = tracer.spanBuilder("статус").setNoParent().startSpan();
    unicodeStatus.setStatus(StatusCode.ERROR, "délai dépassé \uD83D");
    unicodeStatus.end();
    assertSameBytes(out.getFinishedSpanItems(), 3);
  }

  @Test
  void writesTheSdksBytesForEventsLinksRemoteParentsAndLimits() throws Exception {
    InMemorySpanExporter out = InMemorySpanExporter.create();
    AgentTracer tracer = tracerInto(out);
    TraceState state = TraceState.builder().put("vendor", "v1").put("other", "x=y").build();
    SpanContext remote = SpanContext.createFromRemoteParent("0af7651916cd43dd8448eb211c80319c",
        "b7ad6b7169203331", TraceFlags.getSampled(), state);
    Span child = tracer.spanBuilder("server").setSpanKind(SpanKind.SERVER)
        .setParent(Context.root().with(Span.wrap(remote)))
        .addLink(remote, Attributes.of(AttributeKey.stringKey("link.kind"), "upstream"))
        .addLink(SpanContext.create("11111111111111111111111111111111", "2222222222222222",
            TraceFlags.getDefault(), TraceState.getDefault()))
        .startSpan();
    child.addEvent("plain");
    child.addEvent("with attributes", Attributes.of(AttributeKey.longKey("n"), 7L,
        AttributeKey.stringKey("s"), "ü"));
    child.addEvent("at a time", Attributes.empty(), 1_700_000_000_123_456_789L,
        TimeUnit.NANOSECONDS);
    child.recordException(new IllegalStateException("boom ünicode"));
    AttributesBuilder many = Attributes.builder();
    for (int i = 0; i < 140; i++) {
      many.put("e" + i, (long) i); // over the event's attribute limit
    }
    child.addEvent("many", many.build());
    for (int i = 0; i < 140; i++) {
      child.addEvent("event " + i); // over the event limit: dropped and counted
    }
    for (int i = 0; i < 140; i++) {
      child.setAttribute("k" + i, "v" + i); // over the attribute limit
    }
    child.end();
    Span grandChild = tracer.spanBuilder("local child").setSpanKind(SpanKind.CONSUMER)
        .setParent(Context.root().with(child)).startSpan();
    grandChild.end();
    SpanBuilder manyLinks = tracer.spanBuilder("many links").setNoParent()
        .setSpanKind(SpanKind.PRODUCER);
    for (int i = 0; i < 130; i++) {
      manyLinks.addLink(SpanContext.create(String.format("%032x", i + 1),
          String.format("%016x", i + 1), TraceFlags.getSampled(), TraceState.getDefault()));
    }
    manyLinks.startSpan().end(1_700_000_000L, TimeUnit.SECONDS);
    assertSameBytes(out.getFinishedSpanItems(), 3);
  }

  @Test
  void groupsSpansOfSeveralResourcesAndScopesAsTheSdkDoes() throws Exception {
    Resource app = Resource.create(Attributes.of(AttributeKey.stringKey("service.name"), "app"));
    Resource other = Resource.create(Attributes.of(AttributeKey.stringKey("service.name"), "o"),
        "https://opentelemetry.io/schemas/1.24.0");
    InstrumentationScopeInfo agent = InstrumentationScopeInfo.builder("flowcost")
        .setVersion("0.1.0").setSchemaUrl("https://example.com/s")
        .setAttributes(Attributes.of(AttributeKey.stringKey("scope.attr"), "x")).build();
    InstrumentationScopeInfo user = InstrumentationScopeInfo.create("user");
    List<SpanData> spans = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      spans.add(TestSpanData.builder()
          .setName("span " + i)
          .setKind(KINDS[i % KINDS.length])
          .setSpanContext(SpanContext.create(String.format("%032x", 0xabcL + i),
              String.format("%016x", 0x100L + i), TraceFlags.getSampled(),
              TraceState.getDefault()))
          .setParentSpanContext(SpanContext.getInvalid())
          .setStartEpochNanos(1_700_000_000_000_000_000L + i)
          .setEndEpochNanos(1_700_000_000_001_000_000L + i)
          .setAttributes(Attributes.of(AttributeKey.longKey("i"), (long) i))
          .setTotalAttributeCount(i == 5 ? 0 : 3) // 0: below what it holds, a negative count
          .setEvents(List.of(EventData.create(5L, "e", Attributes.empty())))
          .setTotalRecordedEvents(2)
          .setLinks(List.of(LinkData.create(SpanContext.create(String.format("%032x", 7),
              String.format("%016x", 7), TraceFlags.getDefault(), TraceState.getDefault()))))
          .setTotalRecordedLinks(1)
          .setStatus(i % 2 == 0 ? StatusData.ok() : StatusData.create(StatusCode.ERROR, "e"))
          .setHasEnded(true)
          .setResource(i < 7 ? app : other)
          .setInstrumentationScopeInfo(i % 3 == 0 ? user : agent)
          .build());
    }
    OtlpTraceEncoder encoder = new OtlpTraceEncoder();
    encoder.encode(spans);
    // the groups' order is the SDK's identity-hash order there, first seen here
    assertThat(groups(encoder.toByteArray())).isEqualTo(groups(reference(spans)));
    assertThat(ExportTraceServiceRequest.parseFrom(encoder.toByteArray()).getResourceSpansCount())
        .isEqualTo(2);
    // one group: byte for byte (span 5's dropped-attribute count is negative)
    List<SpanData> one = spans.subList(4, 6);
    encoder.encode(one);
    assertThat(encoder.toByteArray()).isEqualTo(reference(one));
  }

  /**
   * The encoder's caches (attribute keys by slot, the last trace id) never change a byte: keys
   * whose names share a slot ("Aa" and "BB" have the same hash), a name equal to a cached one but
   * another string, names longer than the cache keeps, non-ASCII names, a key cached by one batch
   * and read from the cache by the next, traces interleaved and a trace id equal to the last one
   * but another string — each batch through one encoder, against the SDK's bytes.
   */
  @Test
  void theKeyAndTraceIdCachesWriteTheSdksBytesBatchAfterBatch() throws Exception {
    InMemorySpanExporter out = InMemorySpanExporter.create();
    AgentTracer tracer = tracerInto(out);
    String traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    String[] names = {"key.Aa", "key.BB", "key.AaAa", "key.BBBB", "key.AaBB", "x".repeat(101),
        "y".repeat(100), "clé.é", "gen_ai.usage.input_tokens"};
    assertThat("key.Aa".hashCode()).isEqualTo("key.BB".hashCode());
    List<List<SpanData>> batches = new ArrayList<>();
    for (int batch = 0; batch < 3; batch++) {
      List<Span> spans = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        // traces A, B, A, … and, for the parent of the last two, a remote one whose trace id is
        // the same text as trace A's but another string
        SpanBuilder builder = tracer.spanBuilder("span " + batch + "." + i);
        if (i < 4) {
          builder.setParent(Context.root().with(Span.wrap(SpanContext.createFromRemoteParent(
              i % 2 == 0 ? traceId : "0af7651916cd43dd8448eb211c80319c", "b7ad6b7169203331",
              TraceFlags.getSampled(), TraceState.getDefault()))));
        } else {
          builder.setParent(Context.root().with(Span.wrap(SpanContext.createFromRemoteParent(
              new String(traceId.toCharArray()), "00f067aa0ba902b7", TraceFlags.getSampled(),
              TraceState.getDefault()))));
        }
        Span span = builder.startSpan();
        for (int k = 0; k < names.length; k++) {
          // a new string each time for every other span: equal names, not the cached string
          String name = (i + k) % 2 == 0 ? names[k] : new String(names[k].toCharArray());
          span.setAttribute(name, name.length() + i);
        }
        span.setAttribute(AttributeKey.stringKey(names[batch]), "batch " + batch);
        spans.add(span);
      }
      spans.forEach(Span::end);
      batches.add(new ArrayList<>(out.getFinishedSpanItems()));
      out.reset();
    }
    OtlpTraceEncoder encoder = new OtlpTraceEncoder();
    for (List<SpanData> batch : batches) {
      encoder.encode(batch);
      assertThat(encoder.toByteArray()).isEqualTo(reference(batch));
    }
    // the first batch again, every key and trace id now from the caches
    encoder.encode(batches.get(0));
    assertThat(encoder.toByteArray()).isEqualTo(reference(batches.get(0)));
  }

  /** An id that is not hex digits is refused (the batch fails to encode), as before. */
  @Test
  void anIdThatIsNotHexIsRefused() {
    SpanContext valid = SpanContext.create("4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7",
        TraceFlags.getSampled(), TraceState.getDefault());
    SpanContext notHex = new SpanContext() {
      @Override
      public String getTraceId() {
        return "4bf92f3577b34da6a3ce929d0e0e47zz";
      }

      @Override
      public String getSpanId() {
        return valid.getSpanId();
      }

      @Override
      public TraceFlags getTraceFlags() {
        return valid.getTraceFlags();
      }

      @Override
      public TraceState getTraceState() {
        return valid.getTraceState();
      }

      @Override
      public boolean isRemote() {
        return false;
      }
    };
    SpanData span = TestSpanData.builder().setName("bad id").setKind(SpanKind.INTERNAL)
        .setSpanContext(notHex).setStartEpochNanos(1).setEndEpochNanos(2)
        .setStatus(StatusData.unset()).setHasEnded(true).build();
    OtlpTraceEncoder encoder = new OtlpTraceEncoder();
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> encoder.encode(List.of(span)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("hex");
    // the encoder is still usable, and the bad id was not remembered
    SpanData good = TestSpanData.builder().setName("good").setKind(SpanKind.INTERNAL)
        .setSpanContext(valid).setStartEpochNanos(1).setEndEpochNanos(2)
        .setStatus(StatusData.unset()).setHasEnded(true).build();
    encoder.encode(List.of(good));
    assertThat(encoder.toByteArray()).isEqualTo(referenceUnchecked(List.of(good)));
  }

  /**
   * A span's length is written in the two bytes reserved for it, and the request's two outer
   * lengths in front of the batch: spans whose content needs one, two, three and four bytes of
   * length, alone and together, through one encoder, are still the SDK's bytes.
   */
  @Test
  void spansAndRequestsOfEveryLengthSizeWriteTheSdksBytes() throws Exception {
    OtlpTraceEncoder encoder = new OtlpTraceEncoder();
    InMemorySpanExporter out = InMemorySpanExporter.create();
    AgentTracer tracer = tracerInto(out);
    List<Integer> lengths = new ArrayList<>();
    for (int n = 0; n <= 160; n++) {
      lengths.add(n); // spans of content from under 128 bytes to over
    }
    for (int n = 16_250; n <= 16_420; n += 3) {
      lengths.add(n); // around 16,384: a third byte of length
    }
    lengths.add(2_097_100); // past 2^21: a fourth
    for (int n : lengths) {
      Span span = tracer.spanBuilder("s").setNoParent().setAttribute("v", "x".repeat(n))
          .startSpan();
      span.end();
      List<SpanData> one = List.of(out.getFinishedSpanItems().get(lengths.indexOf(n)));
      assertThat(encoder.encode(one)).as("value of %d chars", n)
          .isEqualTo(reference(one).length);
      assertThat(encoder.toByteArray()).as("value of %d chars", n).isEqualTo(reference(one));
    }
    List<SpanData> all = out.getFinishedSpanItems();
    assertThat(all).hasSize(lengths.size());
    encoder.encode(all);
    assertThat(encoder.toByteArray()).isEqualTo(reference(all));
    List<SpanData> small = all.subList(0, 161);
    encoder.encode(small);
    assertThat(encoder.toByteArray()).isEqualTo(reference(small));
  }

  /**
   * String and long attributes written in one go (a cached key, a {@code KeyValue} under 128
   * bytes) and by the general path, on both sides of that bound: keys of 1 to 125 characters,
   * values of every varint length and sign, strings that turn out not to be ASCII at their first
   * or last character (the one-go attempt abandoned after writing past the position).
   */
  @Test
  void attributesWrittenInOneGoAreTheSdksBytesOnBothSidesOfTheBound() throws Exception {
    InMemorySpanExporter out = InMemorySpanExporter.create();
    AgentTracer tracer = tracerInto(out);
    long[] longs = {0, 1, 127, 128, 16_383, 16_384, Integer.MAX_VALUE, Long.MAX_VALUE, -1,
        Long.MIN_VALUE};
    for (int keyLength : new int[] {1, 20, 100, 110, 113, 114, 115, 116, 117, 118, 119, 125}) {
      String key = "k".repeat(keyLength);
      for (int round = 0; round < 2; round++) { // the first round caches the key
        for (long value : longs) {
          tracer.spanBuilder("l").setNoParent().setAttribute(key, value).startSpan().end();
        }
        for (int n = 0; n < 130 - keyLength; n++) {
          tracer.spanBuilder("s").setNoParent().setAttribute(key, "v".repeat(n)).startSpan()
              .end();
          if (n > 0) {
            tracer.spanBuilder("u").setNoParent().setAttribute(key, "v".repeat(n - 1) + "é")
                .startSpan().end();
            tracer.spanBuilder("u").setNoParent().setAttribute(key, "\u0800" + "v".repeat(n - 1))
                .startSpan().end();
          }
        }
      }
    }
    List<SpanData> spans = out.getFinishedSpanItems();
    assertSameBytes(spans, spans.size());
    // one encoder for all, span by span: every key cached by then
    OtlpTraceEncoder encoder = new OtlpTraceEncoder();
    for (SpanData span : spans) {
      encoder.encode(List.of(span));
      assertThat(encoder.toByteArray()).isEqualTo(reference(List.of(span)));
    }
  }

  @Test
  void anEmptyBatchIsAnEmptyRequest() throws Exception {
    OtlpTraceEncoder encoder = new OtlpTraceEncoder();
    assertThat(encoder.encode(List.of())).isZero();
    assertThat(encoder.toByteArray()).isEqualTo(reference(List.of()));
  }

  // ---- helpers ----

  private static void assertSameBytes(List<SpanData> spans, int count) throws Exception {
    assertThat(spans).hasSize(count).allMatch(s -> s instanceof AgentSpan);
    OtlpTraceEncoder encoder = new OtlpTraceEncoder();
    encoder.encode(spans);
    byte[] expected = reference(spans);
    if (!java.util.Arrays.equals(encoder.toByteArray(), expected)) {
      // a readable difference first, then the bytes
      assertThat(ExportTraceServiceRequest.parseFrom(encoder.toByteArray()).toString())
          .isEqualTo(ExportTraceServiceRequest.parseFrom(expected).toString());
    }
    assertThat(encoder.toByteArray()).isEqualTo(expected);
  }

  private static AgentTracer tracerInto(InMemorySpanExporter exporter) {
    return new AgentTracer("io.flowcost.agent", RESOURCE, SimpleSpanProcessor.create(exporter));
  }

  /**
   * {@code count} spans as the agent records them: workflow roots with children down to three
   * levels, random names, kinds, attributes of every type, events, statuses and links.
   */
  private static List<SpanData> agentSpans(Random random, int count) {
    InMemorySpanExporter exporter = InMemorySpanExporter.create();
    AgentTracer tracer = tracerInto(exporter);
    List<Span> open = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      SpanBuilder builder = tracer.spanBuilder(text(random) + " " + i)
          .setSpanKind(KINDS[random.nextInt(KINDS.length)]);
      if (open.isEmpty() || random.nextInt(4) == 0) {
        builder.setNoParent();
      } else {
        builder.setParent(Context.root().with(open.get(random.nextInt(open.size()))));
      }
      if (random.nextInt(10) == 0) {
        builder.addLink(SpanContext.create(String.format("%032x", random.nextLong() & 0xffffL | 1),
            String.format("%016x", random.nextLong() | 1), TraceFlags.getSampled(),
            TraceState.getDefault()), Attributes.of(AttributeKey.stringKey("l"), text(random)));
      }
      Span span = builder.startSpan();
      int attributes = random.nextInt(25);
      for (int a = 0; a < attributes; a++) {
        String key = "gen_ai.attr." + random.nextInt(30);
        switch (random.nextInt(8)) {
          case 0 -> span.setAttribute(key, text(random));
          case 1 -> span.setAttribute(key, random.nextBoolean());
          case 2 -> span.setAttribute(key, random.nextLong() >> random.nextInt(64));
          case 3 -> span.setAttribute(key, random.nextDouble() * 1e6 - 5e5);
          case 4 -> span.setAttribute(AttributeKey.stringArrayKey(key),
              List.of(text(random), text(random)));
          case 5 -> span.setAttribute(AttributeKey.longArrayKey(key),
              List.of(random.nextLong(), (long) random.nextInt(300)));
          case 6 -> span.setAttribute(AttributeKey.doubleArrayKey(key), List.of(random.nextDouble()));
          default -> span.setAttribute(AttributeKey.booleanArrayKey(key),
              List.of(random.nextBoolean()));
        }
      }
      if (random.nextInt(8) == 0) {
        span.addEvent(text(random), Attributes.of(AttributeKey.longKey("n"), (long) i));
      }
      switch (random.nextInt(4)) {
        case 0 -> span.setStatus(StatusCode.ERROR, text(random));
        case 1 -> span.setStatus(StatusCode.OK);
        default -> { }
      }
      if (random.nextInt(3) == 0 || open.size() > 6) {
        span.end();
      } else {
        open.add(span);
      }
      if (!open.isEmpty() && random.nextInt(3) == 0) {
        open.remove(random.nextInt(open.size())).end();
      }
    }
    for (Span span : open) {
      span.end();
    }
    return new ArrayList<>(exporter.getFinishedSpanItems());
  }

  private static String text(Random random) {
    return TEXTS[random.nextInt(TEXTS.length)];
  }

  private static byte[] reference(Collection<SpanData> spans) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    TraceRequestMarshaler.create(spans).writeBinaryTo(out);
    return out.toByteArray();
  }

  private static byte[] referenceUnchecked(Collection<SpanData> spans) {
    try {
      return reference(spans);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static byte[] lowAllocation(LowAllocationTraceRequestMarshaler marshaler,
      Collection<SpanData> spans) throws Exception {
    marshaler.initialize(spans);
    try {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      marshaler.writeBinaryTo(out);
      return out.toByteArray();
    } finally {
      marshaler.reset();
    }
  }
}
