package io.flowcost.agent.toolrunner;

import net.bytebuddy.asm.Advice;
import net.bytebuddy.implementation.bytecode.assign.Assigner;

/**
 * Advice on SDK 3.x's {@code BetaToolRunner.runTool(ToolUseSpan, BetaToolUseBlockParam, String,
 * Function0)}, which runs every tool (the memory tool too) and turns what it throws into an error
 * result. Inlined into the instrumented method; see {@code AgentInstaller}.
 */
public final class RunToolAdvice {

  private RunToolAdvice() {}

  @Advice.OnMethodEnter(suppress = Throwable.class)
  public static Object enter(@Advice.Argument(1) Object toolUse) {
    return ToolRunnerTracing.toolEnter(ToolRunnerTracing.toolUseName(toolUse));
  }

  @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
  public static void exit(
      @Advice.Enter Object token,
      @Advice.Thrown Throwable thrown,
      @Advice.Return(typing = Assigner.Typing.DYNAMIC) Object result) {
    ToolRunnerTracing.toolExit(token, thrown, result);
  }
}
