package io.flowcost.agent.openai;

import net.bytebuddy.asm.Advice;

/**
 * Advice on the SDK's private {@code RetryingHttpClient.executeAsync$executeWithRetries(boolean,
 * RetryingHttpClient, IntRef, HttpRequest, RequestOptions)}, entered once per attempt: a retry runs
 * on the SDK's timer thread, where no context is current, so the call is found again by the retry
 * counter object the attempts share. Inlined; see {@code AgentInstaller}.
 */
public final class AsyncRetryAdvice {

  private AsyncRetryAdvice() {}

  @Advice.OnMethodEnter(suppress = Throwable.class)
  public static Object enter(@Advice.Argument(2) Object retryCounter) {
    return OpenAiSdkTracing.enterAttempt(retryCounter);
  }

  @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
  public static void exit(@Advice.Enter Object scope) {
    OpenAiSdkTracing.exitAttempt(scope);
  }
}
