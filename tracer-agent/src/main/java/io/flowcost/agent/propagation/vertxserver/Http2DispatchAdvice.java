package io.flowcost.agent.propagation.vertxserver;

import net.bytebuddy.asm.Advice;

/** Advice on {@code io.vertx.core.http.impl.Http2ServerRequest.dispatch(Handler)}. Inlined; see {@code AgentInstaller}. */
public final class Http2DispatchAdvice {

  private Http2DispatchAdvice() {}

  @Advice.OnMethodEnter(suppress = Throwable.class)
  public static Object enter(@Advice.This Object request) {
    return VertxServerTracing.enter(request);
  }

  @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
  public static void exit(@Advice.Enter Object scope) {
    VertxServerTracing.exit(scope);
  }
}
