package io.flowcost.agent.outcomeapi;

import net.bytebuddy.asm.Advice;
import net.bytebuddy.implementation.bytecode.assign.Assigner;

/** Makes {@code AgentBridge.attached()} return {@code true}. Inlined into the instrumented method; see {@code AgentInstaller}. */
public final class AttachedAdvice {

  private AttachedAdvice() {}

  @Advice.OnMethodExit(suppress = Throwable.class)
  public static void exit(@Advice.Return(readOnly = false) boolean attached) {
    attached = true;
  }
}
