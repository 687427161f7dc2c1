package io.flowcost.agent.langchain4j.http;

import net.bytebuddy.asm.Advice;
import net.bytebuddy.implementation.bytecode.assign.Assigner;

/** Advice on {@code HttpClient.execute(HttpRequest, ServerSentEventParser, ServerSentEventListener)}. Inlined into the instrumented method; see {@code AgentInstaller}. */
public final class HttpSseAdvice {

  private HttpSseAdvice() {}

  @Advice.OnMethodEnter(suppress = Throwable.class)
  public static Object enter(
      @Advice.Argument(0) Object request,
      @Advice.Argument(value = 2, readOnly = false, typing = Assigner.Typing.DYNAMIC) Object listener) {
    Object token = HttpTracing.enter(request);
    listener = HttpTracing.wrapListener(token, listener);
    return token;
  }

  @Advice.OnMethodExit(backupArguments = false, onThrowable = Throwable.class, suppress = Throwable.class)
  public static void exit(@Advice.Enter Object token, @Advice.Thrown Throwable thrown) {
    HttpTracing.exitStreaming(token, thrown);
  }
}
