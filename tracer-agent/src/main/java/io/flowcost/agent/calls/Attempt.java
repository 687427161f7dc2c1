package io.flowcost.agent.calls;

import io.flowcost.contract.CallKind;
import io.flowcost.agent.AgentLog;
import io.flowcost.agent.context.AgentContext;
import io.flowcost.agent.context.SpanAttributes;
import io.flowcost.agent.trace.AgentTracer;
import io.flowcost.agent.usage.ProviderCost;
import io.flowcost.agent.usage.ResponseSummary;
import io.flowcost.agent.usage.Usage;
import io.opentelemetry.api.trace.Span;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * One transport exchange of a {@link LogicalCall}. Its outcome is recorded when the exchange
 * finishes; its span is ended, with that recorded time, when the logical call ends. Its state is
 * guarded by its own monitor (written by the client's threads, read when the call ends).
 */
public final class Attempt implements AgentTracer.LateAttributes {

  private final Span span;
  private final int number;
  private final LogicalCall call;
  private int statusCode;
  private String errorType;
  /**
   * A {@link ResponseSummary}, or a {@link LateSummary} still to be read ({@link
   * #succeededLater}), or {@code null}: one field for both keeps an attempt within 64 bytes. Read
   * through {@link #summary()}.
   */
  private Object summary;
  private Usage fallbackUsage;
  private long finishedEpochNanos;
  private boolean ended;
  private RequestBody requestBody; // dropped when the attempt ends
  private boolean readTimedOut;
  private String wasteCause;
  private String headerCostUsd;

  Attempt(Span span, int number, LogicalCall call) {
    this.span = span;
    this.number = number;
    this.call = call;
  }

  /** 1 for the first exchange of its call, 2 for the first retry, … */
  public int number() {
    return number;
  }

  /**
   * Keeps a reference to the request body this exchange sent, for {@link TokenEstimate} should its
   * usage never come. Read only if an estimate is needed; dropped when the attempt ends.
   */
  public void requestBody(RequestBody body) {
    synchronized (this) {
      requestBody = body;
    }
  }

  private RequestBody body() {
    return requestBody;
  }

  /** Whether no request body is kept yet (an HTTP hook may then capture the one it sends). */
  public boolean requestBodyMissing() {
    synchronized (this) {
      return requestBody == null;
    }
  }

  /**
   * Records that the exchange failed by a read time-out ({@link TokenEstimate#isReadTimeout}):
   * the provider is taken to have answered and billed what nobody received.
   */
  public void readTimedOut() {
    synchronized (this) {
      readTimedOut = true;
    }
  }

  /** Records the HTTP status as soon as it is known (stream opened). */
  public void status(int code) {
    synchronized (this) {
      statusCode = code;
    }
  }

  /**
   * Records the cost in USD a gateway reported in a response header (a LiteLLM proxy's {@code
   * x-litellm-response-cost}); invalid text is ignored ({@link ProviderCost#usd}).
   */
  public void providerCostHeader(String raw) {
    if (raw == null) {
      return;
    }
    String cost = ProviderCost.usd(raw);
    if (cost != null) {
      synchronized (this) {
        headerCostUsd = cost;
      }
    }
  }

  /** The provider-cost header an answer read late gives ({@link LateSummary#providerCostHeader}). */
  private void lateCostHeader(LateSummary answer) {
    try {
      providerCostHeader(answer.providerCostHeader());
    } catch (Throwable t) {
      AgentLog.failure("provider cost header", t);
    }
  }

  /** Records what a still-running stream has reported so far. */
  public void progress(ResponseSummary soFar) {
    synchronized (this) {
      if (finishedEpochNanos == 0 && soFar != null) {
        summary = soFar;
      }
    }
  }

  /**
   * Whether what this exchange's answer reports may be read after the call has ended, on the
   * export thread ({@link #succeededLater}): when nothing on the application's thread needs it
   * before the next call — no cap applies to the call's workflow ({@link LogicalCall#usageCanWait}).
   */
  public boolean usageCanWait() {
    return call != null && call.usageCanWait();
  }

  /**
   * Records a successful exchange whose answer is read later by {@code answer}: when the span is
   * exported, or at once by anything here that needs it sooner. Returns {@code false}, recording
   * nothing, when the answer may not wait ({@link LateSummary}'s memory bound): the caller then
   * reads it and calls {@link #succeeded}.
   */
  public boolean succeededLater(int code, LateSummary answer) {
    synchronized (this) {
      if (finishedEpochNanos != 0) {
        // already finished: as succeeded(), nothing changes but the header, set before it was
        lateCostHeader(answer);
        return true;
      }
      // the request body too is kept until then, should an estimate need it
      if (!answer.hold(requestBody == null ? 0 : requestBody.heldSize())) {
        return false;
      }
      if (code > 0) {
        statusCode = code;
      }
      summary = answer;
      finishedEpochNanos = now();
      return true;
    }
  }

  /**
   * What the answer reported: read now if it was left for later ({@link #succeededLater}) —
   * either when the span is exported, or by whatever needs it sooner. Holds the monitor.
   */
  private ResponseSummary summary() {
    Object current = summary;
    if (current instanceof LateSummary) {
      LateSummary late = (LateSummary) current;
      ResponseSummary read = null;
      try {
        read = late.read();
      } catch (Throwable t) {
        AgentLog.failure("usage read", t);
      } finally {
        lateCostHeader(late);
        late.release();
      }
      summary = read;
      Supplier<Usage> client = late.clientUsage;
      if (client != null && !(read != null && read.usage() != null && read.usage().hasTokens())) {
        // as LogicalCall#endWithClientUsage would have when the call ended: the client's usage
        // for an exchange that succeeded without any
        try {
          Usage usage = client.get();
          if (usage != null && usage.hasTokens() && errorType == null) {
            fallbackUsage = usage;
          }
        } catch (Throwable t) {
          AgentLog.failure("client usage", t);
        }
      }
      return read;
    }
    return (ResponseSummary) current;
  }

  /**
   * What the answer reported, read now if it was left for later ({@link #succeededLater}), or
   * {@code null}: for whatever records the answer beside the attempt's own span (the call span's
   * response model and finish reasons: {@link LogicalCall#endAnsweredLater}, an SDK call's last
   * answer). Read once: the attempt's span then adds what was read.
   */
  public ResponseSummary responseSummary() {
    synchronized (this) {
      return summary();
    }
  }

  /** Whether the answer is still to be read ({@link #succeededLater}). */
  boolean answerPending() {
    synchronized (this) {
      return summary instanceof LateSummary;
    }
  }

  /**
   * Leaves the choice of the client's own usage ({@link LogicalCall#endWithClientUsage}: used
   * when the answer reported none) to when the answer is read, if it is still to be read and the
   * span has not ended; returns whether it did.
   */
  boolean clientUsageLater(Supplier<Usage> clientUsage) {
    synchronized (this) {
      if (ended || !(summary instanceof LateSummary)) {
        return false;
      }
      ((LateSummary) summary).clientUsage = clientUsage;
      return true;
    }
  }

  /** Records a successful exchange and what its response body reported. */
  public void succeeded(int code, ResponseSummary responseSummary) {
    synchronized (this) {
      if (finishedEpochNanos != 0) {
        return;
      }
      if (code > 0) {
        statusCode = code;
      }
      summary = responseSummary;
      finishedEpochNanos = now();
    }
  }

  /**
   * Records a failed exchange.
   *
   * @param code HTTP status, or 0 when no response arrived
   * @param type {@code http_<status>} or the exception class name
   * @param partial what a stream reported before it failed, or {@code null}
   */
  public void failed(int code, String type, ResponseSummary partial) {
    synchronized (this) {
      if (finishedEpochNanos != 0) {
        return;
      }
      if (code > 0) {
        statusCode = code;
      }
      errorType = type;
      summary = partial;
      finishedEpochNanos = now();
    }
  }

  boolean succeededWithoutUsage() {
    synchronized (this) {
      return errorType == null && !hasUsage();
    }
  }

  boolean hasUsage() {
    synchronized (this) {
      ResponseSummary summary = summary();
      return summary != null && summary.usage() != null && summary.usage().hasTokens();
    }
  }

  /** Whether the provider billed this exchange: it answered, or reported usage, or timed out. */
  boolean billed() {
    synchronized (this) {
      return errorType == null || hasUsage() || readTimedOut && body() != null;
    }
  }

  /** Sets {@code flowcost.waste_cause} when the span ends, unless a cause is already set. */
  void markWaste(String cause) {
    synchronized (this) {
      if (wasteCause == null) {
        wasteCause = cause;
      }
    }
  }

  /** What this exchange reported (or the client's fallback), or {@code null}; for caps. */
  Usage usage() {
    synchronized (this) {
      ResponseSummary summary = summary();
      if (summary != null && summary.usage() != null && summary.usage().hasTokens()) {
        return summary.usage();
      }
      return fallbackUsage;
    }
  }

  void useFallbackUsage(Usage usage) {
    synchronized (this) {
      fallbackUsage = usage;
    }
  }

  void end() {
    synchronized (this) {
      if (ended) {
        return;
      }
      ended = true;
      if (statusCode > 0) {
        span.setAttribute(SpanAttributes.HTTP_STATUS, boxedStatus(statusCode));
      }
      if (errorType != null) {
        AgentContext.recordError(span, errorType);
      }
      // an answer left for later is read, and its attributes added, when the span is exported;
      // a body still being captured is taken as it is now, as it would be read now
      if (summary instanceof LateSummary) {
        requestBody = requestBody == null ? null : requestBody.resolved();
        if (AgentTracer.endLate(span, finishedEpochNanos, this)) {
          return;
        }
      }
      addResponse(span);
      if (finishedEpochNanos != 0) {
        span.end(finishedEpochNanos, TimeUnit.NANOSECONDS);
      } else {
        span.end();
      }
    }
  }

  /**
   * The attributes of an answer read late ({@link #succeededLater}), on the thread that first
   * reads the ended span: the same ones, in the same order, as {@link #end} sets otherwise.
   */
  @Override
  public void addTo(Span ended) {
    synchronized (this) {
      try {
        addResponse(ended);
      } catch (Throwable t) {
        AgentLog.failure("attempt end", t);
      }
    }
  }

  /**
   * The span was dropped unread: its attributes are never added, the answer's room is given back.
   * The answer itself stays, unread, for the call span that may still read it ({@link
   * LogicalCall#endAnsweredLater}); nothing else keeps the attempt once that span is read.
   */
  @Override
  public void discard() {
    synchronized (this) {
      if (summary instanceof LateSummary) {
        ((LateSummary) summary).release();
      }
      requestBody = null;
    }
  }

  /**
   * Sets what the answer reported (model, finish reasons, response id, cost, usage or its
   * estimate) and the waste cause on the attempt's span. Holds the monitor; the state it reads
   * no longer changes once the attempt has ended.
   */
  private void addResponse(Span span) {
    ResponseSummary summary = summary();
    if (summary != null) {
      LogicalCall.applyResponse(span, summary.model(), summary.finishReasons());
      if (summary.responseId() != null) {
        span.setAttribute(SpanAttributes.RESPONSE_ID, summary.responseId());
      }
    }
    // the gateway's header is what this client was charged; the body's cost is the upstream's
    String cost = headerCostUsd != null ? headerCostUsd
        : summary != null ? summary.providerCostUsd() : null;
    if (cost != null) {
      span.setAttribute(SpanAttributes.PROVIDER_COST_USD, cost);
    }
    Usage usage = summary != null && summary.usage() != null ? summary.usage() : fallbackUsage;
    RequestBody body = body();
    requestBody = null;
    body = body == null ? null : body.resolved();
    if (body != null && (usage == null || !usage.hasTokens())) {
      Usage partial = summary == null ? null : summary.usage();
      if (readTimedOut) {
        usage = TokenEstimate.timedOut(body, partial);
        span.setAttribute(LogicalCall.USAGE_ESTIMATED, true);
        wasteCause = InvocationCalls.DISCARDED; // billed, never received: whatever else happened
      } else if (call != null && CallKind.MODEL.wire().equals(call.kind())
          && (errorType == null || summary != null && summary.outputText() != null)) {
        // answered (or cut off mid-answer): billed, but no usage reached the client
        usage = TokenEstimate.answered(call.provider(), call.requestModel(), body, partial,
            summary == null ? null : summary.outputText());
        span.setAttribute(LogicalCall.USAGE_ESTIMATED, true);
      }
    }
    this.summary = summary == null ? null : summary.withoutOutputText();
    if (usage != null) {
      LogicalCall.applyUsage(span, usage);
    }
    if (wasteCause != null) {
      span.setAttribute(InvocationCalls.WASTE_CAUSE, wasteCause);
    }
  }

  /** Statuses 100–599 boxed once ({@code Long.valueOf} keeps only -128 to 127): a benign race. */
  private static final Long[] STATUSES = new Long[500];

  /** {@code code} as the {@code Long} of {@code http.response.status_code}. */
  static Long boxedStatus(int code) {
    if (code < 100 || code >= 600) {
      return (long) code;
    }
    Long boxed = STATUSES[code - 100];
    if (boxed == null) {
      boxed = (long) code;
      STATUSES[code - 100] = boxed;
    }
    return boxed;
  }

  private static long now() {
    Instant now = Instant.now();
    return TimeUnit.SECONDS.toNanos(now.getEpochSecond()) + now.getNano();
  }
}
