package io.flowcost.agent.calls;

import io.flowcost.contract.CallKind;
import io.flowcost.contract.WorkflowSource;
import io.flowcost.contract.SpanKeys;
import io.flowcost.agent.AgentLog;
import io.flowcost.agent.caps.CapGuard;
import io.flowcost.agent.caps.WorkflowSpend;
import io.flowcost.agent.context.AgentContext;
import io.flowcost.agent.context.SpanAndValueContext;
import io.flowcost.agent.context.SpanAttributes;
import io.flowcost.agent.context.SpanNames;
import io.flowcost.agent.context.Workflow;
import io.flowcost.agent.usage.ResponseSummary;
import io.flowcost.agent.usage.Usage;
import io.flowcost.agent.trace.AgentTracer;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.ContextKey;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * One logical model or embedding call (one SDK method call) and its attempts.
 *
 * <p>When no workflow is open it opens an implicit one around itself. The call span's context
 * carries the call, so that the HTTP layer below can add attempts to it.
 */
public final class LogicalCall implements AgentTracer.LateAttributes {

  private static final ContextKey<LogicalCall> KEY = ContextKey.named("flowcost-call");

  private static final Attempt[] NO_ATTEMPTS = new Attempt[0];

  /**
   * Attributes a call span usually gets besides its workflow's name and tags: kind, operation,
   * provider, requested model, streaming, responded model, finish reasons, attempts and one more
   * (an error type or a waste cause); room is made for them at once.
   */
  private static final int CALL_ATTRIBUTES = 9;

  /**
   * Attributes an attempt span usually gets: number, call id and parent, kind, operation,
   * provider, requested model, streaming, HTTP status, responded model, finish reasons, response
   * id and four token counts.
   */
  static final int ATTEMPT_ATTRIBUTES = 16;

  /** {@code flowcost.usage.estimated}: the tokens are an estimate ({@link TokenEstimate}). */
  static final AttributeKey<Boolean> USAGE_ESTIMATED =
      AttributeKey.booleanKey(SpanKeys.USAGE_ESTIMATED);

  private final Span span;
  private final Context parentContext;
  private final Context context;
  private final Workflow implicitWorkflow;
  private final String kind;
  private final String operation;
  private final String provider;
  private final String requestModel;
  private final boolean stream;
  private final String callId;
  private final String parentSpanId;
  private final String name;
  /**
   * The first attempt, or {@code null}; the later ones (retries, rare) in {@link #retries}, an
   * array copied on write: once published it never changes, so it is its own snapshot — no list,
   * no copy per read, and no array at all for a call of one attempt. Guarded by this call's
   * monitor, as are the fields below.
   */
  private Attempt firstAttempt;

  private Attempt[] retries = NO_ATTEMPTS;
  private final InvocationCalls invocation;
  private volatile RequestBody requestBody;
  /** The caps state of the workflow this call runs in, or {@code null}. */
  private final WorkflowSpend spend;
  private boolean ended;
  private long endEpochNanos;
  private String wasteCause; // guarded by this
  private boolean finished; // guarded by this
  /**
   * Whether the call span's response model and finish reasons are those of its one attempt's
   * answer, read when the span is first read ({@link #endAnsweredLater}); guarded by this.
   */
  private boolean responseLater;
  /** With {@link #responseLater}: only an answer that names a model gives them ({@code SdkCall}). */
  private boolean responseNamesModel;
  /**
   * With {@link #responseLater}: the client's own response model and finish reasons, which give
   * them instead of the attempt's answer ({@link #endWithResponseLater}); guarded by this.
   */
  private LateResponse lateResponse;

  private LogicalCall(
      Span span,
      Context parentContext,
      Workflow implicitWorkflow,
      WorkflowSpend spend,
      String name,
      String kind,
      String operation,
      String provider,
      String requestModel,
      boolean stream) {
    this.span = span;
    this.parentContext = parentContext;
    this.context = SpanAndValueContext.of(parentContext, span, KEY, this);
    this.implicitWorkflow = implicitWorkflow;
    this.name = name;
    this.kind = kind;
    this.operation = operation;
    this.provider = provider;
    this.requestModel = requestModel;
    this.stream = stream;
    this.callId = span.getSpanContext().getSpanId();
    SpanContext parentSpan = Span.fromContext(parentContext).getSpanContext();
    this.parentSpanId = parentSpan.isValid() ? parentSpan.getSpanId() : null;
    this.invocation = InvocationCalls.in(parentContext);
    this.spend = spend;
  }

