package io.flowcost.agent.genai;

import net.bytebuddy.asm.Advice;

/**
 * Advice on {@code com.google.genai.RetryInterceptor.intercept(Interceptor.Chain)}, the SDK's
 * retry loop (an OkHttp application interceptor every {@code ApiClient} installs). Inlined into the
 * instrumented method; see {@code AgentInstaller}.
 */
public final class RetryInterceptorAdvice {

  private RetryInterceptorAdvice() {}

  @Advice.OnMethodEnter(suppress = Throwable.class)
  public static Object enter() {
    return GoogleGenAiTracing.retryEnter();
  }

  @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
  public static void exit(@Advice.Enter Object token, @Advice.Thrown Throwable thrown) {
    GoogleGenAiTracing.retryExit(token, thrown);
  }
}
