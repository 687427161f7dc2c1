package io.flowcost.agent.langchain4j.chat;

import io.flowcost.agent.caps.CapRefusal;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.implementation.bytecode.assign.Assigner;

/** Advice on {@code StreamingChatModel.chat(ChatRequest, ChatRequestOptions, StreamingChatResponseHandler)} (1.13+). Inlined into the instrumented method; see {@code AgentInstaller}. */
public final class StreamingChatOptionsAdvice {

  private StreamingChatOptionsAdvice() {}

  @Advice.OnMethodEnter(suppress = Throwable.class, skipOn = CapRefusal.class)
  public static Object enter(
      @Advice.This Object model,
      @Advice.Argument(0) Object request,
      @Advice.Argument(value = 2, readOnly = false, typing = Assigner.Typing.DYNAMIC) Object handler) {
    Object token = ChatTracing.enter(model, request, true);
    handler = ChatTracing.wrapHandler(token, handler);
    return token;
  }

  @Advice.OnMethodExit(backupArguments = false, onThrowable = Throwable.class, suppress = Throwable.class)
  public static void exit(
      @Advice.Enter Object token,
      @Advice.Thrown(readOnly = false, typing = Assigner.Typing.DYNAMIC) Throwable thrown) {
    thrown = ChatTracing.exit(token, null, thrown);
  }
}
