package io.flowcost.agent.http.apache4;

import io.flowcost.agent.caps.CapRefusal;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.implementation.bytecode.assign.Assigner;

/** Advice on HttpClient 4's {@code doExecute}; inlined, see {@link Apache4Instrumentation}. */
public final class DoExecuteAdvice {

  private DoExecuteAdvice() {}

  @Advice.OnMethodEnter(suppress = Throwable.class, skipOn = CapRefusal.class)
  public static Object enter(@Advice.Argument(0) Object target, @Advice.Argument(1) Object request) {
    return Apache4Tracing.enter(target, request);
  }

  @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
  public static void exit(
      @Advice.Enter Object exchange,
      @Advice.Return(typing = Assigner.Typing.DYNAMIC) Object response,
      @Advice.Thrown(readOnly = false, typing = Assigner.Typing.DYNAMIC) Throwable thrown) {
    thrown = Apache4Tracing.exit(exchange, response, thrown);
  }
}
