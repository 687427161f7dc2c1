package io.flowcost.agent.http.reactornetty;

import net.bytebuddy.asm.Advice;

/** Inlined into Reactor Netty; see {@link ReactorNettyInstrumentation}. */
public final class InboundNextAdvice {

  private InboundNextAdvice() {}

  @Advice.OnMethodEnter(suppress = Throwable.class)
  public static void enter(@Advice.This Object operations, @Advice.Argument(1) Object message) {
    ReactorNettyTracing.inbound(operations, message);
  }
}
