package io.flowcost.agent.context;

import io.flowcost.contract.WorkflowSource;
import io.flowcost.agent.AgentConfig;
import io.flowcost.agent.caps.BudgetGate;
import io.flowcost.agent.caps.CapRefusal;
import io.flowcost.agent.trace.AgentTracer;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.TracerProvider;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.ContextKey;
import java.util.Map;

/**
 * Process-wide state of the agent (tracer, settings) and the workflow carried in the agent's own
 * {@link Context}. The agent's OpenTelemetry classes are relocated, so this context is separate
 * from the application's.
 */
public final class AgentContext {

  static final ContextKey<Workflow> WORKFLOW = ContextKey.named("flowcost-workflow");

  private static volatile Tracer tracer = TracerProvider.noop().get("io.flowcost.agent");
  private static volatile AgentConfig config =
      AgentConfig.from(name -> null, name -> null);

  private AgentContext() {}

  /** Installs the tracer and settings every instrumentation uses. */
  public static void install(Tracer agentTracer, AgentConfig agentConfig) {
    tracer = agentTracer;
    config = agentConfig;
  }

  /** The agent's tracer (a no-op one until {@link #install}). */
  public static Tracer tracer() {
    return tracer;
  }

  /** The agent's settings. */
  public static AgentConfig config() {
    return config;
  }

  /**
   * The workflow open on this thread, or {@code null}. Inside a {@link PendingWorkflow} boundary (a
   * server request, a {@code flowcost.workflow.methods} method) that has not opened its workflow
   * yet, this opens it: callers ask because they are about to record a call into it. Code that only
   * looks (propagation, executors) uses {@link #startedWorkflow()} or {@link #workflowOrBoundary()}.
   */
  public static Workflow currentWorkflow() {
    return currentWorkflow(Context.current());
  }

  /**
   * {@link #currentWorkflow()} of the current context, which the caller already holds: a hook
   * that needs both reads the thread's context once (each look-up is met cold in a running
   * application, between two hooks).
   */
  public static Workflow currentWorkflow(Context context) {
    Workflow open = context.get(WORKFLOW);
    if (open != null) {
      return open;
    }
    PendingWorkflow boundary = context.get(PendingWorkflow.KEY);
    return boundary == null ? null : boundary.open();
  }

  /**
   * The workflow open on this thread without opening a boundary's: {@code null} when none is open
   * or a {@link PendingWorkflow} waits for its first model call.
   */
  public static Workflow startedWorkflow() {
    Context context = Context.current();
    Workflow open = context.get(WORKFLOW);
    if (open != null) {
      return open;
    }
    PendingWorkflow boundary = context.get(PendingWorkflow.KEY);
    return boundary == null ? null : boundary.started();
  }

  /**
   * Whether a workflow, or a boundary that may still open one, is current on this thread (an
   * ended boundary's context that lingers does not keep the next request from being its own).
   */
  public static boolean workflowOrBoundary() {
    return workflowOrBoundary(Context.current());
  }

  /**
   * {@link #workflowOrBoundary()} of a context the caller already holds (the current one, read
   * once by a caller that also keeps it: one thread-local lookup instead of two).
   */
  public static boolean workflowOrBoundary(Context context) {
    if (context.get(WORKFLOW) != null) {
      return true;
    }
    PendingWorkflow boundary = context.get(PendingWorkflow.KEY);
    return boundary != null && boundary.isOpen();
  }

  /**
   * Starts a workflow span: a new trace, linked to the span current on this thread (the agent's
   * own, else the application's APM span), so an upstream trace never merges two workflows. Does
   * not make it current.
   *
   * @param name workflow name (intent)
   * @param source {@code ai_service}, {@code api} or {@code implicit}
   * @param tags extra tags (override the configured ones), may be {@code null}
   * @param externalKey business key, may be {@code null}
   */
  public static Workflow startWorkflow(
      String name, String source, Map<String, String> tags, String externalKey) {
    return startWorkflow(name, source, tags, externalKey, null);
  }

  /**
   * As {@link #startWorkflow(String, String, Map, String)}, with caps the application set when it
   * opened the workflow ({@code key=value,…} as in {@code flowcost.caps}; may be {@code null}).
   * An implicit workflow (one call) has no caps.
   */
  public static Workflow startWorkflow(
      String name, String source, Map<String, String> tags, String externalKey, String apiCaps) {
    return startWorkflow(name, source, tags, externalKey, apiCaps, null);
  }

  /**
   * As {@link #startWorkflow(String, String, Map, String, String)}; refuses the workflow when one
   * of its owners (its tags) is at its hard budget and caps are enforced ({@link BudgetGate}).
   * An implicit workflow is checked by {@code CapGuard.beforeModelCall}, before its call starts.
   *
   * @param appLoader the application's class loader, to create the refusal's exception from
   * @throws WorkflowRefused when refused: callers surface {@link WorkflowRefused#exception()} to
   *     the application
   */
  public static Workflow startWorkflow(String name, String source, Map<String, String> tags,
      String externalKey, String apiCaps, ClassLoader appLoader) {
    return start(name, source, tags, externalKey, apiCaps, appLoader, 0);
  }