  /**
   * Starts a call span (kind CLIENT) named {@code <operation> <model>} under the current context,
   * opening an implicit workflow first when none is open. Does not make it current.
   */
  public static LogicalCall start(
      String kind, String operation, String provider, String requestModel, boolean stream) {
    return start(kind, operation, provider, requestModel, stream, Context.current());
  }

  /**
   * {@link #start(String, String, String, String, boolean)} under {@code current}, the current
   * context, which the caller already read (for its cap check: one look-up of the thread's
   * context for both).
   */
  public static LogicalCall start(String kind, String operation, String provider,
      String requestModel, boolean stream, Context current) {
    // looked up once: the context's workflow (opening a pending boundary's), or an implicit one
    return start(kind, operation, provider, requestModel, stream, current,
        AgentContext.currentWorkflow(current));
  }

  /**
   * {@link #start(String, String, String, String, boolean, Context)} with {@code workflow}, {@code
   * AgentContext.currentWorkflow(current)} as the caller looked it up for its cap check ({@code
   * null}: none open; an implicit one is opened here).
   */
  public static LogicalCall start(String kind, String operation, String provider,
      String requestModel, boolean stream, Context current, Workflow workflow) {
    String name = SpanNames.of(operation, requestModel);
    Context parent = current;
    Workflow implicit = null;
    if (workflow == null && parent.get(KEY) == null) {
      implicit =
          AgentContext.startWorkflow(
              AgentContext.config().serviceName() + ':' + name, WorkflowSource.IMPLICIT.wire(), null, null);
      parent = implicit.attach(parent);
      workflow = implicit;
    }
    Attributes described = workflow == null ? Attributes.empty() : workflow.callAttributes();
    SpanBuilder builder =
        AgentTracer.spanBuilder(AgentContext.tracer(), name, CALL_ATTRIBUTES + described.size())
            .setParent(parent)
            .setSpanKind(SpanKind.CLIENT)
            .setAttribute(SpanAttributes.CALL_KIND, kind)
            .setAttribute(SpanAttributes.OPERATION, operation);
    // the workflow's name and tags: its spend is attributed when this call arrives
    builder.setAllAttributes(described);
    Span span = builder.startSpan();
    if (provider != null) {
      span.setAttribute(SpanAttributes.PROVIDER, provider);
    }
    if (requestModel != null) {
      span.setAttribute(SpanAttributes.REQUEST_MODEL, requestModel);
    }
    if (stream) {
      span.setAttribute(SpanAttributes.REQUEST_STREAM, true);
    }
    // an implicit workflow has no caps (its spend is null)
    return new LogicalCall(span, parent, implicit, workflow == null ? null : workflow.spend(),
        name, kind, operation, provider, requestModel, stream);
  }

  /** The logical call open in the current context, or {@code null}. */
  public static LogicalCall current() {
    return current(Context.current());
  }

  /** The logical call open in {@code context}, or {@code null}. */
  public static LogicalCall current(Context context) {
    return context.get(KEY);
  }

  /** The context with this call's span current (for the SDK method's own thread). */
  public Context context() {
    return context;
  }

  /** The context the call was started in: where callbacks of a streaming call should run. */
  public Context parentContext() {
    return parentContext;
  }

  /** The call span. */
  public Span span() {
    return span;
  }

  /** {@code model}, {@code embedding}, … */
  String kind() {
    return kind;
  }

  /** {@code gen_ai.provider.name}, or {@code null}. */
  String provider() {
    return provider;
  }

  /** The requested model, or {@code null}. */
  String requestModel() {
    return requestModel;
  }

  /**
   * Keeps a reference to the request body every attempt of this call sends (an SDK resends the
   * same body), for {@link TokenEstimate} should an attempt's usage never come. Only model calls
   * keep it: embeddings always report usage.
   */
  public void requestBody(RequestBody body) {
    if (CallKind.MODEL.wire().equals(kind)) {
      requestBody = body;
    }
  }



  /**
   * Whether what this call's answers report may be read after it ended ({@link
   * Attempt#succeededLater}): nothing reads it before the next call unless a cap applies to the
   * call's workflow (its spend, counted when the call ends: {@link CapGuard#modelCallEnded}).
   */
  boolean usageCanWait() {
    return spend == null;
  }

