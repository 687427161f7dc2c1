package io.flowcost.agent.propagation;

import io.flowcost.agent.AgentLog;
import io.flowcost.agent.calls.CallDepth;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import java.util.List;
import java.util.function.Function;

/**
 * The entry and exit every server instrumentation shares: at the outermost entry per thread, the
 * joined context (if the request carries a Flowcost workflow) is made current; the exit closes it.
 */
public final class ServerScopes {

  private final CallDepth depth = new CallDepth();
  private final String name;

  /** @param name where, for the agent's own error log */
  public ServerScopes(String name) {
    this.name = name;
  }

  /**
   * Entry of a request handler: returns the scope to close on exit, or {@code null}. Never throws.
   *
   * @param headers all values of a request header by its (case-insensitive) name
   */
  public Object enter(Function<String, List<String>> headers) {
    if (depth.increment() > 1) {
      return null;
    }
    try {
      Context joined = IncomingContext.extract(headers);
      return joined == null ? null : joined.makeCurrent();
    } catch (Throwable t) {
      AgentLog.failure(name + " extract", t);
      return null;
    }
  }

  /** Exit of a request handler. */
  public void exit(Object scope) {
    depth.decrement();
    if (scope instanceof Scope) {
      ((Scope) scope).close();
    }
  }
}
