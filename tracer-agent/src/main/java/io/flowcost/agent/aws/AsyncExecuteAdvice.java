package io.flowcost.agent.aws;

import io.flowcost.agent.caps.CapRefusal;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.implementation.bytecode.assign.Assigner;

/**
 * Advice on {@code AwsAsyncClientHandler.execute(ClientExecutionParams[,
 * AsyncResponseTransformer])}: the SDK method is over when the returned future completes.
 * Inlined; see {@code AgentInstaller}.
 */
public final class AsyncExecuteAdvice {

  private AsyncExecuteAdvice() {}

  @Advice.OnMethodEnter(suppress = Throwable.class, skipOn = CapRefusal.class)
  public static Object enter(@Advice.This Object handler, @Advice.Argument(0) Object params) {
    return BedrockTracing.enter(handler, params);
  }

  @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
  public static void exit(
      @Advice.Enter Object token,
      @Advice.Return(readOnly = false, typing = Assigner.Typing.DYNAMIC) Object future,
      @Advice.Thrown Throwable thrown) {
    future = BedrockTracing.asyncResult(token, future); // a refused call: a failed future
    BedrockTracing.exitAsync(token, future, thrown);
  }
}
