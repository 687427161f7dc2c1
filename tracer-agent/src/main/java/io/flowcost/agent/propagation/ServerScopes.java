package io.flowcost.agent.propagation;

import io.flowcost.agent.AgentLog;
import io.flowcost.agent.calls.CallDepth;
import io.flowcost.agent.context.AgentContext;
import io.flowcost.agent.context.PendingWorkflow;
import io.flowcost.contract.WorkflowSource;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The entry and exit every server instrumentation shares. At the outermost entry per thread: a
 * request that carries a Flowcost workflow (baggage) joins it; otherwise, when no workflow is open,
 * the request becomes a {@link PendingWorkflow} boundary — its workflow ({@code
 * source=server_request}, named {@code <METHOD> <route template>}) opens at its first model call,
 * so a request that makes none records nothing. The exit restores the context; the server's own
 * helper ends the boundary when the response is complete ({@link #boundary}).
 */
public final class ServerScopes {

  /** Longest route kept in a workflow name; a longer one is cut. */
  static final int MAX_ROUTE = 200;

  private final CallDepth depth = new CallDepth();
  private final String name;

  /** @param name where, for the agent's own error log */
  public ServerScopes(String name) {
    this.name = name;
  }

  /**
   * Entry of a request handler: returns a token for {@link #exit}, or {@code null}. Never throws.
   *
   * @param headers all values of a request header by its (case-insensitive) name
   * @param method the request's method (for the workflow's fallback name), may be {@code null}
   * @param workflowName the workflow's name as best known when asked ({@link #workflowName})
   */
  public Object enter(
      Function<String, List<String>> headers, String method, Supplier<String> workflowName) {
    if (depth.increment() > 1) {
      return null;
    }
    try {
      Context joined = IncomingContext.extract(headers);
      if (joined != null) {
        return new Entered(joined.makeCurrent(), null);
      }
      if (AgentContext.workflowOrBoundary()) {
        return null; // inside a workflow already (an embedded server called in-process)
      }
      PendingWorkflow boundary =
          PendingWorkflow.enter(WorkflowSource.SERVER_REQUEST, workflowName, workflowName(method, null));
      return new Entered(boundary.attach(Context.current()).makeCurrent(), boundary);
    } catch (Throwable t) {
      AgentLog.failure(name + " enter", t);
      return null;
    }
  }

  /**
   * Entry of a nested dispatch of a request whose boundary is already known (a Servlet async or
   * error dispatch): makes it current again without owning it. Never throws.
   */
  public Object reenter(PendingWorkflow boundary) {
    if (depth.increment() > 1) {
      return null;
    }
    return new Entered(boundary.attach(Context.current()).makeCurrent(), null);
  }

  /** Exit of a request handler: restores the context (the boundary is ended by its owner). */
  public void exit(Object token) {
    depth.decrement();
    if (token instanceof Entered) {
      ((Entered) token).scope.close();
    }
  }

  /** The boundary a token of {@link #enter} opened, or {@code null} (joined, nested, none). */
  public static PendingWorkflow boundary(Object token) {
    return token instanceof Entered ? ((Entered) token).boundary : null;
  }

  /**
   * A server request's workflow name: {@code <METHOD> <route>}, or {@code <METHOD>} without a
   * route. Only a route template (or a servlet mapping, a context path) may be passed — never the
   * raw path, whose ids and query would make every request a name of its own; a query or fragment
   * is cut anyway, and so is a route longer than {@value #MAX_ROUTE} characters. A method that is
   * not a plain token becomes {@code HTTP}.
   */
  public static String workflowName(String method, String route) {
    String m = method == null ? "" : method.trim().toUpperCase(Locale.ROOT);
    if (m.isEmpty() || m.length() > 16 || !m.chars().allMatch(c -> c >= 'A' && c <= 'Z')) {
      m = "HTTP";
    }
    if (route == null) {
      return m;
    }
    String r = route.trim();
    int cut = r.indexOf('?');
    if (cut >= 0) {
      r = r.substring(0, cut);
    }
    cut = r.indexOf('#');
    if (cut >= 0) {
      r = r.substring(0, cut);
    }
    if (r.isEmpty()) {
      return m;
    }
    if (r.length() > MAX_ROUTE) {
      r = r.substring(0, MAX_ROUTE);
    }
    return m + ' ' + (r.startsWith("/") || r.startsWith("*") ? r : "/" + r);
  }

  /**
   * How a request's workflow ended: the exception's class name when the handler threw, {@code
   * http_<status>} for a 5xx response, else {@code null} (success: a 4xx is the client's error,
   * not the workflow's).
   *
   * @param status the response status, or a value below 100 when unknown
   */
  public static String errorType(Throwable thrown, int status) {
    if (thrown != null) {
      return thrown.getClass().getName();
    }
    return status >= 500 && status <= 599 ? "http_" + status : null;
  }

  private static final class Entered {
    final Scope scope;
    final PendingWorkflow boundary;

    Entered(Scope scope, PendingWorkflow boundary) {
      this.scope = scope;
      this.boundary = boundary;
    }
  }
}
