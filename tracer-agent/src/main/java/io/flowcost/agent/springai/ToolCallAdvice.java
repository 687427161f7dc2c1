package io.flowcost.agent.springai;

import io.flowcost.agent.caps.CapRefusal;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.implementation.bytecode.assign.Assigner;

/**
 * Advice on {@code call(String[, ToolContext])} of Spring AI {@code ToolCallback}
 * implementations. Inlined into the instrumented method; see {@code AgentInstaller}.
 */
public final class ToolCallAdvice {

  private ToolCallAdvice() {}

  @Advice.OnMethodEnter(suppress = Throwable.class, skipOn = CapRefusal.class)
  public static Object enter(@Advice.This Object callback) {
    return SpringAiTracing.toolEnter(callback);
  }

  @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
  public static void exit(
      @Advice.Enter Object token,
      @Advice.Thrown(readOnly = false, typing = Assigner.Typing.DYNAMIC) Throwable thrown) {
    thrown = SpringAiTracing.toolExit(token, thrown);
  }
}
