package io.flowcost.agent.propagation.vertxserver;

import net.bytebuddy.asm.Advice;

/** Advice on {@code io.vertx.core.http.impl.Http2ServerRequest.handleClose()}. Inlined; see {@code AgentInstaller}. */
public final class Http2ClosedAdvice {

  private Http2ClosedAdvice() {}

  @Advice.OnMethodEnter(suppress = Throwable.class)
  public static void enter(@Advice.This Object request) {
    VertxServerTracing.requestClosed(request);
  }
}
