package io.flowcost.agent.concurrent;

import net.bytebuddy.asm.Advice;
import net.bytebuddy.implementation.bytecode.assign.Assigner;

/** Wraps the {@code Callable} handed to an executor when a workflow is open. Inlined into the instrumented method; see {@code AgentInstaller}. */
public final class CallableArgumentAdvice {

  private CallableArgumentAdvice() {}

  @Advice.OnMethodEnter(suppress = Throwable.class)
  public static void enter(
      @Advice.Argument(value = 0, readOnly = false) java.util.concurrent.Callable<?> task) {
    task = ContextTasks.wrap(task);
  }
}
