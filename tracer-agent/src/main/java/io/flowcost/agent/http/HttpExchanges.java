package io.flowcost.agent.http;

import io.flowcost.agent.AgentLog;
import io.flowcost.agent.calls.LogicalCall;
import io.flowcost.agent.caps.CapGuard;
import io.flowcost.agent.caps.CapRefusal;
import io.flowcost.agent.context.AgentContext;
import io.opentelemetry.context.Context;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Decides what an outgoing request is, for every client instrumentation alike:
 *
 * <ol>
 *   <li>a request to the Flowcost collector (outcome-api) is never recorded;
 *   <li>inside an SDK call ({@link SdkCall}), it is that call's next attempt;
 *   <li>inside any other logical call (LangChain4j's, whose HTTP layer records the attempts), it is
 *       nothing: recording it would count the call twice;
 *   <li>a model request ({@link LlmEndpoints}) is a logical call of its own with one attempt,
 *       opening an implicit workflow when none is open — once the workflow's caps (and its
 *       owner's budget, for an implicit workflow) allow it ({@code CapGuard.beforeModelCall}): a
 *       refused request comes back as an exchange whose {@link HttpExchange#refusal()} the client
 *       instrumentation throws instead of sending it; inside a framework's retry loop ({@link
 *       RetryGroup}) a model request is the next attempt of the loop's call (caps checked once,
 *       before its first attempt); a framework's {@link RequestHints} fill in the model and stream
 *       flag the request body did not give;
 *   <li>with {@code flowcost.http.capture=all}, any other request inside a workflow is an {@code
 *       http} call.
 * </ol>
 */
public final class HttpExchanges {

  private HttpExchanges() {}

  /**
   * Starts recording a request, or returns {@code null} when it is not recorded. Never throws.
   *
   * @param method HTTP method
   * @param scheme {@code http} or {@code https}
   * @param host request host
   * @param port request port, or -1 for the scheme's default
   * @param path request path, without the query string
   */
  public static HttpExchange start(String method, String scheme, String host, int port, String path) {
    return start(method, scheme, host, port, path, () -> RequestFields.NONE);
  }

  /**
   * Same as {@link #start(String, String, String, int, String)}, with the request's model and
   * stream flag read from its body only when the request becomes a logical call of its own.
   */
  public static HttpExchange start(
      String method,
      String scheme,
      String host,
      int port,
      String path,
      Supplier<RequestFields> requestFields) {
    return start(method, scheme, host, port, path, requestFields, null);
  }

  /**
   * Same as {@link #start(String, String, String, int, String, Supplier)}; {@code appLoader} (the
   * client's class loader, may be {@code null}) is where a refusal's exception type is looked up.
   */
  public static HttpExchange start(
      String method,
      String scheme,
      String host,
      int port,
      String path,
      Supplier<RequestFields> requestFields,
      ClassLoader appLoader) {
    return start(method, scheme, host, port, path, SUPPLIED, requestFields, appLoader,
        CapCheck.REFUSE, Context.current());
  }

  /**
   * Same as {@link #start(String, String, String, int, String, Supplier, ClassLoader)}, the fields
   * read as {@code fieldsOf.apply(request)} (a function that captures nothing: no object made per
   * request for the fields most requests never need), in {@code context}, the current context the
   * caller already read (and uses again for the request's headers, {@code ClientPropagation}): one
   * thread-local look-up per request for both.
   */
  public static HttpExchange start(
      String method,
      String scheme,
      String host,
      int port,
      String path,
      Function<Object, RequestFields> fieldsOf,
      Object request,
      ClassLoader appLoader,
      Context context) {
    return start(method, scheme, host, port, path, fieldsOf, request, appLoader, CapCheck.REFUSE,
        context);
  }

  /** The fields of a request given as a {@code Supplier}. */
  @SuppressWarnings("unchecked")
  private static final Function<Object, RequestFields> SUPPLIED =
      supplier -> ((Supplier<RequestFields>) supplier).get();

  /**
   * As {@link #start(String, String, String, int, String, Supplier)} where the client's hook cannot
   * stop the request any more (Reactor Netty's request whose head was written by its handler
   * without a body, found only when the request is complete): the workflow's caps are checked and
   * a breach recorded as in warn mode ({@code CapGuard.beforeUnstoppableModelCall}), and the
   * request is always recorded — never a refused exchange, which records nothing, for a request
   * that is sent anyway.
   */
  public static HttpExchange startUnstoppable(
      String method,
      String scheme,
      String host,
      int port,
      String path,
      Supplier<RequestFields> requestFields) {
    return start(method, scheme, host, port, path, SUPPLIED, requestFields, null,
        CapCheck.RECORD_ONLY, Context.current());
  }

