package io.flowcost.agent.aws;

import net.bytebuddy.asm.Advice;
import net.bytebuddy.implementation.bytecode.assign.Assigner;

/**
 * Advice on {@code ClasspathInterceptorChainFactory.getInterceptors(String)}: when a Bedrock
 * Runtime client builder asks for its service's interceptors, the agent's is appended. Inlined;
 * see {@code AgentInstaller}.
 */
public final class InterceptorsAdvice {

  private InterceptorsAdvice() {}

  @Advice.OnMethodExit(suppress = Throwable.class)
  public static void exit(
      @Advice.This Object factory,
      @Advice.Argument(0) String resource,
      @Advice.Return(readOnly = false, typing = Assigner.Typing.DYNAMIC) Object interceptors) {
    interceptors = BedrockTracing.withInterceptor(factory, resource, interceptors);
  }
}
