package io.flowcost.agent.trace;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.trace.data.LinkData;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Builds one {@link AgentSpan}. Defaults as the OpenTelemetry SDK's: the parent is the current
 * context's span ({@link #setParent}, {@link #setNoParent} to choose), kind {@code INTERNAL}, start
 * now. Every span is sampled (the agent records everything it sees; its sampler was always-on):
 * a child takes its parent's trace id, trace state and random-trace-id flag, a root gets a new
 * random trace id (flag set), every span a new random span id, drawn as the SDK's {@code
 * RandomIdGenerator} draws them.
 *
 * <p>The builder is also its span's attribute array: what it is given is put into itself, and the
 * span it starts keeps it as its {@link SpanAttributeArray} — one object per span fewer than a
 * builder holding a separate array (the agent starts nine spans per invocation of the
 * side-by-side benchmark). A builder started twice gives its spans the same attributes, as it did
 * with a separate array; the agent starts each of its builders once.
 *
 * <p>For the same reason the span reads its tracer, kind, links and start time from its builder
 * rather than keeping copies ({@link AgentSpan}): a builder's kind or links changed after its span
 * started would change that span's — the agent sets them only before it starts a span (and a
 * builder started again starts its next span at the first one's start).
 */
final class AgentSpanBuilder extends SpanAttributeArray implements SpanBuilder {

  private static final int LINK_LIMIT = 128;
  /**
   * Sampled, with W3C Trace Context level 2's random-trace-id flag: the SDK sets it on traces whose
   * id it drew (ids random in their low 56 bits) and keeps the parent's flag otherwise.
   */
  static final TraceFlags SAMPLED_RANDOM =
      TraceFlags.builder().setSampled(true).setRandomTraceId(true).build();

  private final AgentTracer tracer;
  private final String name;
  private Context parent; // null: the current context, at start
  private SpanKind kind = SpanKind.INTERNAL;
  /** The start asked for ({@link #setStartTimestamp}), or 0; once started, its span's start. */
  private long startEpochNanos;
  private List<LinkData> links;
  private int totalLinks;

  /** @param expectedAttributes how many attributes the span usually gets (room made at once) */
  AgentSpanBuilder(AgentTracer tracer, String name, int expectedAttributes) {
    super(expectedAttributes);
    this.tracer = tracer;
    this.name = name;
  }

  @Override
  public SpanBuilder setParent(Context context) {
    if (context != null) {
      parent = context;
    }
    return this;
  }

  @Override
  public SpanBuilder setNoParent() {
    parent = Context.root();
    return this;
  }

  @Override
  public SpanBuilder addLink(SpanContext spanContext) {
    return addLink(spanContext, Attributes.empty());
  }

  @Override
  public SpanBuilder addLink(SpanContext spanContext, Attributes linkAttributes) {
    if (spanContext == null || !spanContext.isValid()) {
      return this;
    }
    totalLinks++;
    if (links == null) {
      links = new ArrayList<>(1);
    } else if (!(links instanceof ArrayList)) {
      links = new ArrayList<>(links); // started already: its span keeps the unmodifiable list
    }
    if (links.size() < LINK_LIMIT) {
      Attributes kept = linkAttributes == null ? Attributes.empty() : linkAttributes;
      links.add(LinkData.create(spanContext, kept, kept.size()));
    }
    return this;
  }

  @Override
  public SpanBuilder setAttribute(String key, String value) {
    return setAttribute(AttributeKey.stringKey(key), value);
  }

  @Override
  public SpanBuilder setAttribute(String key, long value) {
    return setAttribute(AttributeKey.longKey(key), value);
  }

  @Override
  public SpanBuilder setAttribute(String key, double value) {
    return setAttribute(AttributeKey.doubleKey(key), value);
  }

  @Override
  public SpanBuilder setAttribute(String key, boolean value) {
    return setAttribute(AttributeKey.booleanKey(key), value);
  }

  @Override
  public <T> SpanBuilder setAttribute(AttributeKey<T> key, T value) {
    put(key, value);
    return this;
  }

  @Override
  public SpanBuilder setAllAttributes(Attributes all) {
    putAll(all);
    return this;
  }

  @Override
  public SpanBuilder setSpanKind(SpanKind spanKind) {
    if (spanKind != null) {
      kind = spanKind;
    }
    return this;
  }

  @Override
  public SpanBuilder setStartTimestamp(long startTimestamp, TimeUnit unit) {
    if (startTimestamp >= 0 && unit != null) {
      startEpochNanos = unit.toNanos(startTimestamp);
    }
    return this;
  }

  @Override
  public Span startSpan() {
    Context parentContext = parent == null ? Context.current() : parent;
    Span parentSpan = Span.fromContext(parentContext);
    SpanContext parentSpanContext = parentSpan.getSpanContext();
    ThreadLocalRandom random = ThreadLocalRandom.current();
    String traceId;
    boolean randomTraceId;
    // the trace state is the parent's, read from it by the span (AgentSpan#getTraceState)
    if (parentSpanContext.isValid()) {
      traceId = parentSpanContext.getTraceId();
      randomTraceId = parentSpanContext.getTraceFlags().isTraceIdRandom();
    } else {
      long low;
      long high = random.nextLong();
      do {
        low = random.nextLong();
      } while (low == 0);
      traceId = AgentSpan.traceHex(high, low);
      randomTraceId = true;
    }
    long spanId;
    do {
      spanId = random.nextLong();
    } while (spanId == 0);
    long anchorEpochNanos;
    long anchorNanoTime;
    long start;
    if (parentSpan instanceof AgentSpan) {
      // one clock per trace, as the SDK's: a child's times are offsets on its parent's anchor
      AgentSpan parentRecord = (AgentSpan) parentSpan;
      anchorEpochNanos = parentRecord.anchorEpochNanos;
      anchorNanoTime = parentRecord.anchorNanoTime;
      start = anchorEpochNanos + (System.nanoTime() - anchorNanoTime);
    } else {
      anchorEpochNanos = tracer.epochNanos();
      anchorNanoTime = System.nanoTime();
      start = anchorEpochNanos;
    }
    if (startEpochNanos != 0) {
      start = startEpochNanos;
    }
    startEpochNanos = start; // what the span reads (AgentSpan#getStartEpochNanos)
    if (links instanceof ArrayList) {
      links = Collections.unmodifiableList(links); // what the span reads
    }
    return new AgentSpan(
        this, // the span's attributes, tracer, kind and links: see the class comment
        name,
        traceId,
        spanId,
        randomTraceId,
        parentSpanContext,
        anchorEpochNanos,
        anchorNanoTime);
  }

  AgentTracer tracer() {
    return tracer;
  }

  /** Its span's start, epoch nanoseconds (set when the span starts). */
  long startEpochNanos() {
    return startEpochNanos;
  }

  SpanKind kind() {
    return kind;
  }

  /** The links of its span (unmodifiable once it started). */
  List<LinkData> links() {
    return links == null ? Collections.emptyList() : links;
  }

  int totalLinks() {
    return totalLinks;
  }
}
