package io.flowcost.examples.demo;

import dev.langchain4j.model.anthropic.AnthropicChatModel;
import dev.langchain4j.model.anthropic.AnthropicStreamingChatModel;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.model.openai.OpenAiEmbeddingModel;
import dev.langchain4j.model.openai.OpenAiStreamingChatModel;
import dev.langchain4j.service.AiServices;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The claims desk's AI services, wired to real LangChain4j OpenAI and Anthropic clients at one
 * provider base URL (the fake provider in the demo).
 */
public final class ClaimsDesk {

  /** The provider API key; the fake accepts any. */
  private static final String API_KEY = "demo-key";

  final ClaimSummarizer summarizer;
  final DamageAssessor assessor;
  final FraudScreener screener;
  final LetterWriter letters;
  final TriageDesk triage;
  final ClaimRouter router;

  /**
   * @param baseUrl the provider API base, e.g. {@code http://127.0.0.1:8089/v1}
   */
  public ClaimsDesk(String baseUrl) {
    String manual = manual();
    PolicyTools policies = new PolicyTools();
    RepairTools repairs = new RepairTools();

    OpenAiChatModel gpt4oMini =
        OpenAiChatModel.builder().baseUrl(baseUrl).apiKey(API_KEY).modelName("gpt-4o-mini")
            .maxRetries(1).build();
    OpenAiChatModel gpt41 =
        OpenAiChatModel.builder().baseUrl(baseUrl).apiKey(API_KEY).modelName("gpt-4.1")
            .maxRetries(1).build();
    OpenAiStreamingChatModel gpt41Streaming =
        OpenAiStreamingChatModel.builder().baseUrl(baseUrl).apiKey(API_KEY).modelName("gpt-4.1")
            .build();
    // LangChain4j's Anthropic client appends "messages" to the base URL.
    String anthropicBase = baseUrl.endsWith("/") ? baseUrl : baseUrl + "/";
    AnthropicChatModel sonnet =
        AnthropicChatModel.builder().baseUrl(anthropicBase).apiKey(API_KEY)
            .modelName("claude-sonnet-4-5").cacheSystemMessages(true).maxRetries(1).build();
    AnthropicStreamingChatModel sonnetStreaming =
        AnthropicStreamingChatModel.builder().baseUrl(anthropicBase).apiKey(API_KEY)
            .modelName("claude-sonnet-4-5").cacheSystemMessages(true).build();
    OpenAiEmbeddingModel embeddings =
        OpenAiEmbeddingModel.builder().baseUrl(baseUrl).apiKey(API_KEY)
            .modelName("text-embedding-3-small").maxRetries(1).build();

    summarizer = AiServices.builder(ClaimSummarizer.class).chatModel(sonnet)
        .systemMessageProvider(id -> manual).tools(policies).build();
    assessor = AiServices.builder(DamageAssessor.class).chatModel(gpt4oMini)
        .systemMessageProvider(id -> manual).tools(policies, repairs).build();
    screener = AiServices.builder(FraudScreener.class).chatModel(gpt41)
        .systemMessageProvider(id -> manual).build();
    letters = AiServices.builder(LetterWriter.class).streamingChatModel(gpt41Streaming)
        .systemMessageProvider(id -> manual).build();
    triage = AiServices.builder(TriageDesk.class).streamingChatModel(sonnetStreaming)
        .systemMessageProvider(id -> manual).tools(policies).build();
    router = new ClaimRouter(embeddings);
  }

  /** The claims manual, long enough (over 4096 characters) to be a cacheable prompt prefix. */
  static String manual() {
    try (InputStream in = ClaimsDesk.class.getResourceAsStream("claims-manual.txt")) {
      if (in == null) {
        throw new IllegalStateException("claims-manual.txt missing from the classpath");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
