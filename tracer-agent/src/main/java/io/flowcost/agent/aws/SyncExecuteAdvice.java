package io.flowcost.agent.aws;

import io.flowcost.agent.caps.CapRefusal;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.implementation.bytecode.assign.Assigner;

/**
 * Advice on {@code AwsSyncClientHandler.execute(ClientExecutionParams[, ResponseTransformer])}.
 * Inlined; see {@code AgentInstaller}.
 */
public final class SyncExecuteAdvice {

  private SyncExecuteAdvice() {}

  @Advice.OnMethodEnter(suppress = Throwable.class, skipOn = CapRefusal.class)
  public static Object enter(@Advice.This Object handler, @Advice.Argument(0) Object params) {
    return BedrockTracing.enter(handler, params);
  }

  @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
  public static void exit(
      @Advice.Enter Object token,
      @Advice.Thrown(readOnly = false, typing = Assigner.Typing.DYNAMIC) Throwable thrown) {
    thrown = BedrockTracing.exit(token, thrown);
  }
}
