package io.flowcost.agent.langchain4j.http;

import net.bytebuddy.asm.Advice;
import net.bytebuddy.implementation.bytecode.assign.Assigner;

/** Advice on {@code HttpClient.execute(HttpRequest)}. Inlined into the instrumented method; see {@code AgentInstaller}. */
public final class HttpExecuteAdvice {

  private HttpExecuteAdvice() {}

  @Advice.OnMethodEnter(suppress = Throwable.class)
  public static Object enter(@Advice.Argument(0) Object request) {
    return HttpTracing.enter(request);
  }

  @Advice.OnMethodExit(backupArguments = false, onThrowable = Throwable.class, suppress = Throwable.class)
  public static void exit(
      @Advice.Enter Object token,
      @Advice.Return(typing = Assigner.Typing.DYNAMIC) Object response,
      @Advice.Thrown Throwable thrown) {
    HttpTracing.exitSync(token, response, thrown);
  }
}
