package io.flowcost.agent.genai;

import net.bytebuddy.asm.Advice;

/**
 * Advice on {@code com.google.genai.Models.privateGenerateContent(String, List, config)} and its
 * {@code AsyncModels} twin: the one method every non-streamed {@code generateContent} (and the
 * SDK's automatic function calling) goes through, where a function-calling loop's tool runs are
 * inferred ({@link GoogleGenAiTracing#toolLoopEnter}). Inlined into the instrumented method; see
 * {@code AgentInstaller}.
 */
public final class GenerateContentAdvice {

  private GenerateContentAdvice() {}

  @Advice.OnMethodEnter(suppress = Throwable.class)
  public static void enter(@Advice.Argument(1) Object contents) {
    GoogleGenAiTracing.toolLoopEnter(contents);
  }

  @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
  public static void exit(@Advice.Return Object response) {
    GoogleGenAiTracing.toolLoopExit(response);
  }
}
