package io.flowcost.agent.outcomeapi;

import net.bytebuddy.asm.Advice;
import net.bytebuddy.implementation.bytecode.assign.Assigner;

/** Makes {@code AgentBridge.workflowId(handle)} return the handle's workflow id. Inlined into the instrumented method; see {@code AgentInstaller}. */
public final class WorkflowIdAdvice {

  private WorkflowIdAdvice() {}

  @Advice.OnMethodExit(suppress = Throwable.class)
  public static void exit(
      @Advice.Argument(0) Object handle,
      @Advice.Return(readOnly = false, typing = Assigner.Typing.DYNAMIC) String id) {
    id = ApiWorkflows.workflowId(handle);
  }
}
