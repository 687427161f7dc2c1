package io.flowcost.agent.http.reactornetty;

import net.bytebuddy.asm.Advice;

/** Inlined into Reactor Netty; see {@link ReactorNettyInstrumentation}. */
public final class InboundCancelAdvice {

  private InboundCancelAdvice() {}

  @Advice.OnMethodEnter(suppress = Throwable.class)
  public static void enter(@Advice.This Object operations) {
    ReactorNettyTracing.cancelled(operations);
  }
}
