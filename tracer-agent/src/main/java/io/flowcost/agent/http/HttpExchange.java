package io.flowcost.agent.http;

import io.flowcost.contract.CallKind;
import io.flowcost.agent.calls.Attempt;
import io.flowcost.agent.calls.LogicalCall;
import io.flowcost.agent.caps.CapRefusal;
import io.flowcost.agent.calls.RequestBody;
import io.flowcost.agent.context.AgentContext;
import io.flowcost.agent.context.SpanAttributes;
import io.flowcost.agent.usage.ResponseSummary;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Context;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * One HTTP exchange the agent records, in one of three roles: an attempt of an SDK's logical call,
 * a model call of its own (a bare LLM request: one call, one attempt), or an {@code http} call.
 * Client instrumentations report the response head, the body bytes as the application reads them,
 * and the end or failure; the first end wins. Thread-safe.
 */
public final class HttpExchange {

  static final AttributeKey<String> SERVER_ADDRESS = AttributeKey.stringKey("server.address");
  static final AttributeKey<Long> SERVER_PORT = AttributeKey.longKey("server.port");
  static final AttributeKey<String> URL_PATH = AttributeKey.stringKey("url.path");
  static final AttributeKey<String> HTTP_METHOD = AttributeKey.stringKey("http.request.method");

  /** The response header in which a LiteLLM proxy reports a response's cost in USD. */
  public static final String PROVIDER_COST_HEADER = "x-litellm-response-cost";

  private final Attempt attempt;
  private final LogicalCall ownCall;
  private final SdkCall sdkCall;
  private final Span httpSpan;
  private final Context context;
  private final boolean modelCall;
  private final CapRefusal refusal;
  private int status;
  private BodyTap tap;
  private boolean done;
  private volatile boolean ignoreResponseModel;

  private HttpExchange(
      Attempt attempt, LogicalCall ownCall, SdkCall sdkCall, Span httpSpan, Context context,
      boolean modelCall) {
    this(attempt, ownCall, sdkCall, httpSpan, context, modelCall, null);
  }

  private HttpExchange(
      Attempt attempt, LogicalCall ownCall, SdkCall sdkCall, Span httpSpan, Context context,
      boolean modelCall, CapRefusal refusal) {
    this.refusal = refusal;
    this.attempt = attempt;
    this.ownCall = ownCall;
    this.sdkCall = sdkCall;
    this.httpSpan = httpSpan;
    this.context = context;
    this.modelCall = modelCall;
  }

  /**
   * A model request refused by the workflow's caps (or its owner's budget): it records nothing,
   * and the client instrumentation must not send it but throw {@link #refusal()} instead.
   */
  static HttpExchange refused(CapRefusal refusal) {
    return new HttpExchange(null, null, null, null, Context.current(), true, refusal);
  }

  /**
   * The exception to throw instead of sending the request (a {@code WorkflowCapExceededException}
   * when the app has outcome-api), or {@code null} when the request may go.
   */
  public RuntimeException refusal() {
    return refusal == null ? null : refusal.exception();
  }

  /**
   * The refusal of a refused exchange, as the token a hook's entry advice returns to skip the
   * method ({@code skipOn = CapRefusal.class}); {@code null} for any other exchange or none.
   */
  public static CapRefusal refusalOf(HttpExchange exchange) {
    return exchange == null ? null : exchange.refusal;
  }

  static HttpExchange attemptOf(SdkCall sdk) {
    return new HttpExchange(sdk.startAttempt(), null, sdk, null, sdk.context(), true);
  }

  static HttpExchange ownCall(LlmEndpoint endpoint, RequestFields request) {
    LogicalCall call =
        LogicalCall.start(
            endpoint.kind(),
            endpoint.operation(),
            endpoint.provider(),
            request.model() != null ? request.model() : endpoint.model(),
            request.stream());
    call.requestBody(request.body());
    return new HttpExchange(call.startAttempt(), call, null, null, call.context(), true);
  }

