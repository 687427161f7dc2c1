package io.flowcost.agent.propagation.vertxserver;

import net.bytebuddy.asm.Advice;

/** Advice on {@code io.vertx.core.http.impl.Http1xServerRequestHandler.handle(HttpServerRequest)}. Inlined; see {@code AgentInstaller}. */
public final class RequestHandlerAdvice {

  private RequestHandlerAdvice() {}

  @Advice.OnMethodEnter(suppress = Throwable.class)
  public static Object enter(@Advice.Argument(0) Object request) {
    return VertxServerTracing.enter(request);
  }

  @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
  public static void exit(@Advice.Enter Object scope) {
    VertxServerTracing.exit(scope);
  }
}
