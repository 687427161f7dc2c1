package io.flowcost.agent.http.reactornetty;

import net.bytebuddy.asm.Advice;

/**
 * Inlined into Reactor Netty; see {@link ReactorNettyInstrumentation}. The request's caller context
 * is current while {@code onInboundNext} hands the response to the application (on the I/O thread).
 */
public final class InboundNextAdvice {

  private InboundNextAdvice() {}

  @Advice.OnMethodEnter(suppress = Throwable.class)
  public static Object enter(@Advice.This Object operations, @Advice.Argument(1) Object message) {
    return ReactorNettyTracing.inboundEnter(operations, message);
  }

  @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
  public static void exit(@Advice.Enter Object scope) {
    ReactorNettyTracing.inboundExit(scope);
  }
}
