package io.flowcost.agent.propagation.jdkserver;

import io.flowcost.agent.context.PendingWorkflow;
import io.flowcost.agent.propagation.ServerScopes;
import java.lang.reflect.Method;
import java.util.List;
import java.util.Map;

/**
 * Helpers of {@link DoFilterAdvice}. The exchange is read through the public API of {@code
 * com.sun.net.httpserver} reflectively: the agent's classes sit on the boot class path, and the
 * {@code jdk.httpserver} module is defined to the platform class loader, which they cannot see.
 * The workflow of a request that made model calls is named {@code <METHOD> <context path>}: the
 * path the handler was registered under ({@code HttpServer.createContext}), never the raw path.
 */
public final class JdkServerTracing {

  private static final ServerScopes SCOPES = new ServerScopes("jdk server");
  private static volatile Api api;

  private JdkServerTracing() {}

  /** Entry of the outermost {@code doFilter}: a token for {@link #exit}, or {@code null}. */
  public static Object enter(Object exchange) {
    Api a = api(exchange);
    if (a == null) {
      return null;
    }
    String method = a.string(a.getRequestMethod, exchange);
    return SCOPES.enter(name -> a.header(exchange, name), method, () -> name(a, exchange, method));
  }

  /**
   * Exit of {@code doFilter}: restores the context and ends the request's workflow, failed when the
   * handler threw or answered 5xx.
   */
  public static void exit(Object token, Object exchange, Throwable thrown) {
    SCOPES.exit(token);
    PendingWorkflow boundary = ServerScopes.boundary(token);
    if (boundary != null) {
      Api a = api(exchange);
      Object status = a == null ? null : a.call(a.getResponseCode, exchange);
      boundary.end(ServerScopes.errorType(thrown, status instanceof Integer ? (Integer) status : -1));
    }
  }

  private static String name(Api a, Object exchange, String method) {
    Object context = a.call(a.getHttpContext, exchange);
    return ServerScopes.workflowName(method, context == null ? null : a.string(a.getPath, context));
  }

  private static Api api(Object exchange) {
    if (exchange == null) {
      return null;
    }
    Api a = api;
    if (a == null || !a.exchange.isInstance(exchange)) {
      try {
        a = new Api(exchange.getClass().getClassLoader());
      } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
        return null;
      }
      if (!a.exchange.isInstance(exchange)) {
        return null;
      }
      api = a;
    }
    return a;
  }

  /** The {@code com.sun.net.httpserver} methods the helpers read. */
  private static final class Api {
    final Class<?> exchange;
    final Method getRequestHeaders;
    final Method getRequestMethod;
    final Method getResponseCode;
    final Method getHttpContext;
    final Method getPath;

    Api(ClassLoader loader) throws ReflectiveOperationException {
      exchange = Class.forName("com.sun.net.httpserver.HttpExchange", false, loader);
      getRequestHeaders = exchange.getMethod("getRequestHeaders");
      getRequestMethod = exchange.getMethod("getRequestMethod");
      getResponseCode = exchange.getMethod("getResponseCode");
      getHttpContext = exchange.getMethod("getHttpContext");
      getPath = getHttpContext.getReturnType().getMethod("getPath");
    }

    Object call(Method method, Object target) {
      try {
        return method.invoke(target);
      } catch (ReflectiveOperationException | RuntimeException e) {
        return null;
      }
    }

    String string(Method method, Object target) {
      Object v = call(method, target);
      return v instanceof String ? (String) v : null;
    }

    @SuppressWarnings("unchecked")
    List<String> header(Object exchange, String name) {
      Object headers = call(getRequestHeaders, exchange);
      if (!(headers instanceof Map)) {
        return null;
      }
      // com.sun.net.httpserver.Headers normalises keys (first letter upper case): look both ways
      Map<?, ?> map = (Map<?, ?>) headers;
      Object v = map.get(name);
      if (v == null) {
        for (Map.Entry<?, ?> e : map.entrySet()) {
          if (e.getKey() instanceof String && ((String) e.getKey()).equalsIgnoreCase(name)) {
            v = e.getValue();
            break;
          }
        }
      }
      return v instanceof List ? (List<String>) v : null;
    }
  }
}
