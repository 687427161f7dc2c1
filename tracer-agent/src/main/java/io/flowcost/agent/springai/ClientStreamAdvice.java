package io.flowcost.agent.springai;

import net.bytebuddy.asm.Advice;
import net.bytebuddy.implementation.bytecode.assign.Assigner;

/**
 * Advice on Spring AI's {@code DefaultChatClient.DefaultStreamResponseSpec.doGetObservableFluxChatResponse(ChatClientRequest)}, behind every {@code stream()} result method: the returned flux is wrapped. Inlined into the instrumented method; see {@code AgentInstaller}.
 */
public final class ClientStreamAdvice {

  private ClientStreamAdvice() {}

  @Advice.OnMethodExit(suppress = Throwable.class)
  public static void exit(
      @Advice.Argument(0) Object request,
      @Advice.Return(readOnly = false, typing = Assigner.Typing.DYNAMIC) Object flux) {
    flux = SpringAiTracing.clientStream(request, flux);
  }
}
