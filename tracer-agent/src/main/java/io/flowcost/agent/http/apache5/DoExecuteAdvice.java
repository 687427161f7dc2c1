package io.flowcost.agent.http.apache5;

import io.flowcost.agent.caps.CapRefusal;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.implementation.bytecode.assign.Assigner;

/** Advice on {@code InternalHttpClient/MinimalHttpClient.doExecute}. Inlined; see {@code AgentInstaller}. */
public final class DoExecuteAdvice {

  private DoExecuteAdvice() {}

  @Advice.OnMethodEnter(suppress = Throwable.class, skipOn = CapRefusal.class)
  public static Object enter(@Advice.Argument(0) Object target, @Advice.Argument(1) Object request) {
    return ApacheTracing.enter(target, request);
  }

  @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
  public static void exit(
      @Advice.Enter Object exchange,
      @Advice.Return(typing = Assigner.Typing.DYNAMIC) Object response,
      @Advice.Thrown(readOnly = false, typing = Assigner.Typing.DYNAMIC) Throwable thrown) {
    thrown = ApacheTracing.exit(exchange, response, thrown);
  }
}
