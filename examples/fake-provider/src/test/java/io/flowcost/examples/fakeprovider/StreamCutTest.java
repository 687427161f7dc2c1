package io.flowcost.examples.fakeprovider;

import static org.assertj.core.api.Assertions.assertThat;

import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.anthropic.AnthropicStreamingChatModel;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.openai.OpenAiStreamingChatModel;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@code [stream-cut]}: a stream interrupted by the provider's mid-stream error, without its
 * usage-bearing final events — the case where a tracer must estimate output tokens.
 */
class StreamCutTest {

  /** What the client saw: the completed response, or the error it reported. */
  record Outcome(ChatResponse response, Throwable error, String partial) {}

  static Outcome stream(StreamingChatModel model, String prompt) throws Exception {
    CompletableFuture<Outcome> done = new CompletableFuture<>();
    StringBuilder partial = new StringBuilder();
    model.chat(ChatRequest.builder().messages(UserMessage.from(prompt)).build(),
        new StreamingChatResponseHandler() {
          @Override
          public void onPartialResponse(String text) {
            partial.append(text);
          }

          @Override
          public void onCompleteResponse(ChatResponse response) {
            done.complete(new Outcome(response, null, partial.toString()));
          }

          @Override
          public void onError(Throwable error) {
            done.complete(new Outcome(null, error, partial.toString()));
          }
        });
    return done.get(10, TimeUnit.SECONDS);
  }

  @Test
  void openAiStreamStopsWithoutUsage() throws Exception {
    try (FakeProvider fake = FakeProvider.start()) {
      Outcome outcome = stream(
          OpenAiStreamingChatModel.builder().baseUrl(fake.baseUrl()).apiKey("k")
              .modelName("gpt-4o-mini").build(),
          "Tell me [stream-cut]");
      Exchange sent = fake.exchanges().get(0);
      assertThat(sent.truncated()).isTrue();
      assertThat(sent.usageSent()).isFalse();
      assertThat(outcome.partial()).startsWith("[fake-reply ").doesNotEndWith("handled.");
      // LangChain4j 1.19 ignores the error chunk and completes without usage.
      assertThat(outcome.error()).isNull();
      assertThat(outcome.response().tokenUsage()).isNull();
    }
  }

  @Test
  void anthropicStreamKeepsOnlyTheMessageStartUsage() throws Exception {
    try (FakeProvider fake = FakeProvider.start()) {
      Outcome outcome = stream(
          AnthropicStreamingChatModel.builder().baseUrl(fake.baseUrl() + "/").apiKey("k")
              .modelName("claude-sonnet-4-5").build(),
          "Tell me [stream-cut]");
      Exchange sent = fake.exchanges().get(0);
      assertThat(sent.truncated()).isTrue();
      assertThat(sent.usageSent()).isTrue();
      assertThat(sent.usageOrZero("output_tokens")).isEqualTo(1);
      assertThat(sent.usageOrZero("input_tokens")).isPositive();
      assertThat(outcome.partial()).startsWith("[fake-reply ").doesNotEndWith("handled.");
      // LangChain4j 1.19 reports Anthropic's mid-stream error event as a failure.
      assertThat(outcome.response()).isNull();
      assertThat(outcome.error()).isNotNull();
    }
  }
}
