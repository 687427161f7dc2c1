package io.flowcost.agent.langchain4j.tool;

import net.bytebuddy.asm.Advice;
import net.bytebuddy.implementation.bytecode.assign.Assigner;

/** Advice on {@code ToolExecutor} implementations: captures the exception class a tool threw. Inlined into the instrumented method; see {@code AgentInstaller}. */
public final class ToolExecutorAdvice {

  private ToolExecutorAdvice() {}

  @Advice.OnMethodExit(backupArguments = false, onThrowable = Throwable.class, suppress = Throwable.class)
  public static void exit(@Advice.Thrown Throwable thrown) {
    if (thrown != null) {
      ToolTracing.executorThrew(thrown);
    }
  }
}
