package io.flowcost.agent.http.jetty;

import net.bytebuddy.asm.Advice;

/** Enter of {@code HttpRequest.send(CompleteListener)}; inlined, see {@link JettyInstrumentation}. */
public final class SendAdvice {

  private SendAdvice() {}

  @Advice.OnMethodEnter(suppress = Throwable.class)
  public static void enter(@Advice.This Object request) {
    JettyTracing.send(request);
  }
}
