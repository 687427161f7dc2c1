package io.flowcost.agent.langchain4j.aiservice;

import io.flowcost.agent.caps.CapRefusal;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.implementation.bytecode.assign.Assigner;

/** Advice on the AI-service proxy handler {@code DefaultAiServices$N.invoke(Object, Method, Object[])}. Inlined into the instrumented method; see {@code AgentInstaller}. */
public final class AiServiceInvokeAdvice {

  private AiServiceInvokeAdvice() {}

  @Advice.OnMethodEnter(suppress = Throwable.class, skipOn = CapRefusal.class)
  public static Object enter(
      @Advice.Argument(1) java.lang.reflect.Method method, @Advice.Argument(2) Object[] args) {
    return AiServiceTracing.enter(method, args);
  }

  @Advice.OnMethodExit(backupArguments = false, onThrowable = Throwable.class, suppress = Throwable.class)
  public static void exit(
      @Advice.Enter Object token,
      @Advice.Return(typing = Assigner.Typing.DYNAMIC) Object returned,
      @Advice.Thrown(readOnly = false, typing = Assigner.Typing.DYNAMIC) Throwable thrown) {
    thrown = AiServiceTracing.exit(token, returned, thrown);
  }
}