  /**
   * For a client that must decide before its request's body is known ({@code HttpURLConnection},
   * whose {@code getOutputStream()} may send the head): checks the workflow's caps now for a
   * request that will be a model call of its own ({@code CapGuard.beforeModelCall}, which counts
   * the call), before any byte of it is sent. The exchange is started later with {@link
   * #startAdmitted}, which does not check again. Never throws.
   *
   * @return the refusal to throw instead of sending the request, or {@code null} when it may go
   */
  public static CapRefusal admit(
      String scheme, String host, int port, String path, ClassLoader appLoader) {
    try {
      HttpSettings settings = HttpSettings.current();
      if (ownModelEndpoint(settings, scheme, host, port, path) == null) {
        return null;
      }
      RetryGroup group = RetryGroup.current();
      if (group != null && group.started()) {
        return null; // a retry: its call already passed the caps
      }
      return CapGuard.beforeModelCall(appLoader);
    } catch (Throwable t) {
      AgentLog.failure("http exchange admit", t);
      return null;
    }
  }

  /**
   * As {@link #start(String, String, String, int, String, Supplier)} for a request that {@link
   * #admit} let go: its caps are not checked a second time.
   */
  public static HttpExchange startAdmitted(
      String method,
      String scheme,
      String host,
      int port,
      String path,
      Supplier<RequestFields> requestFields) {
    return start(method, scheme, host, port, path, SUPPLIED, requestFields, null,
        CapCheck.ADMITTED, Context.current());
  }

  /** What {@link #start} does with the workflow's caps for a model request of its own. */
  private enum CapCheck {
    /** Checked; a refused request comes back as a refused exchange. */
    REFUSE,
    /** Checked, a breach recorded as not enforced; the request is recorded. */
    RECORD_ONLY,
    /** Already checked by {@link #admit}. */
    ADMITTED
  }

  /**
   * The endpoint of a request that is a model call of its own — not the collector, not an SDK
   * call's attempt, not below another logical call — or {@code null}.
   */
  private static LlmEndpoint ownModelEndpoint(
      HttpSettings settings, String scheme, String host, int port, String path) {
    if (host == null || settings.isCollector(scheme, host, port) || SdkCall.current() != null
        || LogicalCall.current() != null) {
      return null;
    }
    return LlmEndpoints.match(settings, scheme, host, port, path);
  }

  private static HttpExchange start(
      String method,
      String scheme,
      String host,
      int port,
      String path,
      Function<Object, RequestFields> fieldsOf,
      Object request,
      ClassLoader appLoader,
      CapCheck capCheck,
      Context context) {
    try {
      HttpSettings settings = HttpSettings.current();
      if (host == null || settings.isCollector(scheme, host, port)) {
        return null;
      }
      SdkCall sdk = SdkCall.current(context);
      if (sdk != null) {
        return HttpExchange.attemptOf(sdk);
      }
      if (LogicalCall.current(context) != null) {
        return null;
      }
      LlmEndpoint endpoint = LlmEndpoints.match(settings, scheme, host, port, path);
      if (endpoint != null) {
        RequestFields fields = RequestHints.fill(fieldsOf.apply(request));
        if (!fields.stream() && LlmEndpoints.streamsByPath(path)) {
          // Gemini, Bedrock: the URL says "stream", the body does not; a failed attempt too
          fields = new RequestFields(fields.model(), true, fields.body());
        }
        RetryGroup group = RetryGroup.current();
        if (group != null && group.started()) {
          return group.attempt(endpoint, fields); // a retry: its call already passed the caps
        }
        if (capCheck == CapCheck.RECORD_ONLY) {
          CapGuard.beforeUnstoppableModelCall();
        } else if (capCheck == CapCheck.REFUSE) {
          CapRefusal refusal = CapGuard.beforeModelCall(appLoader);
          if (refusal != null) {
            return HttpExchange.refused(refusal);
          }
        }
        return group != null ? group.attempt(endpoint, fields) : HttpExchange.ownCall(endpoint, fields);
      }
      if (settings.captureAll() && AgentContext.startedWorkflow() != null) {
        return HttpExchange.httpCall(method, host, port, path);
      }
      return null;
    } catch (Throwable t) {
      AgentLog.failure("http exchange start", t);
      return null;
    }
  }

  /**
   * The next attempt of an SDK call whose exchanges an SDK-level hook reports itself (the AWS
   * SDK's execution interceptor, which sees every HTTP client the SDK may use): the hook hands it
   * the response head, body bytes and end. Never {@code null}.
   */
  public static HttpExchange sdkAttempt(SdkCall sdk) {
    return HttpExchange.attemptOf(sdk);
  }

  /**
   * Whether a request goes to a model API — recorded as one, inside a logical call, or to a
   * provider's host or a configured endpoint — and so must never receive baggage.
   */
  public static boolean isModelRequest(
      HttpExchange exchange, String scheme, String host, int port, String path) {
    return isModelRequest(exchange, Context.current(), scheme, host, port, path);
  }

  /** {@link #isModelRequest(HttpExchange, String, String, int, String)} in {@code context}. */
  public static boolean isModelRequest(
      HttpExchange exchange, Context context, String scheme, String host, int port, String path) {
    if (exchange != null) {
      return exchange.modelCall();
    }
    if (SdkCall.current(context) != null || LogicalCall.current(context) != null || host == null) {
      return true;
    }
    return LlmEndpoints.providerOfHost(host, port) != null
        || HttpSettings.current().isConfiguredLlmEndpoint(scheme, host, port, path);
  }
}
