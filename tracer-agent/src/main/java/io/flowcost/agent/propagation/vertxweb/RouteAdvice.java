package io.flowcost.agent.propagation.vertxweb;

import io.flowcost.agent.propagation.vertxserver.VertxServerTracing;
import net.bytebuddy.asm.Advice;

/** Advice on Vert.x Web's {@code io.vertx.ext.web.impl.RouteState.handleContext(RoutingContextImplBase)}. Inlined; see {@code AgentInstaller}. */
public final class RouteAdvice {

  private RouteAdvice() {}

  @Advice.OnMethodEnter(suppress = Throwable.class)
  public static Object enter(@Advice.Argument(0) Object routingContext) {
    return VertxServerTracing.routeEnter(routingContext);
  }

  @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
  public static void exit(@Advice.Enter Object token) {
    VertxServerTracing.routeExit(token);
  }
}
