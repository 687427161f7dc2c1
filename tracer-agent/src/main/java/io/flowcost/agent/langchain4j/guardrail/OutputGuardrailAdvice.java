package io.flowcost.agent.langchain4j.guardrail;

import net.bytebuddy.asm.Advice;
import net.bytebuddy.implementation.bytecode.assign.Assigner;

/**
 * Advice on {@code AbstractGuardrailExecutor.executeGuardrails(GuardrailRequest)}, which runs one
 * round of input or output guardrails. Inlined into the instrumented method; see {@code
 * AgentInstaller}.
 */
public final class OutputGuardrailAdvice {

  private OutputGuardrailAdvice() {}

  @Advice.OnMethodExit(backupArguments = false, suppress = Throwable.class)
  public static void exit(@Advice.Return(typing = Assigner.Typing.DYNAMIC) Object result) {
    GuardrailTracing.verdict(result);
  }
}
