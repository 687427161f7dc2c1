package io.flowcost.agent.context;

import io.flowcost.agent.AgentLog;
import io.flowcost.contract.WorkflowSource;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.ContextKey;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * A workflow boundary that opens its workflow only when something inside it needs one: an
 * incoming server request or a method of {@code flowcost.workflow.methods}. Until the first model
 * call (or tool, retrieval or AI-service invocation) asks {@link AgentContext#currentWorkflow()}
 * for the open workflow, nothing is recorded — a request that makes no model call costs one small
 * object and no span. Then the workflow span starts, back-dated to when the boundary was entered,
 * and every later call in the boundary's context (on any thread the context reached) joins it.
 *
 * <p>The name is asked of {@code namer} when the workflow opens and again when the boundary ends,
 * because some frameworks know the route template only after routing (Spring MVC's
 * best-matching pattern): the later answer wins. Thread-safe.
 */
public final class PendingWorkflow {

  static final ContextKey<PendingWorkflow> KEY = ContextKey.named("flowcost-pending-workflow");

  private final WorkflowSource source;
  private final Supplier<String> namer;
  private final String fallbackName;
  private final long startEpochNanos;
  private final Span span = new BoundarySpan();
  private Workflow workflow; // guarded by this
  private String openedName; // guarded by this
  private boolean closed; // guarded by this: ended, or refused by a budget

  private PendingWorkflow(WorkflowSource source, Supplier<String> namer, String fallbackName) {
    this.source = source;
    this.namer = namer;
    this.fallbackName = fallbackName;
    this.startEpochNanos = nowNanos();
  }

  /**
   * A boundary entered now.
   *
   * @param source {@link WorkflowSource#SERVER_REQUEST} or {@link WorkflowSource#METHOD}
   * @param namer the workflow's name as best known when asked; may return {@code null}, and is
   *     called at most twice (never on the hot path of a request that makes no model call)
   * @param fallbackName the name when {@code namer} has none (or fails)
   */
  public static PendingWorkflow enter(
      WorkflowSource source, Supplier<String> namer, String fallbackName) {
    return new PendingWorkflow(source, namer, fallbackName);
  }

  /** The boundary of {@code context}, or {@code null}. */
  public static PendingWorkflow in(Context context) {
    return context.get(KEY);
  }

  /**
   * Returns {@code parent} with this boundary in it. Its current span is a stand-in: invalid until
   * the workflow opens, then the workflow span, so that spans started under it are its children.
   */
  public Context attach(Context parent) {
    return SpanAndValueContext.of(parent, span, KEY, this);
  }

  /**
   * The boundary's workflow, opened now if it is not yet; {@code null} once the boundary ended (a
   * late call of a request that already answered becomes its own implicit workflow) or when the
   * workflow's owner is at its hard budget (the call is then checked, and refused, as a workflow of
   * its own).
   */
  synchronized Workflow open() {
    if (workflow != null || closed) {
      return workflow;
    }
    String name = name();
    try {
      workflow = AgentContext.startWorkflowAt(name, source.wire(), startEpochNanos);
      openedName = name;
    } catch (WorkflowRefused refused) {
      closed = true;
    }
    return workflow;
  }

  /** Whether the boundary has not ended (nor been refused). */
  public synchronized boolean isOpen() {
    return !closed;
  }

  /** The workflow if it opened, else {@code null}; never opens it. */
  public synchronized Workflow started() {
    return workflow;
  }

  /**
   * Ends the boundary: its workflow (if any opened) ends now, renamed if the name settled since it
   * opened, and marked failed with {@code errorType} when not {@code null}. Idempotent.
   *
   * @param errorType the exception's class name or {@code http_<status>} for a 5xx, or {@code null}
   */
  public void end(String errorType) {
    Workflow opened;
    String name;
    synchronized (this) {
      if (closed) {
        return; // ended already, or refused (no workflow)
      }
      closed = true;
      opened = workflow;
      name = openedName;
    }
    if (opened == null) {
      return;
    }
    Span root = opened.rootSpan();
    String settled = name();
    if (!settled.equals(name)) {
      root.updateName(settled);
      root.setAttribute(SpanAttributes.WORKFLOW_NAME, settled);
    }
    if (errorType != null) {
      AgentContext.recordError(root, errorType);
    }
    root.end();
  }

  private String name() {
    try {
      String name = namer.get();
      return name == null || name.isBlank() ? fallbackName : name;
    } catch (RuntimeException | LinkageError e) {
      AgentLog.failure("workflow name", e);
      return fallbackName;
    }
  }

  private static long nowNanos() {
    java.time.Instant now = java.time.Instant.now();
    return TimeUnit.SECONDS.toNanos(now.getEpochSecond()) + now.getNano();
  }

  /**
   * The current span of a boundary's context: invalid (so nothing parents to it and no
   * {@code traceparent} is sent for it) until the workflow opens, then the workflow span — except
   * that ending it is the boundary's job.
   */
  private final class BoundarySpan implements Span {

    private Span real() {
      Workflow w = started();
      return w == null ? Span.getInvalid() : w.rootSpan();
    }

    @Override
    public <T> Span setAttribute(AttributeKey<T> key, T value) {
      real().setAttribute(key, value);
      return this;
    }

    @Override
    public Span addEvent(String name, Attributes attributes) {
      real().addEvent(name, attributes);
      return this;
    }

    @Override
    public Span addEvent(String name, Attributes attributes, long timestamp, TimeUnit unit) {
      real().addEvent(name, attributes, timestamp, unit);
      return this;
    }

    @Override
    public Span setStatus(StatusCode statusCode, String description) {
      real().setStatus(statusCode, description);
      return this;
    }

    @Override
    public Span recordException(Throwable exception, Attributes additionalAttributes) {
      // never the message or stack trace (prompt text can be in either): the type only
      AgentContext.recordError(real(), exception);
      return this;
    }

    @Override
    public Span updateName(String name) {
      return this; // the boundary names its workflow
    }

    @Override
    public void end() {}

    @Override
    public void end(long timestamp, TimeUnit unit) {}

    @Override
    public SpanContext getSpanContext() {
      return real().getSpanContext();
    }

    @Override
    public boolean isRecording() {
      return real().isRecording();
    }

    @Override
    public String toString() {
      return "PendingWorkflow.BoundarySpan{" + real() + "}";
    }
  }
}
