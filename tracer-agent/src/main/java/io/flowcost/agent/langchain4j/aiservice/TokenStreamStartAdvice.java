package io.flowcost.agent.langchain4j.aiservice;

import net.bytebuddy.asm.Advice;
import net.bytebuddy.implementation.bytecode.assign.Assigner;

/** Advice on {@code AiServiceTokenStream.start()}: the stream runs in its invocation's context and its completion ends the invocation. Inlined into the instrumented method; see {@code AgentInstaller}. */
public final class TokenStreamStartAdvice {

  private TokenStreamStartAdvice() {}

  @Advice.OnMethodEnter(suppress = Throwable.class)
  public static Object enter(
      @Advice.This Object stream,
      @Advice.FieldValue(
              value = "completeResponseHandler",
              readOnly = false,
              typing = Assigner.Typing.DYNAMIC)
          Object completion,
      @Advice.FieldValue(value = "errorHandler", readOnly = false, typing = Assigner.Typing.DYNAMIC)
          Object error) {
    Object token = AiServiceTracing.streamStarting(stream);
    if (token != null) {
      completion = AiServiceTracing.wrapCompletion(token, completion);
      error = AiServiceTracing.wrapError(token, error);
    }
    return token;
  }

  @Advice.OnMethodExit(backupArguments = false, onThrowable = Throwable.class, suppress = Throwable.class)
  public static void exit(@Advice.Enter Object token, @Advice.Thrown Throwable thrown) {
    AiServiceTracing.streamStarted(token, thrown);
  }
}
