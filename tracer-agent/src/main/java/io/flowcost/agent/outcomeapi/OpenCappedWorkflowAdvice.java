package io.flowcost.agent.outcomeapi;

import net.bytebuddy.asm.Advice;
import net.bytebuddy.implementation.bytecode.assign.Assigner;

/** Makes {@code AgentBridge.openWorkflow(name, tags, key, caps)} open a workflow span with caps. Inlined into the instrumented method; see {@code AgentInstaller}. */
public final class OpenCappedWorkflowAdvice {

  private OpenCappedWorkflowAdvice() {}

  @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
  public static void exit(
      @Advice.Origin Class<?> bridge,
      @Advice.Argument(0) String name,
      @Advice.Argument(1) String[] tags,
      @Advice.Argument(2) String externalKey,
      @Advice.Argument(3) String caps,
      @Advice.Return(readOnly = false, typing = Assigner.Typing.DYNAMIC) Object handle,
      @Advice.Thrown(readOnly = false, typing = Assigner.Typing.DYNAMIC) Throwable thrown) {
    // a workflow refused by its owner's budget: the bridge throws the refusal into the app
    Object opened = ApiWorkflows.open(name, tags, externalKey, caps, bridge.getClassLoader());
    handle = ApiWorkflows.handle(opened);
    thrown = ApiWorkflows.thrown(opened, thrown);
  }
}
