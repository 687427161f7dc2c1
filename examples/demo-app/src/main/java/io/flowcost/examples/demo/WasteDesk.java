package io.flowcost.examples.demo;

import dev.langchain4j.memory.chat.MessageWindowChatMemory;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.service.AiServices;
import java.time.Duration;

/**
 * AI services whose billed answers the app sometimes throws away (OpenAI {@code gpt-4o-mini}):
 * a guardrail rejects one, a JSON answer does not parse, a client times out.
 */
final class WasteDesk {

  /** The client's read time-out of {@link #hastySummarizer}, well below the fake's delay. */
  static final Duration HASTY_TIMEOUT = Duration.ofMillis(400);
  /** The output limit of {@link #hastySummarizer}: what a time-out estimate bills as output. */
  static final int HASTY_MAX_TOKENS = 200;
  /** The dated snapshot {@link #hastySummarizer} asks for, so its exchange is easy to find. */
  static final String HASTY_MODEL = "gpt-4o-mini-2024-07-18";

  final PayoutAdvisor advisor;
  final DamageGrader guardedGrader;
  final QuickGrader plainGrader;
  final ClaimSummarizer hastySummarizer;
  final ClaimSummarizer summarizer;
  final FraudScreener screener;

  WasteDesk(String baseUrl) {
    OpenAiChatModel model = OpenAiChatModel.builder().baseUrl(baseUrl).apiKey("demo-key")
        .modelName("gpt-4o-mini").maxRetries(1).build();
    OpenAiChatModel hasty = OpenAiChatModel.builder().baseUrl(baseUrl).apiKey("demo-key")
        .modelName(HASTY_MODEL).timeout(HASTY_TIMEOUT).maxTokens(HASTY_MAX_TOKENS)
        .maxRetries(0).build();
    advisor = AiServices.builder(PayoutAdvisor.class).chatModel(model)
        .chatMemoryProvider(id -> MessageWindowChatMemory.withMaxMessages(10))
        .outputGuardrails(new PayoutPolicyGuardrail()).build();
    guardedGrader = AiServices.builder(DamageGrader.class).chatModel(model)
        .chatMemoryProvider(id -> MessageWindowChatMemory.withMaxMessages(10))
        .outputGuardrails(new DamageGradeJson()).build();
    plainGrader = AiServices.builder(QuickGrader.class).chatModel(model).build();
    hastySummarizer = AiServices.builder(ClaimSummarizer.class).chatModel(hasty).build();
    summarizer = AiServices.builder(ClaimSummarizer.class).chatModel(model).build();
    screener = AiServices.builder(FraudScreener.class).chatModel(model).build();
  }
}
