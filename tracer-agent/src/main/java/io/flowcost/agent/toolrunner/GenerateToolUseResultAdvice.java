package io.flowcost.agent.toolrunner;

import io.flowcost.agent.caps.CapRefusal;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.implementation.bytecode.assign.Assigner;

/**
 * Advice on SDK 2.x's {@code BetaToolRunner.generateToolUseResult(BetaToolUseBlockParam, Map)},
 * which looks a tool up and runs it: the workflow's caps are checked here, because the {@code
 * RunnableTool.run} call inside it is wrapped in a {@code catch (Exception)} that would send the
 * refusal to the model as an error result instead of stopping the loop. A refused tool is skipped
 * and the refusal thrown to the runner's loop. Inlined into the instrumented method; see {@code
 * AgentInstaller}.
 */
public final class GenerateToolUseResultAdvice {

  private GenerateToolUseResultAdvice() {}

  @Advice.OnMethodEnter(suppress = Throwable.class, skipOn = CapRefusal.class)
  public static Object enter(@Advice.This Object runner) {
    return ToolRunnerTracing.capCheck(runner);
  }

  @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
  public static void exit(
      @Advice.Enter Object token,
      @Advice.Thrown(readOnly = false, typing = Assigner.Typing.DYNAMIC) Throwable thrown) {
    thrown = CapRefusal.thrown(token, thrown);
  }
}
