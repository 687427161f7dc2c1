package io.flowcost.agent.http.reactornetty;

import net.bytebuddy.asm.Advice;

/**
 * Enter of {@code onOutboundComplete()}: before it writes a head the handler never wrote (a
 * request without a body), so that such a request is recorded, not refused, there. Inlined into
 * Reactor Netty; see {@link ReactorNettyInstrumentation}.
 */
public final class OutboundCompleteAdvice {

  private OutboundCompleteAdvice() {}

  @Advice.OnMethodEnter(suppress = Throwable.class)
  public static void enter(@Advice.This Object operations) {
    ReactorNettyTracing.outboundComplete(operations);
  }
}
