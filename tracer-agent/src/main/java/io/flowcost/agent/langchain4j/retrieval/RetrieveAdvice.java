package io.flowcost.agent.langchain4j.retrieval;

import net.bytebuddy.asm.Advice;
import net.bytebuddy.implementation.bytecode.assign.Assigner;

/**
 * Advice on {@code ContentRetriever.retrieve(Query)} and {@code
 * EmbeddingStore.search(EmbeddingSearchRequest)} implementations. Inlined into the instrumented
 * method; see {@code AgentInstaller}.
 */
public final class RetrieveAdvice {

  private RetrieveAdvice() {}

  @Advice.OnMethodEnter(suppress = Throwable.class)
  public static Object enter(@Advice.This Object source) {
    return RetrievalTracing.enter(source);
  }

  @Advice.OnMethodExit(backupArguments = false, onThrowable = Throwable.class, suppress = Throwable.class)
  public static void exit(
      @Advice.Enter Object token,
      @Advice.Return(typing = Assigner.Typing.DYNAMIC) Object result,
      @Advice.Thrown Throwable thrown) {
    RetrievalTracing.exit(token, result, thrown);
  }
}
