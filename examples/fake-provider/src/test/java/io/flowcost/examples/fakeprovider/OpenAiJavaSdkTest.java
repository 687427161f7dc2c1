package io.flowcost.examples.fakeprovider;

import static org.assertj.core.api.Assertions.assertThat;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.completions.CompletionUsage;
import com.openai.models.embeddings.CreateEmbeddingResponse;
import com.openai.models.embeddings.EmbeddingCreateParams;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Drives the fake with the official OpenAI Java SDK. */
class OpenAiJavaSdkTest {

  static FakeProvider fake;
  static OpenAIClient client;

  @BeforeAll
  static void start() {
    fake = FakeProvider.start();
    client = OpenAIOkHttpClient.builder().baseUrl(fake.baseUrl()).apiKey("test-key").build();
  }

  @AfterAll
  static void stop() {
    client.close();
    fake.close();
  }

  @BeforeEach
  void reset() {
    fake.reset();
  }

  static void assertUsageEquals(CompletionUsage parsed, Exchange sent) {
    assertThat(parsed.promptTokens()).isEqualTo(sent.usageOrZero("prompt_tokens"));
    assertThat(parsed.completionTokens()).isEqualTo(sent.usageOrZero("completion_tokens"));
    assertThat(parsed.totalTokens()).isEqualTo(sent.usageOrZero("total_tokens"));
    assertThat(parsed.promptTokensDetails().orElseThrow().cachedTokens().orElseThrow())
        .isEqualTo(sent.usageOrZero("prompt_tokens_details.cached_tokens"));
    assertThat(parsed.completionTokensDetails().orElseThrow().reasoningTokens().orElseThrow())
        .isEqualTo(sent.usageOrZero("completion_tokens_details.reasoning_tokens"));
  }

  @Test
  void plainCompletion() {
    ChatCompletion completion =
        client.chat().completions().create(ChatCompletionCreateParams.builder()
            .model("gpt-5-mini")
            .addSystemMessage(LangChain4jOpenAiTest.LONG_SYSTEM)
            .addUserMessage("Hello SDK")
            .build());
    Exchange sent = fake.exchanges().get(0);
    assertThat(sent.usageOrZero("completion_tokens_details.reasoning_tokens")).isPositive();
    assertThat(sent.usageOrZero("prompt_tokens_details.cached_tokens")).isPositive();
    assertUsageEquals(completion.usage().orElseThrow(), sent);
    assertThat(completion.choices().get(0).message().content().orElseThrow())
        .startsWith("[fake-reply ");
    assertThat(completion.serviceTier().orElseThrow().asString()).isEqualTo("default");
  }

  @Test
  void streamingWithIncludeUsage() {
    List<ChatCompletionChunk> chunks = new ArrayList<>();
    try (StreamResponse<ChatCompletionChunk> stream =
        client.chat().completions().createStreaming(ChatCompletionCreateParams.builder()
            .model("gpt-4o-mini")
            .addUserMessage("Stream SDK")
            .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build())
            .build())) {
      stream.stream().forEach(chunks::add);
    }
    ChatCompletionChunk last = chunks.get(chunks.size() - 1);
    assertThat(last.choices()).isEmpty();
    assertThat(chunks.subList(0, chunks.size() - 1))
        .allSatisfy(c -> assertThat(c.usage()).isEmpty());
    Exchange sent = fake.exchanges().get(0);
    assertThat(sent.streaming()).isTrue();
    assertUsageEquals(last.usage().orElseThrow(), sent);
  }

  @Test
  void streamingWithoutIncludeUsageSendsNone() {
    List<ChatCompletionChunk> chunks = new ArrayList<>();
    try (StreamResponse<ChatCompletionChunk> stream =
        client.chat().completions().createStreaming(ChatCompletionCreateParams.builder()
            .model("gpt-4o-mini")
            .addUserMessage("No usage please")
            .build())) {
      stream.stream().forEach(chunks::add);
    }
    assertThat(chunks).isNotEmpty().allSatisfy(c -> assertThat(c.usage()).isEmpty());
    Exchange sent = fake.exchanges().get(0);
    assertThat(sent.usageSent()).isFalse();
    assertThat(sent.usage()).isEmpty();
  }

  @Test
  void sdkRetriesTwice429s() {
    ChatCompletion completion =
        client.chat().completions().create(ChatCompletionCreateParams.builder()
            .model("gpt-4.1")
            .addUserMessage("Busy [fail:429x2]")
            .build());
    List<Exchange> sent = fake.exchanges();
    assertThat(sent).extracting(Exchange::httpStatus).containsExactly(429, 429, 200);
    assertThat(sent).extracting(Exchange::attempt).containsExactly(1, 2, 3);
    assertUsageEquals(completion.usage().orElseThrow(), sent.get(2));
  }

  @Test
  void embeddingsAsBase64() {
    CreateEmbeddingResponse response =
        client.embeddings().create(EmbeddingCreateParams.builder()
            .model("text-embedding-3-small")
            .input("claim notes")
            .encodingFormat(EmbeddingCreateParams.EncodingFormat.BASE64)
            .build());
    assertThat(response.data().get(0).embedding()).hasSize(8);
    assertThat(response.usage().promptTokens())
        .isEqualTo(fake.exchanges().get(0).usageOrZero("prompt_tokens"))
        .isEqualTo(UsageRules.embeddingTokens("claim notes"));
  }
}
