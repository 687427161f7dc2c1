package io.flowcost.agent.springai;

import net.bytebuddy.asm.Advice;

/**
 * Advice on Spring's retry loops: spring-retry {@code RetryTemplate.doExecute(RetryCallback, ..)}
 * (Spring AI 1.x) and Spring Framework 7's {@code core.retry.RetryTemplate.execute(Retryable)}
 * (Spring AI 2.x). Inlined into the instrumented method; see {@code AgentInstaller}.
 */
public final class RetryAdvice {

  private RetryAdvice() {}

  @Advice.OnMethodEnter(suppress = Throwable.class)
  public static Object enter(@Advice.Argument(0) Object callback) {
    return SpringAiTracing.retryEnter(callback);
  }

  @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
  public static void exit(@Advice.Enter Object token, @Advice.Thrown Throwable thrown) {
    SpringAiTracing.retryExit(token, thrown);
  }
}