  /**
   * The first attempt's number, boxed once: the same object as {@code Long.valueOf(1)}. In situ
   * (async-profiler, line numbers) nearly all of this method's own CPU stood at that call, inlined
   * (its read of {@code Long}'s cache, met cold once per attempt); a constant has no such read.
   */
  private static final Long FIRST_ATTEMPT = 1L;

  /** Starts the next attempt span, a child of the call span. */
  public Attempt startAttempt() {
    int number;
    synchronized (this) {
      number = firstAttempt == null ? 1 : retries.length + 2;
    }
    Span attemptSpan =
        AgentTracer.spanBuilder(AgentContext.tracer(), name, ATTEMPT_ATTRIBUTES)
            .setParent(context)
            .setSpanKind(SpanKind.CLIENT)
            .setAttribute(SpanAttributes.ATTEMPT, number == 1 ? FIRST_ATTEMPT : Long.valueOf(number))
            .setAttribute(SpanAttributes.CALL_ID, callId)
            .setAttribute(SpanAttributes.CALL_PARENT_ID, parentSpanId)
            .setAttribute(SpanAttributes.CALL_KIND, kind)
            .setAttribute(SpanAttributes.OPERATION, operation)
            .startSpan();
    if (provider != null) {
      attemptSpan.setAttribute(SpanAttributes.PROVIDER, provider);
    }
    if (requestModel != null) {
      attemptSpan.setAttribute(SpanAttributes.REQUEST_MODEL, requestModel);
    }
    if (stream) {
      attemptSpan.setAttribute(SpanAttributes.REQUEST_STREAM, true);
    }
    Attempt attempt = new Attempt(attemptSpan, number, this);
    attempt.requestBody(requestBody);
    synchronized (this) {
      if (ended) {
        // a late retry after the call ended (should not happen): still record it
        attempt.end();
      }
      if (firstAttempt == null) {
        firstAttempt = attempt;
      } else {
        Attempt[] more = java.util.Arrays.copyOf(retries, retries.length + 1);
        more[retries.length] = attempt;
        retries = more;
      }
    }
    return attempt;
  }

  /**
   * Ends the call and records its end time. Its spans (attempts, call span, the implicit workflow
   * if the call opened one) end now — or, inside an AI-service invocation, when the invocation
   * ends, so that a verdict on the answer can still mark them ({@link InvocationCalls}).
   * Idempotent.
   *
   * @param responseModel the model the client says answered, or {@code null}
   * @param finishReasons the client's finish reasons, or {@code null}
   * @param clientUsage usage the client parsed, used when the wire parser found none
   * @param error what the SDK method threw (or a stream's error), or {@code null}
   */
  public void end(
      String responseModel, List<String> finishReasons, Usage clientUsage, Throwable error) {
    endWithClientUsage(responseModel, finishReasons,
        clientUsage == null ? null : () -> clientUsage, error);
  }

  /**
   * Ends the call, which succeeded, with the response model and finish reasons of {@code attempt}'s
   * answer, still to be read ({@link Attempt#succeededLater}): the call span's last attributes
   * (those, the attempt count and a waste cause) are then added when the span is first read, on
   * the export thread, as its attempt's are — the same attributes in the same order as {@code
   * end(model, finishReasons, null, null)} with what the answer reported. Returns {@code false},
   * ending nothing, unless {@code attempt} is the call's only attempt, its answer is still unread
   * and no cap applies ({@link #usageCanWait}): the caller then reads the answer and ends the
   * call with it.
   *
   * @param onlyWithModel whether an answer that names no model gives neither (an SDK call's
   *     rule: {@code io.flowcost.agent.http.SdkCall} keeps the last answer that names one)
   */
  public boolean endAnsweredLater(Attempt attempt, boolean onlyWithModel) {
    synchronized (this) {
      if (ended || spend != null || firstAttempt != attempt || retries.length > 0
          || !attempt.answerPending()) {
        return false;
      }
      responseLater = true;
      responseNamesModel = onlyWithModel;
    }
    endWithClientUsage(null, null, null, null);
    return true;
  }

  /**
   * The response model and finish reasons a client gave a call ({@link #endWithResponseLater}),
   * turned into attributes when the call span is first read, on the export thread.
   */
  public interface LateResponse {
    /** The model the client says answered, or {@code null}. */
    String model();

    /** {@code gen_ai.response.finish_reasons}, or {@code null}. */
    List<String> finishReasons();
  }

