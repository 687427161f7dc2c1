package io.flowcost.agent.http.jdk;

import io.flowcost.agent.caps.CapRefusal;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.implementation.bytecode.assign.Assigner;

/**
 * Advice on {@code HttpClientImpl.sendAsync(HttpRequest, BodyHandler, PushPromiseHandler,
 * Executor)}, which {@code send} and both public {@code sendAsync} overloads call. Inlined into the
 * instrumented method; see {@code AgentInstaller}.
 */
public final class JdkSendAdvice {

  private JdkSendAdvice() {}

  @Advice.OnMethodEnter(suppress = Throwable.class, skipOn = CapRefusal.class)
  public static Object enter(
      @Advice.Argument(value = 0, readOnly = false, typing = Assigner.Typing.DYNAMIC) Object request,
      @Advice.Argument(value = 1, readOnly = false, typing = Assigner.Typing.DYNAMIC) Object handler) {
    Object exchange = JdkHttpTracing.start(request);
    // no branch here for a refusal (the method is skipped): request and handler pass a refusal's
    // arguments through, and every byte inlined here counts against sendAsync's inlining limit
    request = JdkHttpTracing.request(exchange, request);
    handler = JdkHttpTracing.handler(exchange, handler);
    return exchange;
  }

  @Advice.OnMethodExit(backupArguments = false, onThrowable = Throwable.class, suppress = Throwable.class)
  public static void exit(
      @Advice.Enter Object exchange,
      @Advice.Return(typing = Assigner.Typing.DYNAMIC) Object future,
      @Advice.Thrown(readOnly = false, typing = Assigner.Typing.DYNAMIC) Throwable thrown) {
    thrown = JdkHttpTracing.end(exchange, future, thrown);
  }
}
