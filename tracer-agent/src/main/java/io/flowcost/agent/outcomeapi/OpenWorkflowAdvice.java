package io.flowcost.agent.outcomeapi;

import net.bytebuddy.asm.Advice;
import net.bytebuddy.implementation.bytecode.assign.Assigner;

/** Makes {@code AgentBridge.openWorkflow(..)} open a workflow span. Inlined into the instrumented method; see {@code AgentInstaller}. */
public final class OpenWorkflowAdvice {

  private OpenWorkflowAdvice() {}

  @Advice.OnMethodExit(suppress = Throwable.class)
  public static void exit(
      @Advice.Argument(0) String name,
      @Advice.Argument(1) String[] tags,
      @Advice.Argument(2) String externalKey,
      @Advice.Return(readOnly = false, typing = Assigner.Typing.DYNAMIC) Object handle) {
    handle = ApiWorkflows.open(name, tags, externalKey);
  }
}
