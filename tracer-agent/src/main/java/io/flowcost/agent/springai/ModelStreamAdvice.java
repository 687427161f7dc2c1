package io.flowcost.agent.springai;

import net.bytebuddy.asm.Advice;
import net.bytebuddy.implementation.bytecode.assign.Assigner;

/**
 * Advice on {@code stream(Prompt)} of Spring AI {@code ChatModel} implementations: the returned flux is wrapped. Inlined into the instrumented method; see {@code AgentInstaller}.
 */
public final class ModelStreamAdvice {

  private ModelStreamAdvice() {}

  @Advice.OnMethodExit(suppress = Throwable.class)
  public static void exit(
      @Advice.This Object model,
      @Advice.Argument(0) Object prompt,
      @Advice.Return(readOnly = false, typing = Assigner.Typing.DYNAMIC) Object flux) {
    flux = SpringAiTracing.modelStream(model, prompt, flux);
  }
}
