package io.flowcost.agent.http.reactornetty;

import net.bytebuddy.asm.Advice;

/**
 * Enter of {@code HttpOperations.markSentHeaders(Object...)} and {@code
 * markSentHeaderAndBody(Object...)}: the request's head is about to be written. Inlined into
 * Reactor Netty; see {@link ReactorNettyInstrumentation}.
 */
public final class MarkSentAdvice {

  private MarkSentAdvice() {}

  @Advice.OnMethodEnter(suppress = Throwable.class)
  public static void enter(@Advice.This Object operations, @Advice.Argument(0) Object[] toRelease) {
    ReactorNettyTracing.beforeHead(operations, toRelease);
  }
}
