package io.flowcost.agent.http.reactornetty;

import net.bytebuddy.asm.Advice;

/** Inlined into Reactor Netty; see {@link ReactorNettyInstrumentation}. */
public final class FailureAdvice {

  private FailureAdvice() {}

  @Advice.OnMethodEnter(suppress = Throwable.class)
  public static void enter(@Advice.This Object operations, @Advice.Argument(0) Throwable error) {
    ReactorNettyTracing.failed(operations, error);
  }
}
