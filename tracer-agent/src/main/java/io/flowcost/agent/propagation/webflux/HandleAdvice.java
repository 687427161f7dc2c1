package io.flowcost.agent.propagation.webflux;

import net.bytebuddy.asm.Advice;

/** Advice on {@code org.springframework.web.reactive.DispatcherHandler.handle(ServerWebExchange)}. Inlined; see {@code AgentInstaller}. */
public final class HandleAdvice {

  private HandleAdvice() {}

  @Advice.OnMethodExit(suppress = Throwable.class)
  public static void exit(@Advice.Argument(0) Object exchange,
      @Advice.Return(readOnly = false, typing = net.bytebuddy.implementation.bytecode.assign.Assigner.Typing.DYNAMIC) Object mono) {
    mono = WebFluxTracing.wrap(exchange, mono);
  }
}
