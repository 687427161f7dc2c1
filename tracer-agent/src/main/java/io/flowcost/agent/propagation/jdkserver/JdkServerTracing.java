package io.flowcost.agent.propagation.jdkserver;

import com.sun.net.httpserver.HttpExchange;
import io.flowcost.agent.context.PendingWorkflow;
import io.flowcost.agent.propagation.ServerScopes;
import java.util.List;
import java.util.Map;

/**
 * Helpers of {@link DoFilterAdvice}. The exchange is a {@code com.sun.net.httpserver.HttpExchange}
 * (an exported JDK API the agent's class loader sees), typed {@code Object} in the advice. The
 * workflow of a request that made model calls is named {@code <METHOD> <context path>}: the
 * path the handler was registered under ({@code HttpServer.createContext}), never the raw path.
 */
public final class JdkServerTracing {

  private static final ServerScopes SCOPES = new ServerScopes("jdk server");

  private JdkServerTracing() {}

  /** Entry of the outermost {@code doFilter}: a token for {@link #exit}, or {@code null}. */
  public static Object enter(Object exchange) {
    if (!(exchange instanceof HttpExchange)) {
      return null;
    }
    HttpExchange ex = (HttpExchange) exchange;
    return SCOPES.enter(name -> values(ex, name), ex.getRequestMethod(), () -> name(ex));
  }

  /**
   * Exit of {@code doFilter}: restores the context and ends the request's workflow, failed when the
   * handler threw or answered 5xx.
   */
  public static void exit(Object token, Object exchange, Throwable thrown) {
    SCOPES.exit(token);
    PendingWorkflow boundary = ServerScopes.boundary(token);
    if (boundary != null) {
      int status = exchange instanceof HttpExchange ? ((HttpExchange) exchange).getResponseCode() : -1;
      boundary.end(ServerScopes.errorType(thrown, status));
    }
  }

  static String name(HttpExchange exchange) {
    String route = exchange.getHttpContext() == null ? null : exchange.getHttpContext().getPath();
    return ServerScopes.workflowName(exchange.getRequestMethod(), route);
  }

  private static List<String> values(HttpExchange exchange, String name) {
    try {
      Map<String, List<String>> headers = exchange.getRequestHeaders();
      // com.sun.net.httpserver.Headers normalises keys (first letter upper case); get() does too
      return headers == null ? null : headers.get(name);
    } catch (RuntimeException e) {
      return null;
    }
  }
}
