package io.flowcost.langchain4j;

import io.flowcost.outcome.Flowcost;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the listeners share: the tracer, the workflow tags, and the AI-service invocations open
 * right now, by thread and by invocation id.
 *
 * <p>A span's parent is, in order: the AI-service invocation it belongs to (by id where the
 * event says, else the innermost one open on this thread), the {@code outcome-api} workflow open
 * on this thread (a remote parent with the workflow's ids), or none — then the caller opens a
 * workflow span of its own.
 */
final class Recorder {

  private final Tracer tracer;
  private final String serviceName;
  private final Map<String, String> tags;
  private final ThreadLocal<Deque<Invocation>> open = ThreadLocal.withInitial(ArrayDeque::new);
  private final Map<UUID, Invocation> byId = new ConcurrentHashMap<>();

  Recorder(Tracer tracer, String serviceName, Map<String, String> tags) {
    this.tracer = tracer;
    this.serviceName = serviceName;
    this.tags = Map.copyOf(tags);
  }

  Tracer tracer() {
    return tracer;
  }

  String serviceName() {
    return serviceName;
  }

  /** The parent context for a new span, or {@code null} when no workflow is open. */
  Context parent(UUID invocationId) {
    if (invocationId != null) {
      Invocation invocation = byId.get(invocationId);
      if (invocation != null) {
        return Context.root().with(invocation.span());
      }
    }
    Deque<Invocation> stack = open.get();
    Invocation innermost;
    synchronized (stack) {
      innermost = stack.peekLast();
    }
    if (innermost != null) {
      return Context.root().with(innermost.span());
    }
    Optional<String> workflowId = Flowcost.currentWorkflowId();
    Optional<String> spanId = Flowcost.currentWorkflowSpanId();
    if (workflowId.isPresent() && spanId.isPresent()) {
      SpanContext remote =
          SpanContext.createFromRemoteParent(
              workflowId.get(), spanId.get(), TraceFlags.getSampled(), TraceState.getDefault());
      if (remote.isValid()) {
        return Context.root().with(Span.wrap(remote));
      }
    }
    return null;
  }

  /**
   * Starts a workflow span: a new trace, linked to the span current in the application (e.g. its
   * HTTP server span) so an upstream trace never merges two workflows.
   */
  Span startWorkflow(String name, String source) {
    SpanBuilder builder =
        tracer
            .spanBuilder(name)
            .setNoParent()
            .setSpanKind(SpanKind.INTERNAL)
            .setAttribute(Attributes.WORKFLOW_ROOT, true)
            .setAttribute(Attributes.WORKFLOW_NAME, name)
            .setAttribute(Attributes.WORKFLOW_SOURCE, source);
    tags.forEach((k, v) -> builder.setAttribute(Attributes.TAG_PREFIX + k, v));
    SpanContext current = Span.current().getSpanContext();
    if (current.isValid()) {
      builder.addLink(current);
    }
    return builder.startSpan();
  }

  /** Opens an invocation: its span becomes the parent of spans on this thread until it ends. */
  Invocation enter(UUID id, Span span) {
    Deque<Invocation> stack = open.get();
    Invocation invocation = new Invocation(id, span, stack, new AtomicLong(nowNanos()));
    synchronized (stack) {
      stack.addLast(invocation);
    }
    if (id != null) {
      byId.put(id, invocation);
    }
    return invocation;
  }

  /** Closes an invocation, on whatever thread its completion arrives. */
  Invocation exit(UUID id) {
    Invocation invocation = id == null ? null : byId.remove(id);
    if (invocation != null) {
      synchronized (invocation.stack()) {
        invocation.stack().removeLastOccurrence(invocation);
      }
    }
    return invocation;
  }

  Invocation find(UUID id) {
    return id == null ? null : byId.get(id);
  }

  static long nowNanos() {
    Instant now = Instant.now();
    return now.getEpochSecond() * 1_000_000_000L + now.getNano();
  }

  /** Marks a span failed with the thrower's class name, never its message. */
  static void fail(Span span, Throwable error) {
    span.setAttribute(Attributes.ERROR_TYPE, error.getClass().getName());
    span.setStatus(StatusCode.ERROR);
  }

  /**
   * An open AI-service invocation span, the stack it was pushed on, and when its last event
   * happened (epoch nanoseconds): the best start time there is for a tool the next event reports.
   */
  record Invocation(UUID id, Span span, Deque<Invocation> stack, AtomicLong lastEventNanos) {}
}
