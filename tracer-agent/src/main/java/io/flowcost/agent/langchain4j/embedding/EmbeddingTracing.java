package io.flowcost.agent.langchain4j.embedding;

import io.flowcost.contract.CallKind;
import io.flowcost.contract.GenAiOperation;
import io.flowcost.agent.AgentLog;
import io.flowcost.agent.BrokenInstrumentation;
import io.flowcost.agent.calls.CallDepth;
import io.flowcost.agent.calls.LogicalCall;
import io.flowcost.agent.langchain4j.ClientUsage;
import io.flowcost.agent.langchain4j.ProviderNames;
import io.flowcost.agent.langchain4j.Reflect;
import io.opentelemetry.context.Scope;

/** Logical embedding calls: {@code EmbeddingModel.embedAll(List)}. */
public final class EmbeddingTracing {

  private static final CallDepth DEPTH = new CallDepth();
  private static final Object NESTED = new Object();

  private EmbeddingTracing() {}

  /** Entry; returns a token for {@link #exit}. Never throws. */
  public static Object enter(Object model) {
    if (DEPTH.increment() > 1) {
      return NESTED;
    }
    try {
      BrokenInstrumentation.check("embedding");
      LogicalCall call =
          LogicalCall.start(
              CallKind.EMBEDDING.wire(),
              GenAiOperation.EMBEDDINGS.wire(),
              ProviderNames.of(model),
              Reflect.callString(model, "modelName"),
              false);
      return new Token(call, call.context().makeCurrent());
    } catch (Throwable t) {
      AgentLog.failure("embedding enter", t);
      return NESTED;
    }
  }

  /** Exit with the {@code Response<List<Embedding>>} or the error. */
  public static void exit(Object token, Object response, Throwable thrown) {
    DEPTH.decrement();
    if (!(token instanceof Token)) {
      return;
    }
    Token t = (Token) token;
    try {
      t.scope.close();
      t.call.end(null, null, ClientUsage.from(Reflect.call(response, "tokenUsage")), thrown);
    } catch (Throwable e) {
      AgentLog.failure("embedding exit", e);
    }
  }

  private static final class Token {
    final LogicalCall call;
    final Scope scope;

    Token(LogicalCall call, Scope scope) {
      this.call = call;
      this.scope = scope;
    }
  }
}