  static HttpExchange httpCall(String method, String host, int port, String path) {
    Context parent = Context.current();
    Span span =
        AgentContext.tracer()
            .spanBuilder(method == null ? "HTTP" : method)
            .setParent(parent)
            .setSpanKind(SpanKind.CLIENT)
            .setAttribute(SpanAttributes.CALL_KIND, CallKind.HTTP.wire())
            .setAttribute(SERVER_ADDRESS, host)
            .setAttribute(URL_PATH, path == null || path.isEmpty() ? "/" : path)
            .startSpan();
    if (method != null) {
      span.setAttribute(HTTP_METHOD, method);
    }
    if (port > 0) {
      span.setAttribute(SERVER_PORT, (long) port);
    }
    return new HttpExchange(null, null, null, span, parent.with(span), false);
  }

  /**
   * Keeps the model named in the response body out of the record (Bedrock's InvokeModel returns
   * the model vendor's name; the request's model id is what is billed). Returns this exchange.
   */
  public HttpExchange ignoreResponseModel() {
    ignoreResponseModel = true;
    return this;
  }

  /**
   * Whether this model exchange has no request body for a token estimate yet: the client hook
   * should then hand it the body it sends ({@link #requestBody}).
   */
  public boolean needsRequestBody() {
    return attempt != null && attempt.requestBodyMissing();
  }

  /** The body this exchange sends, kept by its attempt for a token estimate. */
  public void requestBody(RequestBody body) {
    if (attempt != null && body != null) {
      attempt.requestBody(body);
    }
  }

  /** Whether this exchange is a model call (never receives baggage). */
  public boolean modelCall() {
    return modelCall;
  }

  /** The agent's context of this exchange: its span is the parent named in {@code traceparent}. */
  public Context context() {
    return context;
  }

  /**
   * The response head arrived.
   *
   * @return whether the body should be teed through {@link #bodyBytes}
   */
  public boolean responseHead(int statusCode, String contentType) {
    return responseHead(statusCode, contentType, null);
  }

  /**
   * The response head arrived, with the cost a gateway reported in it.
   *
   * @param providerCost the {@value #PROVIDER_COST_HEADER} header's value, or {@code null}
   * @return whether the body should be teed through {@link #bodyBytes}
   */
  public boolean responseHead(int statusCode, String contentType, String providerCost) {
    if (attempt != null && providerCost != null) {
      attempt.providerCostHeader(providerCost);
    }
    boolean failedStatus = statusCode >= 400;
    synchronized (this) {
      if (done) {
        return false;
      }
      status = statusCode;
      if (attempt != null) {
        attempt.status(statusCode);
      }
      if (attempt != null && !failedStatus) {
        tap = BodyTap.forContentType(contentType);
        if (ownCall != null && tap.streaming()) {
          ownCall.span().setAttribute(SpanAttributes.REQUEST_STREAM, true);
        }
        return true;
      }
    }
    // an error body carries no usage, an http call's body is none of our business
    finish(null, failedStatus ? "http_" + statusCode : null);
    return false;
  }

  /** Bytes of the body, as the application reads them. */
  public void bodyBytes(byte[] bytes, int offset, int length) {
    synchronized (this) {
      if (!done && tap != null) {
        tap.write(bytes, offset, length);
      }
    }
  }

  /** Bytes of the body, read without moving the buffer's position. */
  public void bodyBytes(ByteBuffer bytes) {
    synchronized (this) {
      if (!done && tap != null) {
        tap.write(bytes);
      }
    }
  }

  /**
   * The body ended (or the application closed it). A whole JSON answer is read later, on the
   * export thread, when nothing needs it sooner ({@link #answerCanWait}): the tap's buffer, built
   * anyway, is handed to the attempt ({@link Attempt#succeededLater}) instead of being read now.
   */
  public void bodyComplete() {
    ResponseSummary summary;
    BodyTap.Json whole = null;
    synchronized (this) {
      if (done) {
        return;
      }
      if (tap != null && answerCanWait()) {
        whole = tap.takeJson(ignoreResponseModel);
      }
      summary = tap == null || whole != null ? null : tap.finish();
    }
    if (whole != null) {
      finishAnswered(whole);
    } else {
      finish(summary, null);
    }
  }

