package io.flowcost.agent.http.okhttp;

import net.bytebuddy.asm.Advice;

/**
 * Advice on the constructor of OkHttp's {@code AsyncCall} (created by {@code Call.enqueue} on the
 * enqueuing thread). Inlined; see {@link OkHttpInstrumentation}.
 */
public final class AsyncCallCreatedAdvice {

  private AsyncCallCreatedAdvice() {}

  @Advice.OnMethodExit(suppress = Throwable.class)
  public static void exit(@Advice.This Object asyncCall) {
    OkHttpAsyncCalls.created(asyncCall);
  }
}
