package io.flowcost.agent.openai;

import net.bytebuddy.asm.Advice;

/**
 * Advice on {@code RetryingHttpClient.execute(HttpRequest, RequestOptions)} of the OpenAI and
 * Anthropic SDKs.
 * Inlined into the instrumented method; see {@code AgentInstaller}.
 */
public final class RetryingExecuteAdvice {

  private RetryingExecuteAdvice() {}

  @Advice.OnMethodEnter(suppress = Throwable.class)
  public static Object enter(@Advice.Argument(0) Object request) {
    return OpenAiSdkTracing.enter(request);
  }

  @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
  public static void exit(@Advice.Enter Object token, @Advice.Thrown Throwable thrown) {
    OpenAiSdkTracing.exit(token, thrown);
  }
}