  /**
   * Ends the call, which succeeded, as {@code endWithClientUsage(response's model, response's
   * finish reasons, clientUsage, null)} does, but with those two attributes, the attempt count and
   * a waste cause added when the call span is first read ({@link #addTo}, on the export thread:
   * met there with the batch's other spans rather than cold on the application's thread), in
   * the same order and with the same values. Returns {@code false}, ending nothing, unless the
   * call made exactly one attempt and no cap applies ({@link #usageCanWait}): the caller then
   * ends it with {@link #endWithClientUsage}. {@code response} must give the same values
   * whenever asked (values already read, or an immutable object's).
   */
  public boolean endWithResponseLater(LateResponse response, Supplier<Usage> clientUsage) {
    synchronized (this) {
      if (ended || spend != null || firstAttempt == null || retries.length > 0) {
        return false;
      }
      responseLater = true;
      lateResponse = response;
    }
    endWithClientUsage(null, null, clientUsage, null);
    return true;
  }

  /**
   * The call span's last attributes when its answer is read late ({@link #endAnsweredLater}): what
   * {@link #endWithClientUsage} and {@link #finishSpans} set, in their order. On the thread that
   * first reads the span.
   */
  @Override
  public void addTo(Span ended) {
    try {
      Attempt attempt;
      String cause;
      boolean namesModel;
      LateResponse client;
      synchronized (this) {
        attempt = firstAttempt;
        cause = wasteCause;
        namesModel = responseNamesModel;
        client = lateResponse;
      }
      if (client != null) {
        applyResponse(ended, client.model(), client.finishReasons());
      } else {
        ResponseSummary answer = attempt.responseSummary();
        if (answer != null && (!namesModel || answer.model() != null)) {
          applyResponse(ended, answer.model(), answer.finishReasons());
        }
      }
      ended.setAttribute(SpanAttributes.ATTEMPTS, 1L);
      if (cause != null) {
        ended.setAttribute(InvocationCalls.WASTE_CAUSE, cause);
      }
    } catch (Throwable t) {
      AgentLog.failure("call end", t);
    }
  }

  /** The call span was dropped unread: its attempt holds the answer, and gives back its room. */
  @Override
  public void discard() {}

  /**
   * As {@link #end(String, List, Usage, Throwable)}, with the client's usage read only when it is
   * needed: when the call had no attempt, or none of its attempts read usage from its response
   * (the common case, usage read from the wire, never reads it — reading a client's usage object
   * costs several reflective calls per call).
   *
   * @param clientUsage gives the usage the client parsed (or {@code null}); may be {@code null}
   */
  public void endWithClientUsage(String responseModel, List<String> finishReasons,
      Supplier<Usage> clientUsage, Throwable error) {
    Attempt first;
    Attempt[] later;
    boolean late;
    synchronized (this) {
      if (ended) {
        return;
      }
      ended = true;
      first = firstAttempt;
      later = retries; // never changed once published: a snapshot
      late = responseLater;
    }
    int count = first == null ? 0 : 1 + later.length;
    if (!late) { // else added when the span is read (addTo)
      applyResponse(span, responseModel, finishReasons);
      if (count > 0) {
        span.setAttribute(SpanAttributes.ATTEMPTS, (long) count);
      }
    }
    // the client's usage only where the attempts read none from the wire; for one attempt whose
    // answer is read later (no cap needs it now), decided when it is read (Attempt#summary)
    boolean decidedLater = clientUsage != null && count == 1 && spend == null
        && first.clientUsageLater(clientUsage);
    Usage client = !decidedLater && clientUsage != null && (count == 0 || noneHasUsage(first, later))
        ? clientUsage.get() : null;
    if (client != null && client.hasTokens()) {
      if (count == 0) {
        applyUsage(span, client);
      } else {
        for (int i = count - 1; i >= 0; i--) {
          Attempt attempt = attempt(first, later, i);
          if (attempt.succeededWithoutUsage()) {
            attempt.useFallbackUsage(client);
            break;
          }
        }
      }
    }
    if (spend != null) {
      List<Usage> usages = new ArrayList<>(count + 1);
      for (int i = 0; i < count; i++) {
        usages.add(attempt(first, later, i).usage());
      }
      if (count == 0 && client != null) {
        usages.add(client);
      }
      CapGuard.modelCallEnded(spend, provider, requestModel, responseModel, usages);
    }
    if (error != null) {
      AgentContext.recordError(span, error);
      if (implicitWorkflow != null) {
        AgentContext.recordError(implicitWorkflow.rootSpan(), error);
      }
    }
    endEpochNanos = nowNanos();
    requestBody = null; // its attempts hold it until they end
    // Inside an AI-service invocation the verdict on the answer comes later (InvocationCalls).
    if (invocation == null || !invocation.defer(this)) {
      finishSpans();
    }
  }

