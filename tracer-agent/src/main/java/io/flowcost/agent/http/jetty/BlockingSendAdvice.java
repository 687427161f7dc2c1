package io.flowcost.agent.http.jetty;

import net.bytebuddy.asm.Advice;
import net.bytebuddy.implementation.bytecode.assign.Assigner;

/**
 * Exit of the blocking {@code HttpRequest.send()}: a refused request throws the refusal rather
 * than Jetty's {@code ExecutionException} around it. Inlined, see {@link JettyInstrumentation}.
 */
public final class BlockingSendAdvice {

  private BlockingSendAdvice() {}

  @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
  public static void exit(
      @Advice.This Object request,
      @Advice.Thrown(readOnly = false, typing = Assigner.Typing.DYNAMIC) Throwable thrown) {
    thrown = JettyTracing.blockingSendThrown(request, thrown);
  }
}
