package io.flowcost.agent.langchain4j.retrieval;

import io.flowcost.contract.CallKind;
import io.flowcost.contract.GenAiOperation;
import io.flowcost.contract.SpanKeys;
import io.flowcost.agent.AgentLog;
import io.flowcost.agent.BrokenInstrumentation;
import io.flowcost.agent.calls.CallDepth;
import io.flowcost.agent.context.AgentContext;
import io.flowcost.agent.context.SpanAttributes;
import io.flowcost.agent.langchain4j.Reflect;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import java.util.Collection;

/**
 * Retrievals: a {@code ContentRetriever.retrieve(Query)} or {@code
 * EmbeddingStore.search(EmbeddingSearchRequest)} inside an open workflow becomes a call of kind
 * {@code retrieval}, current while it runs so that the embedding call of the query nests beneath
 * it. Only the outermost of nested retrievals is recorded (a retriever searching its store is one
 * retrieval). Queries and retrieved content are never read; only the number of results is.
 */
public final class RetrievalTracing {

  /** The retriever's or store's class simple name, e.g. {@code InMemoryEmbeddingStore}. */
  public static final AttributeKey<String> SOURCE = AttributeKey.stringKey(SpanKeys.RETRIEVAL_SOURCE);

  /** How many contents or matches the retrieval returned. */
  public static final AttributeKey<Long> RESULTS = AttributeKey.longKey(SpanKeys.RETRIEVAL_RESULTS);

  private static final CallDepth DEPTH = new CallDepth();

  private RetrievalTracing() {}

  /** Entry; returns a token for {@link #exit}, or {@code null} when nothing is recorded. */
  public static Object enter(Object source) {
    if (DEPTH.increment() > 1) {
      return null;
    }
    try {
      BrokenInstrumentation.check("retrieval");
      if (AgentContext.currentWorkflow() == null) {
        return null; // ingestion or start-up lookups outside any workflow are not costed
      }
      String name = sourceName(source);
      Span span =
          AgentContext.tracer()
              .spanBuilder("retrieval " + name)
              .setAttribute(SpanAttributes.CALL_KIND, CallKind.RETRIEVAL.wire())
              .setAttribute(SpanAttributes.OPERATION, GenAiOperation.RETRIEVAL.wire())
              .setAttribute(SpanAttributes.TOOL_NAME, name)
              .setAttribute(SOURCE, name)
              .startSpan();
      return new Token(span, Context.current().with(span).makeCurrent());
    } catch (Throwable t) {
      AgentLog.failure("retrieval enter", t);
      return null;
    }
  }

  /** Exit with the returned list of contents / search result, or the error. */
  public static void exit(Object token, Object result, Throwable thrown) {
    DEPTH.decrement();
    if (!(token instanceof Token)) {
      return;
    }
    Token t = (Token) token;
    try {
      t.scope.close();
      if (thrown != null) {
        AgentContext.recordError(t.span, thrown);
      } else {
        Integer count = resultCount(result);
        if (count != null) {
          t.span.setAttribute(RESULTS, count.longValue());
        }
      }
      t.span.end();
    } catch (Throwable e) {
      AgentLog.failure("retrieval exit", e);
    }
  }

  private static String sourceName(Object source) {
    if (source == null) {
      return "unknown";
    }
    String simple = source.getClass().getSimpleName();
    return simple.isEmpty() ? source.getClass().getName() : simple;
  }

  /** {@code List<Content>} of a retriever, or {@code EmbeddingSearchResult.matches()} of a store. */
  private static Integer resultCount(Object result) {
    Object items = result instanceof Collection ? result : Reflect.call(result, "matches");
    return items instanceof Collection ? ((Collection<?>) items).size() : null;
  }

  private static final class Token {
    final Span span;
    final Scope scope;

    Token(Span span, Scope scope) {
      this.span = span;
      this.scope = scope;
    }
  }
}
