package io.flowcost.agent.http.vertx;

import net.bytebuddy.asm.Advice;

/** Exit advice on {@code WebClientBase(HttpClient, WebClientOptions)}. Inlined; see {@code AgentInstaller}. */
public final class WebClientConstructorAdvice {

  private WebClientConstructorAdvice() {}

  @Advice.OnMethodExit(suppress = Throwable.class)
  public static void exit(@Advice.This Object client) {
    VertxWebClientTracing.addInterceptor(client);
  }
}
