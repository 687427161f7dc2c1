package io.flowcost.agent.outcomeapi;

import net.bytebuddy.asm.Advice;
import net.bytebuddy.implementation.bytecode.assign.Assigner;

/** Makes {@code AgentBridge.closeWorkflow(..)} end the workflow span. Inlined into the instrumented method; see {@code AgentInstaller}. */
public final class CloseWorkflowAdvice {

  private CloseWorkflowAdvice() {}

  @Advice.OnMethodExit(suppress = Throwable.class)
  public static void exit(@Advice.Argument(0) Object handle, @Advice.Argument(1) Throwable error) {
    ApiWorkflows.close(handle, error);
  }
}
