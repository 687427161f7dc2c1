package io.flowcost.agent.http.jdk;

import net.bytebuddy.asm.Advice;
import net.bytebuddy.implementation.bytecode.assign.Assigner;

/**
 * Advice on {@code ImmutableHttpRequest.headers()} (the JDK's class of every request its builder
 * builds): while {@link JdkSendAdvice} sends a request that needs {@code traceparent} or baggage,
 * the JDK's own copy of the request's headers (made as {@code sendAsync} starts) receives them
 * from here, so the request itself is never copied. Every other call returns the headers as they
 * are. Inlined into the instrumented method; see {@code AgentInstaller}.
 */
public final class JdkHeadersAdvice {

  private JdkHeadersAdvice() {}

  @Advice.OnMethodExit(suppress = Throwable.class)
  public static void exit(
      @Advice.This Object request,
      @Advice.Return(readOnly = false, typing = Assigner.Typing.DYNAMIC) Object headers) {
    headers = JdkHttpTracing.headers(request, headers);
  }
}
