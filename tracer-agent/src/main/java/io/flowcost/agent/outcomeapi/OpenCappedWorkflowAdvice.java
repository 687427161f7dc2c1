package io.flowcost.agent.outcomeapi;

import net.bytebuddy.asm.Advice;
import net.bytebuddy.implementation.bytecode.assign.Assigner;

/** Makes {@code AgentBridge.openWorkflow(name, tags, key, caps)} open a workflow span with caps. Inlined into the instrumented method; see {@code AgentInstaller}. */
public final class OpenCappedWorkflowAdvice {

  private OpenCappedWorkflowAdvice() {}

  @Advice.OnMethodExit(suppress = Throwable.class)
  public static void exit(
      @Advice.Argument(0) String name,
      @Advice.Argument(1) String[] tags,
      @Advice.Argument(2) String externalKey,
      @Advice.Argument(3) String caps,
      @Advice.Return(readOnly = false, typing = Assigner.Typing.DYNAMIC) Object handle) {
    handle = ApiWorkflows.open(name, tags, externalKey, caps);
  }
}
