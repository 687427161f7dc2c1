package io.flowcost.agent.springai;

import net.bytebuddy.asm.Advice;

/**
 * Advice on Spring AI's {@code DefaultChatClient.DefaultCallResponseSpec.doGetObservableChatClientResponse(ChatClientRequest)}, behind every {@code call()} result method. Inlined into the instrumented method; see {@code AgentInstaller}.
 */
public final class ClientCallAdvice {

  private ClientCallAdvice() {}

  @Advice.OnMethodEnter(suppress = Throwable.class)
  public static Object enter(@Advice.Argument(0) Object request) {
    return SpringAiTracing.clientCallEnter(request);
  }

  @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
  public static void exit(@Advice.Enter Object token, @Advice.Thrown Throwable thrown) {
    SpringAiTracing.clientCallExit(token, thrown);
  }
}
