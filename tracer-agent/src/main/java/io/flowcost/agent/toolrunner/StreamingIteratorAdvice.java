package io.flowcost.agent.toolrunner;

import net.bytebuddy.asm.Advice;
import net.bytebuddy.implementation.bytecode.assign.Assigner;

/**
 * Advice on the {@code iterator()} of the iterable {@code BetaToolRunner.streaming()} returns: the
 * iterator of streams is wrapped like {@link RunnerIteratorAdvice}'s. Inlined into the
 * instrumented method; see {@code AgentInstaller}.
 */
public final class StreamingIteratorAdvice {

  private StreamingIteratorAdvice() {}

  @Advice.OnMethodExit(suppress = Throwable.class)
  public static void exit(
      @Advice.This Object iterable,
      @Advice.Return(readOnly = false, typing = Assigner.Typing.DYNAMIC) Object iterator) {
    iterator = ToolRunnerTracing.streams(iterable, iterator);
  }
}
