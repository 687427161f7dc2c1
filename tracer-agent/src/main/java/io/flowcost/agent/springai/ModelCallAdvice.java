package io.flowcost.agent.springai;

import io.flowcost.agent.caps.CapRefusal;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.implementation.bytecode.assign.Assigner;

/**
 * Advice on {@code call(Prompt)} of Spring AI {@code ChatModel} implementations. Inlined into the instrumented method; see {@code AgentInstaller}.
 */
public final class ModelCallAdvice {

  private ModelCallAdvice() {}

  @Advice.OnMethodEnter(suppress = Throwable.class, skipOn = CapRefusal.class)
  public static Object enter(@Advice.This Object model, @Advice.Argument(0) Object prompt) {
    return SpringAiTracing.modelCallEnter(model, prompt);
  }

  @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
  public static void exit(
      @Advice.Enter Object token,
      @Advice.Thrown(readOnly = false, typing = Assigner.Typing.DYNAMIC) Throwable thrown) {
    thrown = SpringAiTracing.modelCallExit(token, thrown);
  }
}
