package io.flowcost.agent.http.okhttp;

import net.bytebuddy.asm.Advice;

/**
 * Advice on OkHttp's {@code AsyncCall.run()} (4.x, 5.x) or {@code execute()} (3.x): the call runs
 * in its enqueuer's context. Inlined; see {@link OkHttpInstrumentation}.
 */
public final class AsyncCallRunAdvice {

  private AsyncCallRunAdvice() {}

  @Advice.OnMethodEnter(suppress = Throwable.class)
  public static Object enter(@Advice.This Object asyncCall) {
    return OkHttpAsyncCalls.runEnter(asyncCall);
  }

  @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
  public static void exit(@Advice.Enter Object scope) {
    OkHttpAsyncCalls.runExit(scope);
  }
}
