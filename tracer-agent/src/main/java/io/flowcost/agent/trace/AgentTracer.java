package io.flowcost.agent.trace;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.TracerProvider;
import io.opentelemetry.sdk.common.Clock;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.common.InstrumentationLibraryInfo;
import io.opentelemetry.sdk.common.InstrumentationScopeInfo;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.SpanProcessor;

/**
 * The agent's tracer: spans recorded as flat {@link AgentSpan} records instead of the OpenTelemetry
 * SDK's spans, handed when they end to a span processor (the agent's batch processor feeding its
 * {@link OtlpTraceEncoder}, or a test's in-memory one), which reads them as {@code SpanData}
 * without a copy. Only processors that need the end of a span are supported: the agent's own
 * ({@code SpanBatcher}, the debug printer) and the SDK's {@code SimpleSpanProcessor} do not need
 * its start.
 *
 * <p>The API it implements is the agent's shaded copy of OpenTelemetry: the application's own
 * OpenTelemetry (or the OpenTelemetry Java agent) never sees these spans, and their context is the
 * agent's own.
 */
public final class AgentTracer implements Tracer {

  private final SpanProcessor processor;
  private final Resource resource;
  private final InstrumentationScopeInfo scope;
  @SuppressWarnings("deprecation") // SpanData and ReadableSpan still require it
  private final InstrumentationLibraryInfo libraryInfo;
  private final Clock clock = Clock.getDefault();
  private final Tracer noop = TracerProvider.noop().get("");
  private volatile boolean shutdown;

  /**
   * @param scope the instrumentation scope name of every span
   * @param resource the resource of every span
   * @param processor receives each span when it ends; must not require {@code onStart}
   */
  @SuppressWarnings("deprecation")
  public AgentTracer(String scope, Resource resource, SpanProcessor processor) {
    if (processor.isStartRequired()) {
      throw new IllegalArgumentException("span processors that need the start of a span are not"
          + " supported: " + processor.getClass().getName());
    }
    this.processor = processor;
    this.resource = resource;
    this.scope = InstrumentationScopeInfo.create(scope);
    this.libraryInfo = InstrumentationLibraryInfo.create(scope, null);
  }

  @Override
  public SpanBuilder spanBuilder(String spanName) {
    return spanBuilder(spanName, SpanAttributeArray.DEFAULT_CAPACITY);
  }

  /**
   * A span builder whose span makes room for {@code expectedAttributes} attributes at once
   * (more are still kept, up to the limit): what the agent's own spans use, each knowing how many
   * it usually sets, so that their attributes take one array made once.
   */
  public SpanBuilder spanBuilder(String spanName, int expectedAttributes) {
    if (shutdown) {
      return noop.spanBuilder(spanName); // as the SDK's tracer after shutdown: nothing recorded
    }
    if (spanName == null || spanName.trim().isEmpty()) {
      spanName = "<unspecified span name>";
    }
    return new AgentSpanBuilder(this, spanName, expectedAttributes);
  }

  /**
   * {@code tracer.spanBuilder(spanName)}, with room for {@code expectedAttributes} attributes when
   * {@code tracer} is the agent's ({@link #spanBuilder(String, int)}).
   */
  public static SpanBuilder spanBuilder(Tracer tracer, String spanName, int expectedAttributes) {
    return tracer instanceof AgentTracer
        ? ((AgentTracer) tracer).spanBuilder(spanName, expectedAttributes)
        : tracer.spanBuilder(spanName);
  }

  /** Exports what the processor holds, waiting at most as the returned result is joined. */
  public CompletableResultCode forceFlush() {
    return processor.forceFlush();
  }

  /** Records no more spans and shuts the processor down (it exports what it holds). */
  public CompletableResultCode shutdown() {
    shutdown = true;
    return processor.shutdown();
  }

  /**
   * The last attributes of a span, added after it ended: see {@link #endLate}. Called at most once,
   * holding the span's lock, on the thread that first reads the span's attributes; what it sets
   * on the span it is given is recorded (any other write to an ended span is ignored).
   */
  public interface LateAttributes {
    /** Sets the span's last attributes ({@code span.setAttribute}); never throws. */
    void addTo(Span span);

    /** The span was dropped unread ({@link #dropped}): gives back what is held for it. */
    void discard();
  }

  /**
   * Ends {@code span} at {@code epochNanos} (0: now) with its last attributes added by {@code
   * attributes} when the span is first read — by the export thread as it encodes the span, or
   * whatever else reads it first — rather than now: work the span's own thread need not do. What
   * is exported is the same as if {@code attributes} had set them before the end. Returns {@code
   * false}, ending nothing, when {@code span} is not one of this tracer's spans: the caller then
   * sets them and ends it itself.
   */
  public static boolean endLate(Span span, long epochNanos, LateAttributes attributes) {
    if (!(span instanceof AgentSpan)) {
      return false;
    }
    ((AgentSpan) span).endLate(epochNanos, attributes);
    return true;
  }

  /**
   * Tells a span that it is dropped without being read (a full export queue): its late
   * attributes ({@link #endLate}) are never added, and what they hold is given back now.
   */
  public static void dropped(ReadableSpan span) {
    if (span instanceof AgentSpan) {
      ((AgentSpan) span).discardLate();
    }
  }

  void ended(AgentSpan span) {
    if (processor.isEndRequired()) {
      processor.onEnd(span);
    }
  }

  long epochNanos() {
    return clock.now();
  }

  Resource resource() {
    return resource;
  }

  InstrumentationScopeInfo scope() {
    return scope;
  }

  @SuppressWarnings("deprecation")
  InstrumentationLibraryInfo libraryInfo() {
    return libraryInfo;
  }
}
