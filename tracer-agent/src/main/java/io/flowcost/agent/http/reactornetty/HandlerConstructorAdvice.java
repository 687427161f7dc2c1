package io.flowcost.agent.http.reactornetty;

import net.bytebuddy.asm.Advice;

/** Inlined into Reactor Netty; see {@link ReactorNettyInstrumentation}. */
public final class HandlerConstructorAdvice {

  private HandlerConstructorAdvice() {}

  @Advice.OnMethodExit(suppress = Throwable.class)
  public static void exit(@Advice.This Object handler) {
    ReactorNettyTracing.handlerCreated(handler);
  }
}
