package io.flowcost.e2e;

import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.model.openai.OpenAiEmbeddingModel;
import dev.langchain4j.rag.content.retriever.EmbeddingStoreContentRetriever;
import dev.langchain4j.service.AiServices;
import dev.langchain4j.store.embedding.inmemory.InMemoryEmbeddingStore;
import io.flowcost.examples.fakeprovider.FakeProvider;
import java.util.List;

/**
 * A retrieval-augmented AI service against the fake provider, run in a child JVM by {@link
 * RetrievalEndToEndTest}: a real {@code OpenAiEmbeddingModel} fills an {@code
 * InMemoryEmbeddingStore}, then one AI-service call retrieves through an {@code
 * EmbeddingStoreContentRetriever}. Prints the answer's length only.
 */
public final class RetrievalApp {

  /** The AI service. */
  public interface PolicyAssistant {
    /** Answers a question about the policy. */
    String answer(String question);
  }

  private RetrievalApp() {}

  public static void main(String[] args) {
    try (FakeProvider fake = FakeProvider.start()) {
      OpenAiEmbeddingModel embeddings = OpenAiEmbeddingModel.builder().baseUrl(fake.baseUrl())
          .apiKey("demo-key").modelName("text-embedding-3-small").build();
      InMemoryEmbeddingStore<TextSegment> store = new InMemoryEmbeddingStore<>();
      List<TextSegment> segments = List.of(TextSegment.from("glass deductible 100 EUR"),
          TextSegment.from("hull cover up to 20000 EUR"), TextSegment.from("no cover at sea"));
      store.addAll(embeddings.embedAll(segments).content(), segments);

      PolicyAssistant assistant = AiServices.builder(PolicyAssistant.class)
          .chatModel(OpenAiChatModel.builder().baseUrl(fake.baseUrl()).apiKey("demo-key")
              .modelName("gpt-4o-mini").build())
          .contentRetriever(EmbeddingStoreContentRetriever.builder().embeddingStore(store)
              .embeddingModel(embeddings).maxResults(2).minScore(0.0).build())
          .build();
      System.out.println("answer chars=" + assistant.answer("Is the hovercraft covered?").length());
    }
  }
}
