package io.flowcost.agent.methods;

import net.bytebuddy.asm.Advice;

/** Advice on each method of {@code flowcost.workflow.methods}. Inlined; see {@code AgentInstaller}. */
public final class MethodAdvice {

  private MethodAdvice() {}

  @Advice.OnMethodEnter(suppress = Throwable.class)
  public static Object enter(@Advice.Origin Class<?> type, @Advice.Origin("#m") String method) {
    return MethodBoundaries.enter(type, method);
  }

  @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
  public static void exit(@Advice.Enter Object token, @Advice.Thrown Throwable thrown) {
    MethodBoundaries.exit(token, thrown);
  }
}
