package io.flowcost.agent.calls;

import io.flowcost.contract.CallKind;
import io.flowcost.agent.context.AgentContext;
import io.flowcost.agent.context.SpanAttributes;
import io.flowcost.agent.usage.ProviderCost;
import io.flowcost.agent.usage.ResponseSummary;
import io.flowcost.agent.usage.Usage;
import io.opentelemetry.api.trace.Span;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

/**
 * One transport exchange of a {@link LogicalCall}. Its outcome is recorded when the exchange
 * finishes; its span is ended, with that recorded time, when the logical call ends. Its state is
 * guarded by its own monitor (written by the client's threads, read when the call ends).
 */
public final class Attempt {

  private final Span span;
  private final int number;
  private final LogicalCall call;
  private int statusCode;
  private String errorType;
  private ResponseSummary summary;
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
    String cost = ProviderCost.usd(raw);
    if (cost != null) {
      synchronized (this) {
        headerCostUsd = cost;
      }
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
      summary = summary == null ? null : summary.withoutOutputText();
      if (usage != null) {
        LogicalCall.applyUsage(span, usage);
      }
      if (wasteCause != null) {
        span.setAttribute(InvocationCalls.WASTE_CAUSE, wasteCause);
      }
      if (finishedEpochNanos != 0) {
        span.end(finishedEpochNanos, TimeUnit.NANOSECONDS);
      } else {
        span.end();
      }
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
