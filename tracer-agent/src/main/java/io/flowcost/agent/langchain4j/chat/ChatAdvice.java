package io.flowcost.agent.langchain4j.chat;

import io.flowcost.agent.caps.CapRefusal;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.implementation.bytecode.assign.Assigner;

/** Advice on {@code ChatModel.chat(ChatRequest[, ChatRequestOptions])}. Inlined into the instrumented method; see {@code AgentInstaller}. */
public final class ChatAdvice {

  private ChatAdvice() {}

  @Advice.OnMethodEnter(suppress = Throwable.class, skipOn = CapRefusal.class)
  public static Object enter(@Advice.This Object model, @Advice.Argument(0) Object request) {
    return ChatTracing.enter(model, request, false);
  }

  @Advice.OnMethodExit(backupArguments = false, onThrowable = Throwable.class, suppress = Throwable.class)
  public static void exit(
      @Advice.Enter Object token,
      @Advice.Return(typing = Assigner.Typing.DYNAMIC) Object response,
      @Advice.Thrown(readOnly = false, typing = Assigner.Typing.DYNAMIC) Throwable thrown) {
    thrown = ChatTracing.exit(token, response, thrown);
  }
}
