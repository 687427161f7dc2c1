package io.flowcost.agent.http.jdk;

import net.bytebuddy.asm.Advice;
import net.bytebuddy.implementation.bytecode.assign.Assigner;

/**
 * Advice on {@code java.net.http.HttpHeaders.map()}: while {@link JdkSendAdvice} sends a request
 * (of the JDK's own request class) that needs {@code traceparent} or baggage, the JDK's own copy
 * of the request's headers, made as {@code sendAsync} starts from {@code request.headers().map()},
 * reads them from here, so neither the request nor its headers are copied by the agent. Every
 * other call returns the map as it is. Inlined into the instrumented method; see {@code
 * AgentInstaller}.
 */
public final class JdkHeadersAdvice {

  private JdkHeadersAdvice() {}

  @Advice.OnMethodExit(suppress = Throwable.class)
  public static void exit(
      @Advice.This Object headers,
      @Advice.Return(readOnly = false, typing = Assigner.Typing.DYNAMIC) Object map) {
    map = JdkHttpTracing.map(headers, map);
  }
}
