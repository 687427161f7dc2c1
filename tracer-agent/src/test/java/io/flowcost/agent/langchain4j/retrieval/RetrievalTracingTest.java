package io.flowcost.agent.langchain4j.retrieval;

import static io.flowcost.agent.context.SpanAttributes.CALL_KIND;
import static io.flowcost.agent.context.SpanAttributes.ERROR_TYPE;
import static io.flowcost.agent.context.SpanAttributes.OPERATION;
import static io.flowcost.agent.context.SpanAttributes.TOOL_NAME;
import static io.flowcost.agent.context.SpanAttributes.WORKFLOW_ROOT;
import static org.assertj.core.api.Assertions.assertThat;

import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.store.embedding.EmbeddingSearchRequest;
import dev.langchain4j.store.embedding.EmbeddingSearchResult;
import dev.langchain4j.store.embedding.inmemory.InMemoryEmbeddingStore;
import io.flowcost.agent.langchain4j.aiservice.AiServiceTracing;
import io.flowcost.agent.langchain4j.embedding.EmbeddingTracing;
import io.flowcost.agent.testing.AgentTelemetryExtension;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.lang.reflect.Method;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The helpers as the inlined advice calls them, around a real {@code InMemoryEmbeddingStore}. */
class RetrievalTracingTest {

  @RegisterExtension final AgentTelemetryExtension telemetry = new AgentTelemetryExtension();

  interface Assistant {
    String answer(String question);
  }

  /** Stands in for an embedding model: the helper reads {@code modelName()} reflectively. */
  public static final class Model {
    public String modelName() {
      return "text-embedding-3-small";
    }
  }

  private static InMemoryEmbeddingStore<TextSegment> store() {
    InMemoryEmbeddingStore<TextSegment> store = new InMemoryEmbeddingStore<>();
    store.add(Embedding.from(new float[] {1, 0}), TextSegment.from("glass deductible 100 EUR"));
    store.add(Embedding.from(new float[] {0, 1}), TextSegment.from("hull cover"));
    return store;
  }

  private static Method answer() throws NoSuchMethodException {
    return Assistant.class.getMethod("answer", String.class);
  }

  @Test
  void aRetrieverInsideAWorkflowIsOneRetrievalWithItsEmbeddingBeneath() throws Exception {
    InMemoryEmbeddingStore<TextSegment> store = store();
    Object invocation = AiServiceTracing.enter(answer());

    Object retriever = RetrievalTracing.enter(new Object() {}); // an anonymous retriever
    Object embedding = EmbeddingTracing.enter(new Model());
    EmbeddingTracing.exit(embedding, null, null);
    Object search = RetrievalTracing.enter(store); // the retriever's own store search: nested
    EmbeddingSearchResult<TextSegment> found =
        store.search(
            EmbeddingSearchRequest.builder()
                .queryEmbedding(Embedding.from(new float[] {1, 0}))
                .maxResults(2)
                .build());
    RetrievalTracing.exit(search, found, null);
    RetrievalTracing.exit(retriever, found.matches(), null);
    AiServiceTracing.exit(invocation, "answer", null);

    SpanData workflow = telemetry.span(WORKFLOW_ROOT, true);
    SpanData retrieval = telemetry.span(CALL_KIND, "retrieval");
    SpanData embed = telemetry.span(CALL_KIND, "embedding");
    assertThat(telemetry.spans()).hasSize(3);
    assertThat(retrieval.getParentSpanId()).isEqualTo(workflow.getSpanId());
    assertThat(embed.getParentSpanId()).isEqualTo(retrieval.getSpanId());
    assertThat(retrieval.getAttributes().get(OPERATION)).isEqualTo("retrieval");
    String anonymous = getClass().getName() + "$1";
    assertThat(retrieval.getName()).isEqualTo("retrieval " + anonymous);
    assertThat(retrieval.getAttributes().get(RetrievalTracing.SOURCE)).isEqualTo(anonymous);
    assertThat(retrieval.getAttributes().get(RetrievalTracing.RESULTS)).isEqualTo(2L);
    assertThat(retrieval.getAttributes().asMap().values())
        .noneMatch(v -> String.valueOf(v).contains("deductible"));
  }

  @Test
  void aStoreSearchRecordsTheStoreNameAndAFailure() throws Exception {
    Object invocation = AiServiceTracing.enter(answer());
    Object search = RetrievalTracing.enter(store());
    RetrievalTracing.exit(search, null, new IllegalStateException("index offline: secret"));
    AiServiceTracing.exit(invocation, null, null);

    SpanData retrieval = telemetry.span(CALL_KIND, "retrieval");
    assertThat(retrieval.getAttributes().get(TOOL_NAME)).isEqualTo("InMemoryEmbeddingStore");
    assertThat(retrieval.getAttributes().get(RetrievalTracing.SOURCE)).isEqualTo("InMemoryEmbeddingStore");
    assertThat(retrieval.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
    assertThat(retrieval.getAttributes().get(ERROR_TYPE)).isEqualTo("java.lang.IllegalStateException");
    assertThat(retrieval.getAttributes().get(RetrievalTracing.RESULTS)).isNull();
  }

  @Test
  void outsideAWorkflowNothingIsRecorded() {
    Object search = RetrievalTracing.enter(store());
    RetrievalTracing.exit(search, null, null);

    assertThat(search).isNull();
    assertThat(telemetry.spans()).isEmpty();
  }
}
