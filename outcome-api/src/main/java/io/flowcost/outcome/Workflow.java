package io.flowcost.outcome;

import io.flowcost.contract.SpanKeys;
import io.flowcost.outcome.internal.Ids;
import io.flowcost.outcome.internal.WorkflowSpan;
import io.flowcost.outcome.spi.AgentBridge;
import java.time.Instant;
import java.util.Collections;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * An open workflow: one unit of user-visible work, whose id is the trace id of its root span.
 *
 * <p>Close it where the work ends, normally with try-with-resources. To mark the workflow as
 * failed by an exception (the span gets status ERROR and {@code error.type}, never the message),
 * call {@link #fail(Throwable)} before closing:
 *
 * <pre>{@code
 * Workflow wf = Flowcost.workflow("triage").start();
 * try {
 *   return agent.triage(ticket);
 * } catch (RuntimeException e) {
 *   wf.fail(e);
 *   throw e;
 * } finally {
 *   wf.close();
 * }
 * }</pre>
 *
 * or let {@link WorkflowBuilder#call} do it. An error is independent of the outcome: report
 * {@link #success()} or {@link #failure(String)} when the application knows whether the work
 * achieved its purpose, now or later (by id or business key).
 */
public final class Workflow implements AutoCloseable {

  private static final String SCOPE_VERSION = "0.1.0";
  /** {@code flowcost.workflow.source} of workflows opened here ({@code WorkflowSource.API}). */
  static final String SOURCE_API = "api";

  private final String id;
  private final String name;
  /** The agent's handle, or {@code null} when this API owns the context. */
  private final Object agentHandle;
  /** The workflow span this handle joined, or {@code null} when it owns its span. */
  private final Workflow joined;
  private final String spanId;
  private final Map<String, String> tags;
  private final long startEpochNanos;
  private final long startNanoTime;
  private final Deque<Workflow> stack;
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile String externalKey;
  private volatile Throwable error;

  private Workflow(
      String id,
      String name,
      Object agentHandle,
      Workflow joined,
      String spanId,
      Map<String, String> tags,
      String externalKey) {
    this.id = id;
    this.name = name;
    this.agentHandle = agentHandle;
    this.joined = joined;
    this.spanId = spanId;
    this.tags = tags;
    this.externalKey = externalKey;
    Instant now = Instant.now();
    this.startEpochNanos = now.getEpochSecond() * 1_000_000_000L + now.getNano();
    this.startNanoTime = System.nanoTime();
    this.stack = agentHandle == null ? LocalContext.push(this) : null;
  }

  static Workflow underAgent(String name, Object handle, String externalKey) {
    String id = AgentBridge.workflowId(handle);
    if (id == null) {
      throw new IllegalStateException("Flowcost agent returned a workflow handle without an id");
    }
    return new Workflow(id, name, handle, null, null, Map.of(), externalKey);
  }

  static Workflow local(String name, Map<String, String> tags, String externalKey) {
    Optional<Workflow> open = LocalContext.current();
    if (open.isPresent()) {
      Workflow outer = open.get().root();
      outer.adopt(tags, externalKey);
      return new Workflow(outer.id, outer.name, null, outer, outer.spanId, Map.of(), null);
    }
    Map<String, String> own = Collections.synchronizedMap(new LinkedHashMap<>(tags));
    return new Workflow(Ids.newTraceId(), name, null, null, Ids.newSpanId(), own, externalKey);
  }

  /** The workflow id: 32 lower-case hex digits, the trace id of the workflow span. */
  public String id() {
    return id;
  }

  /** The workflow name; for a handle that joined an open workflow, that workflow's name. */
  public String name() {
    return name;
  }

  /** The business key given to this workflow, if any. */
  public Optional<String> externalKey() {
    return Optional.ofNullable(joined != null ? joined.externalKey : externalKey);
  }

  /** {@code true} when {@code start()} joined a workflow already open on the thread. */
  public boolean joined() {
    return joined != null;
  }

  /** The 16-hex span id of the workflow span, known only when this API (not the agent) owns it. */
  Optional<String> spanId() {
    return Optional.ofNullable(spanId);
  }

  /**
   * Records that the workflow body threw {@code error}: when this handle owns the workflow span,
   * the span ends with status ERROR and {@code error.type} = the exception's class name. On a
   * handle that joined an enclosing workflow it has no effect there: the enclosing code decides
   * whether the workflow failed.
   *
   * @return this
   */
  public Workflow fail(Throwable error) {
    this.error = Objects.requireNonNull(error, "error");
    return this;
  }

  /** Reports outcome {@code success} for this workflow (asynchronously, see {@link OutcomeBuilder}). */
  public void success() {
    outcome().success().report();
  }

  /** Reports outcome {@code failure} with a short reason code for this workflow. */
  public void failure(String reason) {
    outcome().failure(reason).report();
  }

  /** Starts an outcome report for this workflow, to add a value, unit or outcome id. */
  public OutcomeBuilder outcome() {
    return new OutcomeBuilder(id, null);
  }

  /** Ends the workflow (or leaves a joined one) and restores the previous context. Idempotent. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    if (agentHandle != null) {
      AgentBridge.closeWorkflow(agentHandle, error);
      return;
    }
    LocalContext.remove(stack, this);
    if (joined == null) {
      long end = startEpochNanos + Math.max(0, System.nanoTime() - startNanoTime);
      Reporter reporter = Flowcost.reporter();
      WorkflowSpan span = new WorkflowSpan(id, spanId, name, startEpochNanos, end, attributes(reporter), errorType());
      reporter.submit("/v1/traces", span.toOtlpJson(reporter.settings.serviceName(), SCOPE_VERSION), "workflow span");
    }
  }

  @Override
  public String toString() {
    return "Workflow{id=" + id + ", name=" + name + (joined != null ? ", joined" : "") + "}";
  }

  private Workflow root() {
    return joined != null ? joined : this;
  }

  /** Takes tags and a key from a nested {@code start()} where this workflow has none. */
  private void adopt(Map<String, String> nestedTags, String nestedKey) {
    nestedTags.forEach(tags::putIfAbsent);
    if (externalKey == null && nestedKey != null) {
      externalKey = nestedKey;
    }
  }

  private Map<String, Object> attributes(Reporter reporter) {
    Map<String, Object> attributes = new LinkedHashMap<>();
    attributes.put(SpanKeys.WORKFLOW_ROOT, true);
    attributes.put(SpanKeys.WORKFLOW_NAME, name);
    // WorkflowSource.API.wire(), spelled here because an enum would need the contract at run time
    attributes.put(SpanKeys.WORKFLOW_SOURCE, SOURCE_API);
    Map<String, String> merged = new LinkedHashMap<>(reporter.settings.tags());
    synchronized (tags) {
      merged.putAll(tags);
    }
    merged.forEach((k, v) -> attributes.put(SpanKeys.TAG_PREFIX + k, v));
    if (externalKey != null) {
      attributes.put(SpanKeys.EXTERNAL_KEY, externalKey);
    }
    return attributes;
  }

  private String errorType() {
    Throwable t = error;
    return t == null ? null : t.getClass().getName();
  }
}