  /** Attempt {@code i} (0 the first) of a snapshot of {@link #firstAttempt} and {@link #retries}. */
  private static Attempt attempt(Attempt first, Attempt[] later, int i) {
    return i == 0 ? first : later[i - 1];
  }

  private static boolean noneHasUsage(Attempt first, Attempt[] later) {
    if (first.hasUsage()) {
      return false;
    }
    for (Attempt attempt : later) {
      if (attempt.hasUsage()) {
        return false;
      }
    }
    return true;
  }

  /**
   * Marks the call's billed attempts (or the call span, when it has none) with a {@code
   * flowcost.waste_cause}; the first cause set wins. Effective until {@link #finishSpans()}.
   */
  void markWaste(String cause) {
    synchronized (this) {
      if (finished || wasteCause != null) {
        return;
      }
      wasteCause = cause;
      if (firstAttempt != null && firstAttempt.billed()) {
        firstAttempt.markWaste(cause);
      }
      for (Attempt attempt : retries) {
        if (attempt.billed()) {
          attempt.markWaste(cause);
        }
      }
    }
  }

  /**
   * Ends the attempt spans and the call span with their recorded end times, then the implicit
   * workflow if the call opened one. Idempotent.
   */
  void finishSpans() {
    Attempt first;
    Attempt[] later;
    String cause;
    boolean late;
    synchronized (this) {
      if (finished) {
        return;
      }
      finished = true;
      first = firstAttempt;
      later = retries;
      cause = wasteCause;
      late = responseLater;
    }
    if (first != null) {
      first.end();
    }
    for (Attempt attempt : later) {
      attempt.end();
    }
    if (!late || !AgentTracer.endLate(span, endEpochNanos, this)) {
      if (late) {
        addTo(span);
      } else if (cause != null) {
        span.setAttribute(InvocationCalls.WASTE_CAUSE, cause);
      }
      span.end(endEpochNanos, TimeUnit.NANOSECONDS);
    }
    if (implicitWorkflow != null) {
      implicitWorkflow.rootSpan().end(endEpochNanos, TimeUnit.NANOSECONDS);
    }
  }

  /** When the call ended (epoch nanoseconds; 0 before {@link #end}). */
  long endedAtEpochNanos() {
    return endEpochNanos;
  }

  static long nowNanos() {
    java.time.Instant now = java.time.Instant.now();
    return TimeUnit.SECONDS.toNanos(now.getEpochSecond()) + now.getNano();
  }

  static void applyResponse(Span span, String model, List<String> finishReasons) {
    if (model != null) {
      span.setAttribute(SpanAttributes.RESPONSE_MODEL, model);
    }
    if (finishReasons != null && !finishReasons.isEmpty()) {
      span.setAttribute(SpanAttributes.FINISH_REASONS, finishReasons);
    }
  }

  static void applyUsage(Span span, Usage usage) {
    setIfPresent(span, SpanAttributes.INPUT_TOKENS, usage.inputTokens());
    setIfPresent(span, SpanAttributes.CACHE_READ_TOKENS, usage.cacheReadTokens());
    setIfPresent(span, SpanAttributes.CACHE_WRITE_TOKENS, usage.cacheWriteTokens());
    setIfPresent(span, SpanAttributes.CACHE_WRITE_1H_TOKENS, usage.cacheWrite1hTokens());
    setIfPresent(span, SpanAttributes.OUTPUT_TOKENS, usage.outputTokens());
    setIfPresent(span, SpanAttributes.REASONING_TOKENS, usage.reasoningTokens());
    if (usage.serviceTier() != null) {
      span.setAttribute(SpanAttributes.SERVICE_TIER, usage.serviceTier());
    }
  }

  private static void setIfPresent(
      Span span, io.opentelemetry.api.common.AttributeKey<Long> key, Long value) {
    if (value != null) {
      span.setAttribute(key, value);
    }
  }
}
