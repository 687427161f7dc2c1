package io.flowcost.agent.springai;

import net.bytebuddy.asm.Advice;

/**
 * Advice on {@code call(Prompt)} of Spring AI {@code ChatModel} implementations. Inlined into the instrumented method; see {@code AgentInstaller}.
 */
public final class ModelCallAdvice {

  private ModelCallAdvice() {}

  @Advice.OnMethodEnter(suppress = Throwable.class)
  public static Object enter(@Advice.This Object model, @Advice.Argument(0) Object prompt) {
    return SpringAiTracing.modelCallEnter(model, prompt);
  }

  @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
  public static void exit(@Advice.Enter Object token, @Advice.Thrown Throwable thrown) {
    SpringAiTracing.modelCallExit(token, thrown);
  }
}
