package io.flowcost.agent.toolrunner;

import net.bytebuddy.asm.Advice;

/**
 * Advice on SDK 2.x's {@code RunnableTool.run(JsonField)}. Inlined into the instrumented method; see {@code AgentInstaller}.
 */
public final class RunnableToolAdvice {

  private RunnableToolAdvice() {}

  @Advice.OnMethodEnter(suppress = Throwable.class)
  public static Object enter(@Advice.This Object tool) {
    return ToolRunnerTracing.toolEnter(ToolRunnerTracing.runnableName(tool));
  }

  @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
  public static void exit(@Advice.Enter Object token, @Advice.Thrown Throwable thrown) {
    ToolRunnerTracing.toolExit(token, thrown, null);
  }
}
