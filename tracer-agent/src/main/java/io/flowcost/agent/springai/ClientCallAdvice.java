package io.flowcost.agent.springai;

import io.flowcost.agent.caps.CapRefusal;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.implementation.bytecode.assign.Assigner;

/**
 * Advice on Spring AI's {@code DefaultChatClient.DefaultCallResponseSpec.doGetObservableChatClientResponse(ChatClientRequest)}, behind every {@code call()} result method. Inlined into the instrumented method; see {@code AgentInstaller}.
 */
public final class ClientCallAdvice {

  private ClientCallAdvice() {}

  @Advice.OnMethodEnter(suppress = Throwable.class, skipOn = CapRefusal.class)
  public static Object enter(@Advice.Argument(0) Object request) {
    return SpringAiTracing.clientCallEnter(request);
  }

  @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
  public static void exit(
      @Advice.Enter Object token,
      @Advice.Thrown(readOnly = false, typing = Assigner.Typing.DYNAMIC) Throwable thrown) {
    thrown = SpringAiTracing.clientCallExit(token, thrown);
  }
}
