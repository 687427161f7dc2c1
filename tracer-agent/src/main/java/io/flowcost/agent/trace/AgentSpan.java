package io.flowcost.agent.trace;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.sdk.common.InstrumentationLibraryInfo;
import io.opentelemetry.sdk.common.InstrumentationScopeInfo;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.data.EventData;
import io.opentelemetry.sdk.trace.data.LinkData;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.data.StatusData;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One span the agent records: a flat record (attributes in a {@link SpanAttributeArray}, status,
 * events and links only when there are any), which is at the same time the API {@link Span} the
 * instrumentations write to, its own {@link SpanContext}, the {@link ReadableSpan} a span
 * processor receives when it ends and the {@link SpanData} the OTLP encoder reads — no copy is
 * made at the end, unlike the OpenTelemetry SDK's span, whose per-span objects (attribute map
 * entries, a clock, a {@code SpanData} wrapper and an immutable copy of the attributes) were most of
 * the agent's allocation per span.
 *
 * <p>Why it is its own span context: the span id is kept as the {@code long} it was drawn as, and
 * its 16-hex-digit text is made only when someone asks for it ({@link #getSpanId()}: a call's id,
 * {@code traceparent}), once; the OTLP encoder writes the id's bytes from the {@code long}
 * ({@link #spanIdLong()}). An {@code ImmutableSpanContext} and a hex string with its byte array
 * per span (88 bytes, nine spans per invocation of the side-by-side benchmark) were the largest
 * item of a span after the span itself. As a span context it is never remote, always valid and
 * equal only to itself: the contexts the agent compares are the same objects.
 *
 * <p>What is recorded follows the SDK's rules, so that what reaches the collector is unchanged:
 * writes after {@link #end()} are ignored, a status once {@code OK} stays, {@code end} counts once,
 * times come from an anchor (wall clock read once per trace, then {@link System#nanoTime()}
 * offsets: a child's times are consistent with its parent's), limits of 128 attributes, events and
 * links. Writes are guarded by the span's lock: a span may be written from the thread that made it
 * and from a callback thread. Once ended it is read-only, and its hand-over to the export thread
 * (the span processor's queue) publishes it.
 */
final class AgentSpan implements Span, ReadableSpan, SpanData, SpanContext {

  private static final int EVENT_LIMIT = 128;

  /**
   * The span's builder, which is also its attribute array, and keeps what the span would only
   * copy from it (tracer, kind, links): fewer fields per span (see {@link AgentSpanBuilder}).
   */
  private final AgentSpanBuilder builder;
  /** The trace id's hex, shared by every span of the trace (a child takes its parent's). */
  private final String traceId;
  private final long spanId;
  /** W3C level 2's random-trace-id flag (every span is sampled). */
  private final boolean randomTraceId;
  /** {@link #spanId} as hex, made at the first {@link #getSpanId()}. */
  private String spanIdHex;
  /** The parent's context; the trace state is the parent's (a root's is empty). */
  private final SpanContext parent;
  /** The trace's wall-clock anchor: epoch nanos at {@link #anchorNanoTime}. */
  final long anchorEpochNanos;

  final long anchorNanoTime;

  private String name;
  private StatusData status = StatusData.unset();
  private List<EventData> events;
  private int totalEvents;
  private long endEpochNanos;
  private volatile boolean ended;
  /**
   * What adds the span's last attributes at the first read after its end ({@link #endLate}), then
   * {@link #ADDING} while it does, then {@code null}. Written under the lock; volatile so that a
   * reader without the lock sees either it or the attributes it added.
   */
  private volatile Object late;

  /** {@link #late} while the late attributes are being added (by the thread holding the lock). */
  private static final Object ADDING = new Object();

  AgentSpan(
      AgentSpanBuilder builder,
      String name,
      String traceId,
      long spanId,
      boolean randomTraceId,
      SpanContext parent,
      long anchorEpochNanos,
      long anchorNanoTime) {
    this.builder = builder;
    this.name = name;
    this.traceId = traceId;
    this.spanId = spanId;
    this.randomTraceId = randomTraceId;
    this.parent = parent;
    this.anchorEpochNanos = anchorEpochNanos;
    this.anchorNanoTime = anchorNanoTime;
  }

  /** Now, on this trace's anchored clock. */
  private long now() {
    return anchorEpochNanos + (System.nanoTime() - anchorNanoTime);
  }

  // ---- Span (written by the instrumentations) ----

  @Override
  public <T> Span setAttribute(AttributeKey<T> key, T value) {
    synchronized (this) {
      if (!ended || late == ADDING) {
        builder.put(key, value);
      }
    }
    return this;
  }

  @Override
  public Span addEvent(String name, Attributes attributes) {
    return addEvent(name, attributes, now());
  }

  @Override
  public Span addEvent(String name, Attributes attributes, long timestamp, TimeUnit unit) {
    return addEvent(name, attributes, unit == null ? timestamp : unit.toNanos(timestamp));
  }

  private Span addEvent(String eventName, Attributes eventAttributes, long epochNanos) {
    if (eventName == null) {
      return this;
    }
    Attributes copied = eventAttributes == null ? Attributes.empty() : eventAttributes;
    int total = copied.size();
    if (total > SpanAttributeArray.LIMIT) {
      SpanAttributeArray kept = new SpanAttributeArray();
      kept.putAll(copied);
      kept.seal();
      copied = kept;
    }
    EventData event = EventData.create(epochNanos, eventName, copied, total);
    synchronized (this) {
      if (ended) {
        return this;
      }
      totalEvents++;
      if (events == null) {
        events = new ArrayList<>(2);
      }
      if (events.size() < EVENT_LIMIT) {
        events.add(event);
      }
    }
    return this;
  }

  @Override
  public Span setStatus(StatusCode statusCode, String description) {
    if (statusCode == null) {
      return this;
    }
    synchronized (this) {
      if (!ended && status.getStatusCode() != StatusCode.OK) {
        status = StatusData.create(statusCode, description);
      }
    }
    return this;
  }

  /**
   * An {@code exception} event with the exception's type, message and stack trace, as the SDK
   * records it (the agent itself records an error's type only, through its own attributes).
   */
  @Override
  public Span recordException(Throwable exception, Attributes additional) {
    if (exception == null) {
      return this;
    }
    StringWriter trace = new StringWriter();
    exception.printStackTrace(new PrintWriter(trace));
    SpanAttributeArray event = new SpanAttributeArray();
    event.put(AttributeKey.stringKey("exception.type"), exception.getClass().getName());
    event.put(AttributeKey.stringKey("exception.message"), exception.getMessage());
    event.put(AttributeKey.stringKey("exception.stacktrace"), trace.toString());
    event.putAll(additional);
    event.seal();
    return addEvent("exception", event);
  }

  @Override
  public Span updateName(String newName) {
    if (newName == null) {
      return this;
    }
    synchronized (this) {
      if (!ended) {
        name = newName;
      }
    }
    return this;
  }

  @Override
  public void end() {
    end(now());
  }

  @Override
  public void end(long timestamp, TimeUnit unit) {
    end(timestamp == 0 ? now() : (unit == null ? timestamp : unit.toNanos(timestamp)));
  }

  private void end(long epochNanos) {
    endWith(epochNanos, null);
  }

  /**
   * Ends the span now as {@link #end(long, TimeUnit)} does, except that its last attributes are
   * added by {@code attributes} when the span is first read ({@link #getAttributes()}, {@link
   * #getAttribute}, {@link #getTotalAttributeCount()}): by the export thread as it encodes the
   * span, not by the thread that ends it. See {@link AgentTracer#endLate}.
   */
  void endLate(long epochNanos, AgentTracer.LateAttributes attributes) {
    endWith(epochNanos == 0 ? now() : epochNanos, attributes);
  }

  private void endWith(long epochNanos, AgentTracer.LateAttributes lateAttributes) {
    synchronized (this) {
      if (ended) {
        return;
      }
      endEpochNanos = epochNanos;
      if (lateAttributes == null) {
        builder.seal();
      } else {
        late = lateAttributes; // sealed once they are added
      }
      if (events != null) {
        events = Collections.unmodifiableList(events);
      }
      ended = true;
    }
    builder.tracer().ended(this);
  }

  /** Drops the late attributes unadded ({@link AgentTracer#dropped}). */
  void discardLate() {
    if (late == null) {
      return;
    }
    synchronized (this) {
      Object pending = late;
      if (pending == null || pending == ADDING) {
        return;
      }
      late = null;
      builder.seal();
      ((AgentTracer.LateAttributes) pending).discard();
    }
  }

  /**
   * Adds the late attributes if they are still to be added (once, by the first reader), then
   * seals the attributes. A failure of theirs is logged by them; what they added before it stays.
   */
  private void addLate() {
    if (late == null) {
      return;
    }
    synchronized (this) {
      Object pending = late;
      if (pending == null || pending == ADDING) {
        return; // added, or being added by this thread (a read from inside them)
      }
      late = ADDING;
      try {
        ((AgentTracer.LateAttributes) pending).addTo(this);
      } finally {
        builder.seal();
        late = null;
      }
    }
  }

  /** This span itself: see the class comment. */
  @Override
  public SpanContext getSpanContext() {
    return this;
  }

  // ---- SpanContext (this span's ids) ----

  @Override
  public String getTraceId() {
    return traceId;
  }

  @Override
  public String getSpanId() {
    String hex = spanIdHex;
    if (hex == null) {
      // a benign race: every thread makes the same immutable string
      hex = hex(spanId);
      spanIdHex = hex;
    }
    return hex;
  }

  private static final HexFormat HEX = HexFormat.of();

  /**
   * A span id's 16 lower-case hex digits, as {@code SpanId.fromLong} writes them: straight into
   * the new string's own bytes, without that method's per-thread buffer (a {@code ThreadLocal}
   * lookup on every call id, which on a thread with many thread locals probes past collisions).
   */
  static String hex(long id) {
    return HEX.toHexDigits(id);
  }

  /**
   * A trace id's 32 lower-case hex digits, as {@code TraceId.fromLongs} writes them, without that
   * method's per-thread buffer: a workflow's root span draws one on the application's thread,
   * where that buffer's {@code ThreadLocal} look-up and its hex table were met cold (≈ 0.9 µs per
   * AI-service invocation in situ). The 32 digits go into one array that the string copies:
   * 120 bytes per trace id, where two 16-digit halves and their concatenation were 184.
   */
  static String traceHex(long high, long low) {
    byte[] digits = new byte[32];
    hexInto(digits, 0, high);
    hexInto(digits, 16, low);
    return new String(digits, StandardCharsets.ISO_8859_1);
  }

  private static final byte[] HEX_DIGITS = "0123456789abcdef".getBytes(StandardCharsets.ISO_8859_1);

  /** {@code id}'s 16 lower-case hex digits into {@code to} from {@code at}, most significant first. */
  private static void hexInto(byte[] to, int at, long id) {
    for (int i = at + 15; i >= at; i--) {
      to[i] = HEX_DIGITS[(int) id & 0xf];
      id >>>= 4;
    }
  }

  /** The span id as drawn (what {@link #getSpanId()} writes as hex). */
  long spanIdLong() {
    return spanId;
  }

  @Override
  public TraceFlags getTraceFlags() {
    return randomTraceId ? AgentSpanBuilder.SAMPLED_RANDOM : TraceFlags.getSampled();
  }

  @Override
  public TraceState getTraceState() {
    return parent.isValid() ? parent.getTraceState() : TraceState.getDefault();
  }

  @Override
  public boolean isRemote() {
    return false;
  }

  /** Always: a started span has a valid trace id and a non-zero span id. */
  @Override
  public boolean isValid() {
    return true;
  }

  @Override
  public boolean isRecording() {
    return !ended;
  }

  // ---- ReadableSpan and SpanData (read by span processors and the OTLP encoder) ----

  // The getters of what a span's writers change read it without the span's lock once the span
  // has ended: end() sets every field, then the volatile `ended`, under the lock, and every
  // writer checks `ended` under the lock and changes nothing after it, so a reader that has seen
  // `ended` true sees the final values, which never change again. The export thread reads six
  // such fields per span: six monitor enters and exits per span were a measurable part of its
  // encoding (ExportPathBenchmark).

  @Override
  public SpanContext getParentSpanContext() {
    return parent;
  }

  @Override
  public String getName() {
    if (ended) {
      return name; // read-only once ended (see above)
    }
    synchronized (this) {
      return name;
    }
  }

  @Override
  public SpanKind getKind() {
    return builder.kind();
  }

  /** This span itself: once ended it is read-only, so it needs no copy. */
  @Override
  public SpanData toSpanData() {
    return this;
  }

  @Override
  public InstrumentationScopeInfo getInstrumentationScopeInfo() {
    return builder.tracer().scope();
  }

  @Override
  @SuppressWarnings("deprecation") // required by both interfaces
  public InstrumentationLibraryInfo getInstrumentationLibraryInfo() {
    return builder.tracer().libraryInfo();
  }

  @Override
  public boolean hasEnded() {
    return ended;
  }

  @Override
  public long getLatencyNanos() {
    synchronized (this) {
      return (ended ? endEpochNanos : now()) - builder.startEpochNanos();
    }
  }

  @Override
  public <T> T getAttribute(AttributeKey<T> key) {
    addLate();
    synchronized (this) {
      return builder.get(key);
    }
  }

  /** The attributes: the span's own once it has ended, else a copy of those recorded so far. */
  @Override
  public Attributes getAttributes() {
    addLate();
    if (ended) {
      return builder;
    }
    synchronized (this) {
      return ended ? builder : builder.snapshot();
    }
  }

  @Override
  public StatusData getStatus() {
    if (ended) {
      return status;
    }
    synchronized (this) {
      return status;
    }
  }

  @Override
  public long getStartEpochNanos() {
    return builder.startEpochNanos();
  }

  @Override
  public List<EventData> getEvents() {
    if (ended) {
      return events == null ? Collections.emptyList() : events;
    }
    synchronized (this) {
      if (events == null) {
        return Collections.emptyList();
      }
      return ended ? events : new ArrayList<>(events);
    }
  }

  @Override
  public List<LinkData> getLinks() {
    return builder.links();
  }

  @Override
  public long getEndEpochNanos() {
    if (ended) {
      return endEpochNanos;
    }
    synchronized (this) {
      return endEpochNanos;
    }
  }

  @Override
  public int getTotalRecordedEvents() {
    if (ended) {
      return totalEvents;
    }
    synchronized (this) {
      return totalEvents;
    }
  }

  @Override
  public int getTotalRecordedLinks() {
    return builder.totalLinks();
  }

  @Override
  public int getTotalAttributeCount() {
    addLate();
    if (ended) {
      return builder.totalAdded();
    }
    synchronized (this) {
      return builder.totalAdded();
    }
  }

  @Override
  public Resource getResource() {
    return builder.tracer().resource();
  }

  @Override
  public String toString() {
    return "AgentSpan{name=" + getName() + ", traceId=" + traceId + ", spanId="
        + getSpanId() + ", parentSpanId=" + parent.getSpanId() + ", kind=" + getKind()
        + ", ended=" + ended + ", attributes=" + getAttributes() + "}";
  }
}
