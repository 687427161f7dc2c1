package io.flowcost.agent.propagation.jdkserver;

import io.flowcost.agent.propagation.ServerScopes;
import java.lang.reflect.Method;
import java.util.List;
import java.util.Map;

/** Helpers of {@link DoFilterAdvice}; the exchange is read through its public API reflectively. */
public final class JdkServerTracing {

  private static final ServerScopes SCOPES = new ServerScopes("jdk server");
  private static volatile Method requestHeaders;

  private JdkServerTracing() {}

  /** Entry of the outermost {@code doFilter}: the joined context's scope, or {@code null}. */
  public static Object enter(Object exchange) {
    return SCOPES.enter(name -> values(exchange, name));
  }

  /** Exit of {@code doFilter}: restores the context. */
  public static void exit(Object scope) {
    SCOPES.exit(scope);
  }

  private static List<String> values(Object exchange, String name) {
    try {
      Map<?, ?> headers = headers(exchange);
      return headers == null ? null : values(headers, name);
    } catch (ReflectiveOperationException | RuntimeException e) {
      return null;
    }
  }

  private static Map<?, ?> headers(Object exchange) throws ReflectiveOperationException {
    Method method = requestHeaders;
    if (method == null) {
      Class<?> type =
          Class.forName(
              "com.sun.net.httpserver.HttpExchange", false, exchange.getClass().getClassLoader());
      method = type.getMethod("getRequestHeaders");
      requestHeaders = method;
    }
    Object headers = method.invoke(exchange);
    return headers instanceof Map ? (Map<?, ?>) headers : null;
  }

  @SuppressWarnings("unchecked")
  private static List<String> values(Map<?, ?> headers, String name) {
    // com.sun.net.httpserver.Headers normalises keys (first letter upper case): look both ways
    Object v = headers.get(name);
    if (v == null) {
      for (Map.Entry<?, ?> e : headers.entrySet()) {
        if (e.getKey() instanceof String && ((String) e.getKey()).equalsIgnoreCase(name)) {
          v = e.getValue();
          break;
        }
      }
    }
    return v instanceof List ? (List<String>) v : null;
  }
}
