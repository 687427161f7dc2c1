package io.flowcost.agent.http.reactornetty;

import net.bytebuddy.asm.Advice;

/** Inlined into Reactor Netty; see {@link ReactorNettyInstrumentation}. */
public final class FullBodyMessageAdvice {

  private FullBodyMessageAdvice() {}

  @Advice.OnMethodExit(suppress = Throwable.class)
  public static void exit(@Advice.This Object operations, @Advice.Return Object message) {
    ReactorNettyTracing.requestMessage(operations, message);
  }
}
