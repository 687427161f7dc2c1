package io.flowcost.agent.openai;

import io.flowcost.agent.AgentLog;
import io.flowcost.agent.calls.LogicalCall;
import io.flowcost.agent.caps.CapGuard;
import io.flowcost.agent.caps.CapRefusal;
import io.flowcost.agent.http.LlmEndpoint;
import io.flowcost.agent.http.LlmEndpoints;
import io.flowcost.agent.http.RequestFields;
import io.flowcost.agent.http.SdkCall;
import io.flowcost.agent.http.ToolLoop;
import io.flowcost.agent.langchain4j.Reflect;
import io.flowcost.agent.toolrunner.ToolRunnerTracing;
import io.flowcost.agent.usage.ToolWire;
import io.opentelemetry.context.Scope;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.WeakHashMap;
import java.util.concurrent.CompletableFuture;

/**
 * Logical calls of the official OpenAI Java SDK — and of the official Anthropic Java SDK, generated
 * by the same tool (Stainless) with the same {@code RetryingHttpClient} under {@code
 * com.anthropic.core.http}. A request that is a model operation (by its path, whatever the base
 * URL: the SDKs only talk to model APIs) opens a logical call — and an implicit
 * workflow when none is open — unless a logical call is already open (LangChain4j's OpenAI-official
 * model wraps the SDK: that call is the one counted).
 */
public final class OpenAiSdkTracing {

  /** Asynchronous calls by their retry counter (identity; weak, so it never holds a call). */
  private static final Map<Object, SdkCall> ASYNC_CALLS = new WeakHashMap<>();

  private OpenAiSdkTracing() {}

  /**
   * Entry of {@code execute}; returns a token for {@link #exit}, a {@link CapRefusal} when the
   * workflow's caps refuse the call (the advice skips the method: no request leaves the JVM), or
   * {@code null}. Never throws.
   */
  public static Object enter(Object request) {
    try {
      if (LogicalCall.current() != null || SdkCall.current() != null) {
        return null;
      }
      URI uri = url(request);
      if (uri == null) {
        return null;
      }
      LlmEndpoint endpoint = LlmEndpoints.byPath(uri.getRawPath(), uri.getHost());
      if (endpoint == null) {
        return null;
      }
      CapRefusal refusal = CapGuard.beforeModelCall(request.getClass().getClassLoader());
      if (refusal != null) {
        return refusal;
      }
      byte[] bytes = RequestFields.sdkBodyBytes(body(request));
      RequestFields fields = RequestFields.parse(bytes);
      String model = fields.model() != null ? fields.model() : endpoint.model();
      LogicalCall call =
          LogicalCall.start(
              endpoint.kind(), endpoint.operation(), endpoint.provider(), model, fields.stream());
      call.requestBody(fields.body());
      SdkCall sdk = SdkCall.of(call);
      ToolWire wire = toolWire(uri.getRawPath());
      if (wire != null && ToolLoop.infersHere()) {
        // a function-calling loop run by the app: tools seen on the wire (ToolLoop); ids always
        // present, so no workflow key is needed to pair them
        ToolLoop.answering(wire, bytes, call.parentContext(), "");
        sdk.whenAnswered(summary -> ToolLoop.asked(wire, summary.toolCalls(), ""));
      }
      return new Token(sdk, sdk.context().makeCurrent());
    } catch (Throwable t) {
      AgentLog.failure("openai sdk enter", t);
      return null;
    }
  }

  /**
   * The wire whose tool loop a request to this path belongs to, or {@code null}: OpenAI Chat
   * Completions and Responses; Anthropic Messages unless the request is a step of the SDK's {@code
   * BetaToolRunner}, whose tools its own hooks record where they run (so a tool is never counted
   * twice).
   */
  static ToolWire toolWire(String path) {
    if (path.endsWith("/chat/completions")) {
      return ToolWire.OPENAI_CHAT;
    }
    if (path.endsWith("/responses")) {
      return ToolWire.OPENAI_RESPONSES;
    }
    if (path.endsWith("/messages") && !ToolRunnerTracing.inRunnerLoop()) {
      return ToolWire.ANTHROPIC_MESSAGES;
    }
    return null;
  }

