package io.flowcost.examples.compat;

import dev.langchain4j.model.anthropic.AnthropicChatModel;
import dev.langchain4j.model.anthropic.AnthropicStreamingChatModel;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.model.openai.OpenAiEmbeddingModel;
import dev.langchain4j.model.openai.OpenAiStreamingChatModel;
import dev.langchain4j.service.AiServices;
import dev.langchain4j.service.TokenStream;

/**
 * The app's AI services, built with the LangChain4j API as it was on the old line (no builder
 * options newer than 1.4.0), wired to one provider base URL.
 */
final class CompatDesk {

  /** Assesses damage with the claim tools (OpenAI, tool loop). */
  public interface Assessor {
    String assess(String claim);
  }

  /** Drafts a customer letter, streamed (OpenAI). */
  public interface LetterWriter {
    TokenStream draftLetter(String claim);
  }

  /** Summarises a claim (Anthropic, cached system prompt). */
  public interface Summarizer {
    String summarize(String claim);
  }

  /** Screens a claim for fraud (OpenAI, retried once on errors). */
  public interface Screener {
    String screen(String claim);
  }

  /** Triages a claim, streamed (Anthropic, with the claim tools). */
  public interface Triage {
    TokenStream triage(String claim);
  }

  /** The provider API key; the fake accepts any. */
  private static final String API_KEY = "compat-key";

  /** The system prompt: a stable prefix, cached by Anthropic. */
  private static final String SYSTEM =
      "You are the claims desk assistant of an insurer. Answer briefly, cite the policy id, and"
          + " never promise a payout before the assessment is complete.";

  final Assessor assessor;
  final LetterWriter letters;
  final Summarizer summarizer;
  final Screener screener;
  final Triage triage;
  final OpenAiEmbeddingModel embeddings;

  /**
   * @param baseUrl the provider API base, e.g. {@code http://127.0.0.1:8089/v1}
   */
  CompatDesk(String baseUrl) {
    OpenAiChatModel gpt4oMini = OpenAiChatModel.builder().baseUrl(baseUrl).apiKey(API_KEY)
        .modelName("gpt-4o-mini").maxRetries(1).build();
    OpenAiStreamingChatModel gpt41Streaming = OpenAiStreamingChatModel.builder().baseUrl(baseUrl)
        .apiKey(API_KEY).modelName("gpt-4.1").build();
    // LangChain4j's Anthropic client appends "messages" to the base URL.
    String anthropicBase = baseUrl.endsWith("/") ? baseUrl : baseUrl + "/";
    AnthropicChatModel sonnet = AnthropicChatModel.builder().baseUrl(anthropicBase)
        .apiKey(API_KEY).modelName("claude-sonnet-4-5").cacheSystemMessages(true).maxRetries(1)
        .build();
    AnthropicStreamingChatModel sonnetStreaming = AnthropicStreamingChatModel.builder()
        .baseUrl(anthropicBase).apiKey(API_KEY).modelName("claude-sonnet-4-5").build();
    embeddings = OpenAiEmbeddingModel.builder().baseUrl(baseUrl).apiKey(API_KEY)
        .modelName("text-embedding-3-small").maxRetries(1).build();

    assessor = AiServices.builder(Assessor.class).chatModel(gpt4oMini)
        .systemMessageProvider(id -> SYSTEM).tools(new ClaimTools()).build();
    letters = AiServices.builder(LetterWriter.class).streamingChatModel(gpt41Streaming)
        .systemMessageProvider(id -> SYSTEM).build();
    summarizer = AiServices.builder(Summarizer.class).chatModel(sonnet)
        .systemMessageProvider(id -> SYSTEM).build();
    screener = AiServices.builder(Screener.class).chatModel(gpt4oMini)
        .systemMessageProvider(id -> SYSTEM).build();
    triage = AiServices.builder(Triage.class).streamingChatModel(sonnetStreaming)
        .systemMessageProvider(id -> SYSTEM).tools(new ClaimTools()).build();
  }
}
