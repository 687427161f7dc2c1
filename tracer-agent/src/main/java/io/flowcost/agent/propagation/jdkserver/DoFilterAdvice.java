package io.flowcost.agent.propagation.jdkserver;

import net.bytebuddy.asm.Advice;

/** Advice on {@code com.sun.net.httpserver.Filter$Chain.doFilter(HttpExchange)}. Inlined; see {@code AgentInstaller}. */
public final class DoFilterAdvice {

  private DoFilterAdvice() {}

  @Advice.OnMethodEnter(suppress = Throwable.class)
  public static Object enter(@Advice.Argument(0) Object exchange) {
    return JdkServerTracing.enter(exchange);
  }

  @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
  public static void exit(
      @Advice.Enter Object token, @Advice.Argument(0) Object exchange, @Advice.Thrown Throwable thrown) {
    JdkServerTracing.exit(token, exchange, thrown);
  }
}
