package io.flowcost.agent.toolrunner;

import io.flowcost.agent.caps.CapRefusal;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.implementation.bytecode.assign.Assigner;

/**
 * Advice on SDK 3.x's {@code BetaToolRunner.runTool(ToolUseSpan, BetaToolUseBlockParam, String,
 * Function0)}, which runs every tool (the memory tool too) and turns what it throws into an error
 * result. A tool the workflow's caps refuse is skipped and the refusal thrown out of {@code
 * runTool}, past that {@code catch} (it is inside the method), to the runner's loop. Inlined into the instrumented method; see {@code AgentInstaller}.
 */
public final class RunToolAdvice {

  private RunToolAdvice() {}

  @Advice.OnMethodEnter(suppress = Throwable.class, skipOn = CapRefusal.class)
  public static Object enter(@Advice.This Object runner, @Advice.Argument(1) Object toolUse) {
    return ToolRunnerTracing.toolEnter(ToolRunnerTracing.toolUseName(toolUse), runner);
  }

  @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
  public static void exit(
      @Advice.Enter Object token,
      @Advice.Thrown(readOnly = false, typing = Assigner.Typing.DYNAMIC) Throwable thrown,
      @Advice.Return(typing = Assigner.Typing.DYNAMIC) Object result) {
    thrown = ToolRunnerTracing.toolExit(token, thrown, result);
  }
}
