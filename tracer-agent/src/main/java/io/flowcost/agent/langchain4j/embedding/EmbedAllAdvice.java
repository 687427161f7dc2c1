package io.flowcost.agent.langchain4j.embedding;

import io.flowcost.agent.caps.CapRefusal;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.implementation.bytecode.assign.Assigner;

/** Advice on {@code EmbeddingModel.embedAll(List)}. Inlined into the instrumented method; see {@code AgentInstaller}. */
public final class EmbedAllAdvice {

  private EmbedAllAdvice() {}

  @Advice.OnMethodEnter(suppress = Throwable.class, skipOn = CapRefusal.class)
  public static Object enter(@Advice.This Object model) {
    return EmbeddingTracing.enter(model);
  }

  @Advice.OnMethodExit(backupArguments = false, onThrowable = Throwable.class, suppress = Throwable.class)
  public static void exit(
      @Advice.Enter Object token,
      @Advice.Return(typing = Assigner.Typing.DYNAMIC) Object response,
      @Advice.Thrown(readOnly = false, typing = Assigner.Typing.DYNAMIC) Throwable thrown) {
    thrown = EmbeddingTracing.exit(token, response, thrown);
  }
}
