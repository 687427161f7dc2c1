package io.flowcost.agent.propagation.vertxserver;

import io.flowcost.agent.propagation.ServerScopes;
import java.lang.reflect.Method;
import java.util.List;

/** Helpers of {@link RequestHandlerAdvice}: headers read through {@code MultiMap.getAll}. */
public final class VertxServerTracing {

  private static final ServerScopes SCOPES = new ServerScopes("vertx server");

  private VertxServerTracing() {}

  /** Entry: the joined context's scope, or {@code null}. */
  public static Object enter(Object request) {
    return SCOPES.enter(name -> values(request, name));
  }

  /** Exit: restores the context. */
  public static void exit(Object scope) {
    SCOPES.exit(scope);
  }

  @SuppressWarnings("unchecked")
  private static List<String> values(Object request, String name) {
    try {
      Class<?> type =
          Class.forName("io.vertx.core.http.HttpServerRequest", false, request.getClass().getClassLoader());
      Object headers = type.getMethod("headers").invoke(request);
      Class<?> multiMap = Class.forName("io.vertx.core.MultiMap", false, type.getClassLoader());
      Method getAll = multiMap.getMethod("getAll", String.class);
      Object values = getAll.invoke(headers, name);
      return values instanceof List ? (List<String>) values : null;
    } catch (ReflectiveOperationException | RuntimeException e) {
      return null;
    }
  }
}
