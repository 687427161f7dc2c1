package io.flowcost.agent.http.reactornetty;

import net.bytebuddy.asm.Advice;

/** Inlined into Reactor Netty; see {@link ReactorNettyInstrumentation}. */
public final class RequestWithBodyAdvice {

  private RequestWithBodyAdvice() {}

  @Advice.OnMethodEnter(suppress = Throwable.class)
  public static void enter(@Advice.This Object handler, @Advice.Argument(0) Object operations) {
    ReactorNettyTracing.bind(handler, operations);
  }
}
