package io.flowcost.agent.propagation.servlet;

import io.flowcost.agent.propagation.ServerScopes;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;

/** Helpers of {@link ServiceAdvice}: headers read through {@code HttpServletRequest.getHeaders}. */
public final class ServletTracing {

  private static final ServerScopes SCOPES = new ServerScopes("servlet");

  private ServletTracing() {}

  /** Entry: the joined context's scope, or {@code null}. */
  public static Object enter(Object request) {
    return SCOPES.enter(name -> values(request, name));
  }

  /** Exit: restores the context. */
  public static void exit(Object scope) {
    SCOPES.exit(scope);
  }

  private static List<String> values(Object request, String name) {
    try {
      Class<?> type =
          Class.forName(
              "jakarta.servlet.http.HttpServletRequest", false, request.getClass().getClassLoader());
      if (!type.isInstance(request)) {
        return null;
      }
      Object values = type.getMethod("getHeaders", String.class).invoke(request, name);
      if (!(values instanceof Enumeration)) {
        return null;
      }
      List<String> out = new ArrayList<>();
      for (Enumeration<?> e = (Enumeration<?>) values; e.hasMoreElements(); ) {
        out.add(String.valueOf(e.nextElement()));
      }
      return out.isEmpty() ? null : out;
    } catch (ReflectiveOperationException | RuntimeException e) {
      return null;
    }
  }
}
