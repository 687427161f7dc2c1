package io.flowcost.agent.propagation.vertxserver;

import net.bytebuddy.asm.Advice;

/** Advice on {@code io.vertx.core.http.impl.Http1xServerResponse.end(Buffer, PromiseInternal)} and {@code Http2ServerResponse.end()}/{@code end(Buffer)}. Inlined; see {@code AgentInstaller}. */
public final class ResponseEndAdvice {

  private ResponseEndAdvice() {}

  @Advice.OnMethodEnter(suppress = Throwable.class)
  public static void enter(@Advice.This Object response) {
    VertxServerTracing.responseEnd(response, false);
  }
}
