package io.flowcost.agent.genai;

import net.bytebuddy.asm.Advice;

/**
 * Advice on {@code com.google.genai.ResponseStream$ResponseStreamIterator.readCurrent()}, which
 * turns each chunk of a {@code generateContentStream} into a {@code GenerateContentResponse} as
 * the application iterates: a chunk's {@code functionCall} parts are tool calls asked ({@link
 * GoogleGenAiTracing#streamChunk}). Inlined into the instrumented method; see {@code
 * AgentInstaller}.
 */
public final class StreamChunkAdvice {

  private StreamChunkAdvice() {}

  @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
  public static void exit(@Advice.Return Object chunk) {
    GoogleGenAiTracing.streamChunk(chunk);
  }
}
