package io.flowcost.agent.langchain4j.tool;

import io.flowcost.agent.caps.CapRefusal;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.implementation.bytecode.assign.Assigner;

/** Advice on the static {@code ToolService.executeWithErrorHandling(..)}. Inlined into the instrumented method; see {@code AgentInstaller}. */
public final class ToolServiceAdvice {

  private ToolServiceAdvice() {}

  @Advice.OnMethodEnter(suppress = Throwable.class, skipOn = CapRefusal.class)
  public static Object enter(@Advice.Argument(0) Object request) {
    return ToolTracing.enter(request);
  }

  @Advice.OnMethodExit(backupArguments = false, onThrowable = Throwable.class, suppress = Throwable.class)
  public static void exit(
      @Advice.Enter Object token,
      @Advice.Return(typing = Assigner.Typing.DYNAMIC) Object result,
      @Advice.Thrown(readOnly = false, typing = Assigner.Typing.DYNAMIC) Throwable thrown) {
    thrown = ToolTracing.exit(token, result, thrown);
  }
}
