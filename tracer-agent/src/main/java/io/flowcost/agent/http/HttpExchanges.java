package io.flowcost.agent.http;

import io.flowcost.agent.AgentLog;
import io.flowcost.agent.calls.LogicalCall;
import io.flowcost.agent.caps.CapGuard;
import io.flowcost.agent.caps.CapRefusal;
import io.flowcost.agent.context.AgentContext;
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
    return start(method, scheme, host, port, path, requestFields, appLoader, true);
  }

  /**
   * As {@link #start(String, String, String, int, String, Supplier)} for a client whose hook
   * cannot stop a request yet (Reactor Netty, Jetty, {@code HttpURLConnection}): the workflow's
   * caps are checked and a breach recorded as in warn mode ({@code
   * CapGuard.beforeUnstoppableModelCall}), and the request is always recorded — never a refused
   * exchange, which records nothing, for a request that is sent anyway.
   */
  public static HttpExchange startUnstoppable(
      String method,
      String scheme,
      String host,
      int port,
      String path,
      Supplier<RequestFields> requestFields) {
    return start(method, scheme, host, port, path, requestFields, null, false);
  }

  private static HttpExchange start(
      String method,
      String scheme,
      String host,
      int port,
      String path,
      Supplier<RequestFields> requestFields,
      ClassLoader appLoader,
      boolean canRefuse) {
    try {
      HttpSettings settings = HttpSettings.current();
      if (host == null || settings.isCollector(scheme, host, port)) {
        return null;
      }
      SdkCall sdk = SdkCall.current();
      if (sdk != null) {
        return HttpExchange.attemptOf(sdk);
      }
      if (LogicalCall.current() != null) {
        return null;
      }
      LlmEndpoint endpoint = LlmEndpoints.match(settings, scheme, host, port, path);
      if (endpoint != null) {
        RequestFields fields = RequestHints.fill(requestFields.get());
        RetryGroup group = RetryGroup.current();
        if (group != null && group.started()) {
          return group.attempt(endpoint, fields); // a retry: its call already passed the caps
        }
        if (!canRefuse) {
          CapGuard.beforeUnstoppableModelCall();
        } else {
          CapRefusal refusal = CapGuard.beforeModelCall(appLoader);
          if (refusal != null) {
            return HttpExchange.refused(refusal);
          }
        }
        return group != null ? group.attempt(endpoint, fields) : HttpExchange.ownCall(endpoint, fields);
      }
      if (settings.captureAll() && AgentContext.currentWorkflow() != null) {
        return HttpExchange.httpCall(method, host, port, path);
      }
      return null;
    } catch (Throwable t) {
      AgentLog.failure("http exchange start", t);
      return null;
    }
  }

  /**
   * Whether a request goes to a model API — recorded as one, inside a logical call, or to a
   * provider's host or a configured endpoint — and so must never receive baggage.
   */
  public static boolean isModelRequest(
      HttpExchange exchange, String scheme, String host, int port, String path) {
    if (exchange != null) {
      return exchange.modelCall();
    }
    if (SdkCall.current() != null || LogicalCall.current() != null || host == null) {
      return true;
    }
    return LlmEndpoints.providerOfHost(host, port) != null
        || HttpSettings.current().isConfiguredLlmEndpoint(scheme, host, port, path);
  }
}
