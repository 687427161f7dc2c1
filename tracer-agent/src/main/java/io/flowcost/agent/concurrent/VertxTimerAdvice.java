package io.flowcost.agent.concurrent;

import net.bytebuddy.asm.Advice;
import net.bytebuddy.implementation.bytecode.assign.Assigner;

/**
 * Advice on Vert.x 5's {@code VertxImpl.scheduleTimeout(ContextInternal, boolean, long, long,
 * TimeUnit, boolean, Handler)}, behind every timer: the handler runs in the scheduling context.
 */
public final class VertxTimerAdvice {

  private VertxTimerAdvice() {}

  @Advice.OnMethodEnter(suppress = Throwable.class)
  public static void enter(
      @Advice.Argument(value = 6, readOnly = false, typing = Assigner.Typing.DYNAMIC) Object handler) {
    handler = VertxTimers.wrap(handler);
  }
}
