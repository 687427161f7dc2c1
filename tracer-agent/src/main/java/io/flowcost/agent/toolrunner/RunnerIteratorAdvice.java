package io.flowcost.agent.toolrunner;

import net.bytebuddy.asm.Advice;
import net.bytebuddy.implementation.bytecode.assign.Assigner;

/**
 * Advice on {@code BetaToolRunner.iterator()}: the returned iterator is wrapped so that the loop
 * it drives is one workflow. Inlined into the instrumented method; see {@code AgentInstaller}.
 */
public final class RunnerIteratorAdvice {

  private RunnerIteratorAdvice() {}

  @Advice.OnMethodExit(suppress = Throwable.class)
  public static void exit(
      @Advice.This Object runner,
      @Advice.Return(readOnly = false, typing = Assigner.Typing.DYNAMIC) Object iterator) {
    iterator = ToolRunnerTracing.messages(runner, iterator);
  }
}
