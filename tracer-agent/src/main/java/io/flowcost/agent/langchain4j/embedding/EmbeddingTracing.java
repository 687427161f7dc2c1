package io.flowcost.agent.langchain4j.embedding;

import io.flowcost.contract.CallKind;
import io.flowcost.contract.GenAiOperation;
import io.flowcost.agent.AgentLog;
import io.flowcost.agent.caps.CapGuard;
import io.flowcost.agent.caps.CapRefusal;
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

  /**
   * Entry; returns a token for {@link #exit}, or a {@link CapRefusal} when the workflow's caps
   * refuse the call (the advice then skips the method): an embedding request is a model call to
   * the caps, as it is on the bare-HTTP path. Never throws.
   */
  public static Object enter(Object model) {
    if (DEPTH.increment() > 1) {
      return NESTED;
    }
    try {
      CapRefusal refusal =
          CapGuard.beforeModelCall(model == null ? null : model.getClass().getClassLoader());
      if (refusal != null) {
        return refusal;
      }
    } catch (Throwable t) {
      AgentLog.failure("embedding cap check", t);
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

  /**
   * Exit with the {@code Response<List<Embedding>>} or the error.
   *
   * @return what {@code embedAll} throws: a refusal's exception, else {@code thrown}
   */
  public static Throwable exit(Object token, Object response, Throwable thrown) {
    DEPTH.decrement();
    if (!(token instanceof Token)) {
      return CapRefusal.thrown(token, thrown); // a refusal's exception, else thrown
    }
    Token t = (Token) token;
    try {
      t.scope.close();
      t.call.end(null, null, ClientUsage.from(Reflect.call(response, "tokenUsage")), thrown);
    } catch (Throwable e) {
      AgentLog.failure("embedding exit", e);
    }
    return thrown;
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
