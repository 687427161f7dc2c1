package io.flowcost.agent.http.jdk;

import net.bytebuddy.asm.Advice;
import net.bytebuddy.implementation.bytecode.assign.Assigner;

/**
 * Advice on {@code java.net.http.HttpHeaders.of(Map, BiPredicate)}: while {@link JdkSendAdvice}
 * sends a request (of the JDK's own request class) that needs {@code traceparent} or baggage, the
 * JDK's own copy of the request's headers, made as {@code sendAsync} starts ({@code
 * HttpHeaders.of(request.headers().map(), filter)} in {@code HttpRequestImpl}), is made from a view
 * of that map with them added, so neither the request nor its headers are copied by the agent.
 * Every other call gets its map as it is. Inlined into the instrumented method; see {@code
 * AgentInstaller}.
 */
public final class JdkHeadersAdvice {

  private JdkHeadersAdvice() {}

  @Advice.OnMethodEnter(suppress = Throwable.class)
  public static void enter(
      @Advice.Argument(value = 0, readOnly = false, typing = Assigner.Typing.DYNAMIC) Object map) {
    map = JdkHttpTracing.map(map);
  }
}
