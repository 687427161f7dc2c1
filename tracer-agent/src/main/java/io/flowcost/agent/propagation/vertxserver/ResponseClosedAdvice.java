package io.flowcost.agent.propagation.vertxserver;

import net.bytebuddy.asm.Advice;

/** Advice on {@code io.vertx.core.http.impl.Http1xServerResponse.handleClosed()}. Inlined; see {@code AgentInstaller}. */
public final class ResponseClosedAdvice {

  private ResponseClosedAdvice() {}

  @Advice.OnMethodEnter(suppress = Throwable.class)
  public static void enter(@Advice.This Object response) {
    VertxServerTracing.responseEnd(response, true);
  }
}