  /**
   * The request body: {@code body()} returns it (OpenAI SDK, Anthropic SDK 2.x) or, since the
   * Anthropic SDK 3.0, an {@code Optional} of it; {@code null} when there is none.
   */
  static Object body(Object request) {
    Object body = Reflect.call(request, "body");
    if (body instanceof Optional) {
      return ((Optional<?>) body).orElse(null);
    }
    return body;
  }

  /**
   * The request URL: {@code url()} (OpenAI SDK), else base URL and path segments (Anthropic SDK,
   * whose base URL may still be unset here — its backend fills it in later — so the path alone).
   */
  static URI url(Object request) {
    String url = Reflect.callString(request, "url");
    if (url == null) {
      String base = Reflect.callString(request, "baseUrl");
      Object segments = Reflect.call(request, "pathSegments");
      if (!(segments instanceof List)) {
        return null;
      }
      StringBuilder b = new StringBuilder(base == null ? "" : base.replaceAll("/+$", ""));
      for (Object segment : (List<?>) segments) {
        b.append('/').append(URLEncoder.encode(String.valueOf(segment), StandardCharsets.UTF_8));
      }
      url = b.toString();
    }
    try {
      return URI.create(url);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /**
   * Exit of {@code execute}: the call ends once its last response body is read or closed.
   *
   * @return what {@code execute} throws: a refusal's exception, else {@code thrown}
   */
  public static Throwable exit(Object token, Throwable thrown) {
    if (!(token instanceof Token)) {
      return CapRefusal.thrown(token, thrown); // a refusal's exception, else thrown
    }
    Token t = (Token) token;
    try {
      t.scope.close();
      t.sdk.methodExited(thrown);
    } catch (Throwable e) {
      AgentLog.failure("openai sdk exit", e);
    }
    return thrown;
  }

  /**
   * What {@code executeAsync} returns: for a refused call (the method was skipped) a future failed
   * with the refusal's exception — the application's {@code join()} sees it as the cause — else
   * {@code future} unchanged.
   */
  public static Object asyncResult(Object token, Object future) {
    RuntimeException refused = CapRefusal.exceptionOf(token);
    return refused != null ? CompletableFuture.failedFuture(refused) : future;
  }

  /**
   * Exit of {@code executeAsync}: the SDK method is over when the returned future completes (the
   * call then ends once the response body is read).
   */
  public static void exitAsync(Object token, Object future, Throwable thrown) {
    if (!(token instanceof Token)) {
      return;
    }
    Token t = (Token) token;
    try {
      t.scope.close();
      t.sdk.methodExitedWhenDone(future, thrown);
    } catch (Throwable e) {
      AgentLog.failure("openai sdk exit async", e);
    }
  }

  /**
   * Entry of one asynchronous attempt: the first one (inside {@code executeAsync}) registers its
   * retry counter; a retry, on another thread, makes the call current again. Returns a scope or
   * {@code null}.
   */
  public static Object enterAttempt(Object retryCounter) {
    try {
      if (retryCounter == null) {
        return null;
      }
      SdkCall current = SdkCall.current();
      if (current != null) {
        synchronized (ASYNC_CALLS) {
          ASYNC_CALLS.put(retryCounter, current);
        }
        return null;
      }
      SdkCall sdk;
      synchronized (ASYNC_CALLS) {
        sdk = ASYNC_CALLS.get(retryCounter);
      }
      return sdk == null ? null : sdk.context().makeCurrent();
    } catch (Throwable t) {
      AgentLog.failure("openai sdk retry enter", t);
      return null;
    }
  }

  /** Exit of one asynchronous attempt. */
  public static void exitAttempt(Object scope) {
    if (scope instanceof Scope) {
      ((Scope) scope).close();
    }
  }

  private static final class Token {
    final SdkCall sdk;
    final Scope scope;

    Token(SdkCall sdk, Scope scope) {
      this.sdk = sdk;
      this.scope = scope;
    }
  }
}
