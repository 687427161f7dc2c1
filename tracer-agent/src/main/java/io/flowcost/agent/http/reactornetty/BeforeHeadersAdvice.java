package io.flowcost.agent.http.reactornetty;

import io.flowcost.agent.caps.CapRefusal;
import net.bytebuddy.asm.Advice;

/**
 * {@code HttpClientOperations.beforeMarkSentHeaders()}: a refused request throws its refusal here,
 * where Reactor Netty expects a failure (it runs the app's redirect callbacks): the head is not
 * marked sent, the body buffers are released, and the error fails the response. Inlined into
 * Reactor Netty; see {@link ReactorNettyInstrumentation}.
 */
public final class BeforeHeadersAdvice {

  private BeforeHeadersAdvice() {}

  @Advice.OnMethodEnter(suppress = Throwable.class, skipOn = CapRefusal.class)
  public static CapRefusal enter(@Advice.This Object operations) {
    return ReactorNettyTracing.refusal(operations);
  }

  @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
  public static void exit(
      @Advice.Enter CapRefusal refusal, @Advice.Thrown(readOnly = false) Throwable thrown) {
    thrown = CapRefusal.thrown(refusal, thrown);
  }
}
