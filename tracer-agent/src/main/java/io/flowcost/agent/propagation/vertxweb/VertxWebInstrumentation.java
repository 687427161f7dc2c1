package io.flowcost.agent.propagation.vertxweb;

import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import io.flowcost.agent.instrumentation.InstrumentationModule;

/**
 * Vert.x Web ({@code vertx-web}): names a request's workflow after its route's path ({@code
 * <METHOD> /claims/:id}) and runs each route handler in the request's context, also a handler
 * that runs after the body arrived. Needs {@code vertx-http-server}, which opens the boundary.
 */
public final class VertxWebInstrumentation extends InstrumentationModule {

  private static final String ROUTE_STATE = "io.vertx.ext.web.impl.RouteState";

  /** Creates the unit. */
  public VertxWebInstrumentation() {
    super("vertx-web", ROUTE_STATE);
    transform(named(ROUTE_STATE), named("handleContext").and(takesArguments(1)), advice("RouteAdvice"));
  }
}