  /**
   * A workflow of a {@link PendingWorkflow} boundary: started with the configured tags and caps,
   * its span back-dated to when the boundary was entered.
   *
   * @throws WorkflowRefused when its owner is at its hard budget and caps are enforced
   */
  static Workflow startWorkflowAt(String name, String source, long startEpochNanos) {
    return start(name, source, null, null, null, null, startEpochNanos);
  }

  private static Workflow start(String name, String source, Map<String, String> tags,
      String externalKey, String apiCaps, ClassLoader appLoader, long startEpochNanos) {
    if (!"implicit".equals(source)) {
      Map<String, String> owners = config.tags();
      if (tags != null && !tags.isEmpty()) {
        owners = new java.util.HashMap<>(owners);
        owners.putAll(tags);
      }
      CapRefusal refusal = BudgetGate.beforeWorkflow(name, owners, appLoader);
      if (refusal != null) {
        throw new WorkflowRefused(refusal.exception());
      }
    }
    // the name and tags, which each call span of the workflow carries too (docs/spans.md)
    Attributes callAttributes = tags == null || tags.isEmpty()
        ? CallAttributes.of(name, config) : callAttributes(name, config.tags(), tags);
    // root, source, the name and tags, an external key, then the agent's name, a conversation
    // and an error type: room made at once
    SpanBuilder builder =
        AgentTracer.spanBuilder(tracer, name, 5 + callAttributes.size())
            .setNoParent()
            .setAttribute(SpanAttributes.WORKFLOW_ROOT, true)
            .setAttribute(SpanAttributes.WORKFLOW_SOURCE, source);
    // (a boundary's stand-in span is invalid until its own workflow opens)
    SpanContext current = Span.current().getSpanContext();
    if (!current.isValid()) {
      // outside any Flowcost span: link to the application's own APM span, if any
      current = ApplicationSpans.current();
    }
    if (current.isValid()) {
      builder.addLink(current);
    }
    builder.setAllAttributes(callAttributes);
    if (externalKey != null) {
      builder.setAttribute(SpanAttributes.EXTERNAL_KEY, externalKey);
    }
    if (startEpochNanos > 0) {
      builder.setStartTimestamp(startEpochNanos, java.util.concurrent.TimeUnit.NANOSECONDS);
    }
    Span root = builder.startSpan();
    return WorkflowSource.IMPLICIT.wire().equals(source)
        ? new Workflow(root, null, null, callAttributes)
        : new Workflow(root, name, apiCaps, callAttributes);
  }

  /**
   * {@code flowcost.workflow.name} and a {@code flowcost.tag.*} attribute per tag, the configured
   * ones first, then {@code tags} (which override them).
   */
  static Attributes callAttributes(
      String name, Map<String, String> configured, Map<String, String> tags) {
    AttributesBuilder described = Attributes.builder().put(SpanAttributes.WORKFLOW_NAME, name);
    for (Map.Entry<String, String> tag : configured.entrySet()) {
      described.put(AttributeKey.stringKey(SpanAttributes.TAG_PREFIX + tag.getKey()), tag.getValue());
    }
    if (tags != null) {
      for (Map.Entry<String, String> tag : tags.entrySet()) {
        described.put(AttributeKey.stringKey(SpanAttributes.TAG_PREFIX + tag.getKey()), tag.getValue());
      }
    }
    return described.build();
  }

  /**
   * The call attributes of workflows without tags of their own — the usual case, the same for
   * every workflow of a name — built once per name and settings instead of for every workflow.
   * Bounded: past {@link #MAX_NAMES} names they are built per workflow.
   */
  static final class CallAttributes {
    static final int MAX_NAMES = 1024;

    private static volatile CallAttributes cache;

    private final AgentConfig config;
    private final java.util.concurrent.ConcurrentHashMap<String, Attributes> byName =
        new java.util.concurrent.ConcurrentHashMap<>();

    private CallAttributes(AgentConfig config) {
      this.config = config;
    }

    static Attributes of(String name, AgentConfig config) {
      CallAttributes known = cache;
      if (known == null || known.config != config) {
        known = new CallAttributes(config); // settings changed (tests install others)
        cache = known;
      }
      Attributes attributes = known.byName.get(name);
      if (attributes == null) {
        attributes = callAttributes(name, config.tags(), null);
        if (known.byName.size() < MAX_NAMES) {
          known.byName.putIfAbsent(name, attributes);
        }
      }
      return attributes;
    }
  }

  /**
   * Returns {@code parent} with a workflow opened in another service (its id and the caller's span
   * arrive in W3C headers, see {@code io.flowcost.agent.propagation}): spans started under it carry
   * that workflow's trace id. It has no span of its own in this JVM and is never ended here.
   */
  public static Context joinWorkflow(Context parent, SpanContext remoteParent) {
    return new Workflow(Span.wrap(remoteParent)).attach(parent);
  }

  /** Marks a span failed with the exception's class name (never its message). */
  public static void recordError(Span span, Throwable error) {
    recordError(span, error.getClass().getName());
  }

  /** Marks a span failed with an error type. */
  public static void recordError(Span span, String errorType) {
    span.setStatus(StatusCode.ERROR);
    span.setAttribute(SpanAttributes.ERROR_TYPE, errorType);
  }
}