  /**
   * Whether this exchange's answer may be read after its call has ended: it is a model call's
   * attempt, no cap applies to the workflow ({@link Attempt#usageCanWait}) and no SDK listener
   * needs the answer now ({@link SdkCall#answerCanWait}: a tool loop's calls).
   */
  private boolean answerCanWait() {
    return attempt != null
        && (ownCall != null || sdkCall != null && sdkCall.answerCanWait())
        && attempt.usageCanWait();
  }

  /** The exchange failed: no response, or the body broke off. */
  public void failed(Throwable error) {
    ResponseSummary partial;
    synchronized (this) {
      if (done) {
        return;
      }
      partial = tap == null ? null : tap.finish();
    }
    finish(partial, errorType(error));
  }

  /**
   * Finishes a successful exchange whose whole JSON answer is read later ({@link #bodyComplete}):
   * what it records is what {@link #finish} records with the answer read now — by the attempt's
   * span and, for its model and finish reasons, the call's ({@link LogicalCall#endAnsweredLater},
   * {@link SdkCall#exchangeAnsweredLater}). Read now when the answer may not wait ({@link
   * io.flowcost.agent.calls.LateSummary}'s bounds).
   */
  private void finishAnswered(BodyTap.Json whole) {
    int code;
    synchronized (this) {
      if (done) {
        return;
      }
      done = true;
      code = status;
    }
    if (!attempt.succeededLater(code, whole)) {
      record(code, whole.read(), null); // read now, as finish() would: it may not wait
      return;
    }
    if (ownCall != null && !ownCall.endAnsweredLater(attempt, false)) {
      ResponseSummary summary = attempt.responseSummary();
      ownCall.end(
          summary == null ? null : summary.model(),
          summary == null ? null : summary.finishReasons(),
          null,
          null);
    }
    if (sdkCall != null) {
      sdkCall.exchangeAnsweredLater(attempt);
    }
  }

  private void finish(ResponseSummary response, String errorType) {
    ResponseSummary summary =
        ignoreResponseModel && response != null ? response.withoutModel() : response;
    int code;
    synchronized (this) {
      if (done) {
        return;
      }
      done = true;
      code = status;
    }
    record(code, summary, errorType);
  }

  /** Records the finished exchange: {@code summary} is what its answer reported, as recorded. */
  private void record(int code, ResponseSummary summary, String errorType) {
    if (attempt != null) {
      if (errorType != null) {
        attempt.failed(code, errorType, summary);
      } else {
        attempt.succeeded(code, summary);
      }
    }
    if (ownCall != null) {
      if (errorType != null) {
        AgentContext.recordError(ownCall.span(), errorType);
      }
      ownCall.end(
          summary == null ? null : summary.model(),
          summary == null ? null : summary.finishReasons(),
          null,
          null);
    }
    if (sdkCall != null) {
      sdkCall.exchangeFinished(summary, errorType);
    }
    if (httpSpan != null) {
      if (code > 0) {
        httpSpan.setAttribute(SpanAttributes.HTTP_STATUS, (long) code);
      }
      if (errorType != null) {
        AgentContext.recordError(httpSpan, errorType);
      }
      httpSpan.end();
    }
  }

  /** {@code error.type} of a failure: the root exception's class name (never its message). */
  static String errorType(Throwable error) {
    Throwable t = error;
    while ((t instanceof CompletionException || t instanceof ExecutionException)
        && t.getCause() != null
        && t.getCause() != t) {
      t = t.getCause();
    }
    return t == null ? "error" : t.getClass().getName();
  }
}
