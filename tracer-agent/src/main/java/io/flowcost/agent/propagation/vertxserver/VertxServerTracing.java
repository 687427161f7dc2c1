package io.flowcost.agent.propagation.vertxserver;

import io.flowcost.agent.context.PendingWorkflow;
import io.flowcost.agent.propagation.ServerScopes;
import java.lang.reflect.Method;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.function.Supplier;

/**
 * Helpers of the Vert.x server advice: headers read through {@code MultiMap.getAll}. A request
 * with no workflow open becomes a boundary ({@link ServerScopes}) that ends when its response
 * ends ({@code Http1xServerResponse.end}) — the handler usually answers later, from a callback —
 * and is named {@code <METHOD> <route path>} after the last Vert.x Web route with a path that
 * handled it ({@link #routeEnter}; {@code <METHOD>} alone without Vert.x Web). Each route handler
 * runs in the request's context again, also when it runs after the body arrived.
 */
public final class VertxServerTracing {

  private static final ServerScopes SCOPES = new ServerScopes("vertx server");

  /** Open requests by their response object; weak, so an abandoned request is not kept. */
  private static final Map<Object, Request> OPEN = new WeakHashMap<>();

  private VertxServerTracing() {}

  /** Entry of {@code Http1xServerRequestHandler.handle}: a token for {@link #exit}, or {@code null}. */
  public static Object enter(Object request) {
    String method = string(call(request, "io.vertx.core.http.HttpServerRequest", "method"));
    Request state = new Request(method);
    Object token = SCOPES.enter(name -> values(request, name), method, state);
    PendingWorkflow boundary = ServerScopes.boundary(token);
    if (boundary != null) {
      Object response = call(request, "io.vertx.core.http.HttpServerRequest", "response");
      if (response != null) {
        state.boundary = boundary;
        synchronized (OPEN) {
          OPEN.put(response, state);
        }
      }
    }
    return token;
  }

  /** Exit of {@code handle}: restores the context (the response may end later). */
  public static void exit(Object token) {
    SCOPES.exit(token);
  }

  /**
   * Entry of {@code Http1xServerResponse.end(Buffer, PromiseInternal)} (every {@code end} goes
   * through it) or of its {@code handleClosed}: ends the request's workflow, failed on a 5xx or a
   * connection closed before the response ended.
   */
  public static void responseEnd(Object response, boolean closed) {
    Request state;
    synchronized (OPEN) {
      state = OPEN.remove(response);
    }
    if (state == null) {
      return;
    }
    if (closed) {
      state.boundary.end("connection_closed");
      return;
    }
    Object status = call(response, "io.vertx.core.http.HttpServerResponse", "getStatusCode");
    state.boundary.end(ServerScopes.errorType(null, status instanceof Integer ? (Integer) status : -1));
  }

  /**
   * Entry of {@code Http2ServerRequest.handleClose()} (the stream closed): ends the request's
   * workflow as a connection closed, unless its response already ended it.
   */
  public static void requestClosed(Object request) {
    Object response = call(request, "io.vertx.core.http.HttpServerRequest", "response");
    if (response != null) {
      responseEnd(response, true);
    }
  }

  /**
   * Entry of Vert.x Web's {@code RouteState.handleContext(RoutingContext)}: records the route's
   * path (a template such as {@code /claims/:id}; a regex route has none) and runs the handler in
   * the request's context. Returns a token for {@link #routeExit}, or {@code null}.
   */
  public static Object routeEnter(Object routingContext) {
    Object request = call(routingContext, "io.vertx.ext.web.RoutingContext", "request");
    Object response = request == null ? null
        : call(request, "io.vertx.core.http.HttpServerRequest", "response");
    if (response == null) {
      return null;
    }
    Request state;
    synchronized (OPEN) {
      state = OPEN.get(response);
    }
    if (state == null) {
      return null;
    }
    Object route = call(routingContext, "io.vertx.ext.web.RoutingContext", "currentRoute");
    String path = route == null ? null : string(call(route, "io.vertx.ext.web.Route", "getPath"));
    if (path != null) {
      state.route = path;
    }
    return SCOPES.reenter(state.boundary);
  }

  /** Exit of {@code handleContext}. */
  public static void routeExit(Object token) {
    SCOPES.exit(token);
  }

  /** One open request: its method, the last route path seen, its boundary. */
  private static final class Request implements Supplier<String> {
    final String method;
    volatile String route;
    volatile PendingWorkflow boundary;

    Request(String method) {
      this.method = method;
    }

    @Override
    public String get() {
      return ServerScopes.workflowName(method, route);
    }
  }

  private static Object call(Object target, String type, String method) {
    try {
      Class<?> api = Class.forName(type, false, target.getClass().getClassLoader());
      if (!api.isInstance(target)) {
        return null;
      }
      return api.getMethod(method).invoke(target);
    } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
      return null;
    }
  }

  private static String string(Object value) {
    return value == null ? null : value.toString();
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
