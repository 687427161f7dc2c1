package io.flowcost.agent.http.okhttp;

import net.bytebuddy.asm.Advice;

/** Advice on {@code okhttp3.OkHttpClient$Builder.build()}. Inlined; see {@code AgentInstaller}. */
public final class OkHttpBuilderAdvice {

  private OkHttpBuilderAdvice() {}

  @Advice.OnMethodEnter(suppress = Throwable.class)
  public static void enter(@Advice.This Object builder) {
    OkHttpTracing.addInterceptor(builder);
  }
}
