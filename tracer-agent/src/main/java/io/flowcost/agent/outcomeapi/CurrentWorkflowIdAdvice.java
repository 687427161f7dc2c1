package io.flowcost.agent.outcomeapi;

import net.bytebuddy.asm.Advice;
import net.bytebuddy.implementation.bytecode.assign.Assigner;

/** Makes {@code AgentBridge.currentWorkflowId()} return the open workflow's id. Inlined into the instrumented method; see {@code AgentInstaller}. */
public final class CurrentWorkflowIdAdvice {

  private CurrentWorkflowIdAdvice() {}

  @Advice.OnMethodExit(suppress = Throwable.class)
  public static void exit(
      @Advice.Return(readOnly = false, typing = Assigner.Typing.DYNAMIC) String id) {
    id = ApiWorkflows.currentWorkflowId();
  }
}
