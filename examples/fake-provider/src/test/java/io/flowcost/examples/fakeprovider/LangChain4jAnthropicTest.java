package io.flowcost.examples.fakeprovider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.anthropic.AnthropicChatModel;
import dev.langchain4j.model.anthropic.AnthropicStreamingChatModel;
import dev.langchain4j.model.anthropic.AnthropicTokenUsage;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Drives the fake with LangChain4j's real Anthropic clients and compares parsed with sent usage. */
class LangChain4jAnthropicTest {

  static final String SYSTEM = LangChain4jOpenAiTest.LONG_SYSTEM;
  static FakeProvider fake;

  @BeforeAll
  static void startFake() {
    fake = FakeProvider.start();
  }

  @AfterAll
  static void stopFake() {
    fake.close();
  }

  @BeforeEach
  void resetFake() {
    fake.reset();
  }

  static AnthropicChatModel.AnthropicChatModelBuilder chat() {
    return AnthropicChatModel.builder()
        .baseUrl(fake.baseUrl() + "/")
        .apiKey("test-key")
        .modelName("claude-sonnet-4-5")
        .cacheSystemMessages(true);
  }

  static AnthropicStreamingChatModel streaming() {
    return AnthropicStreamingChatModel.builder()
        .baseUrl(fake.baseUrl() + "/")
        .apiKey("test-key")
        .modelName("claude-sonnet-4-5")
        .cacheSystemMessages(true)
        .build();
  }

  static void assertUsageEquals(AnthropicTokenUsage parsed, Exchange sent) {
    assertThat(sent.usageSent()).isTrue();
    assertThat(parsed.inputTokenCount().longValue()).isEqualTo(sent.usageOrZero("input_tokens"));
    assertThat(parsed.outputTokenCount().longValue()).isEqualTo(sent.usageOrZero("output_tokens"));
    assertThat(parsed.cacheCreationInputTokens().longValue())
        .isEqualTo(sent.usageOrZero("cache_creation_input_tokens"));
    assertThat(parsed.cacheReadInputTokens().longValue())
        .isEqualTo(sent.usageOrZero("cache_read_input_tokens"));
  }

  @Test
  void firstTurnWritesTheCachedSystemPrompt() {
    ChatResponse response = chat().build().chat(SystemMessage.from(SYSTEM), UserMessage.from("Hi"));

    Exchange sent = single();
    assertThat(sent.protocol()).isEqualTo(Protocol.ANTHROPIC_MESSAGES);
    assertThat(sent.serviceTier()).isEqualTo("standard");
    long cacheable = UsageRules.tokens(SYSTEM.length());
    assertThat(sent.usageOrZero("cache_creation_input_tokens")).isEqualTo(cacheable);
    assertThat(sent.usageOrZero("cache_creation.ephemeral_5m_input_tokens")).isEqualTo(cacheable);
    assertThat(sent.usageOrZero("cache_creation.ephemeral_1h_input_tokens")).isZero();
    assertThat(sent.usageOrZero("cache_read_input_tokens")).isZero();
    // input_tokens excludes the cache write: all = 100 + 10 × 2 messages + tokens(text).
    assertThat(sent.usageOrZero("input_tokens") + cacheable)
        .isEqualTo(UsageRules.promptTokens(2, 0, SYSTEM.length() + 2));
    assertUsageEquals((AnthropicTokenUsage) response.tokenUsage(), sent);
    assertThat(response.aiMessage().text()).startsWith("[fake-reply ");
  }

  @Test
  void oneHourWriteMarkerAndCacheReadOnTheToolTurn() {
    AnthropicChatModel model = chat().build();
    UserMessage user =
        UserMessage.from("Assess [cache-write-1h] [tool:lookupPolicy {\"policyId\":\"P-9\"}]");
    ChatResponse first =
        model.chat(ChatRequest.builder()
            .messages(SystemMessage.from(SYSTEM), user)
            .toolSpecifications(LangChain4jOpenAiTest.LOOKUP)
            .build());
    ToolExecutionRequest call = first.aiMessage().toolExecutionRequests().get(0);
    assertThat(call.name()).isEqualTo("lookupPolicy");
    assertThat(call.arguments()).contains("\"policyId\"").contains("\"P-9\"");
    assertThat(first.finishReason().name()).isEqualTo("TOOL_EXECUTION");

    ChatResponse second =
        model.chat(ChatRequest.builder()
            .messages(SystemMessage.from(SYSTEM), user, first.aiMessage(),
                ToolExecutionResultMessage.from(call, "active"))
            .toolSpecifications(LangChain4jOpenAiTest.LOOKUP)
            .build());
    assertThat(second.aiMessage().text()).contains("after 1 tool call");

    List<Exchange> sent = fake.exchanges();
    assertThat(sent).extracting(Exchange::replyKind)
        .containsExactly(ReplyKind.TOOL_CALL, ReplyKind.TEXT);
    assertThat(sent.get(0).usageOrZero("cache_creation.ephemeral_1h_input_tokens")).isPositive();
    assertThat(sent.get(0).usageOrZero("cache_read_input_tokens")).isZero();
    assertThat(sent.get(1).usageOrZero("cache_creation_input_tokens")).isZero();
    assertThat(sent.get(1).usageOrZero("cache_read_input_tokens"))
        .isEqualTo(sent.get(0).usageOrZero("cache_creation_input_tokens"));
    assertUsageEquals((AnthropicTokenUsage) first.tokenUsage(), sent.get(0));
    assertUsageEquals((AnthropicTokenUsage) second.tokenUsage(), sent.get(1));
  }

  @Test
  void streamingUsageMatches() throws Exception {
    ChatResponse response =
        stream(ChatRequest.builder()
            .messages(SystemMessage.from(SYSTEM), UserMessage.from("Stream [cache-hit]"))
            .build());
    Exchange sent = single();
    assertThat(sent.streaming()).isTrue();
    assertThat(sent.usageOrZero("cache_read_input_tokens")).isPositive();
    assertUsageEquals((AnthropicTokenUsage) response.tokenUsage(), sent);
    assertThat(response.aiMessage().text()).startsWith("[fake-reply ").endsWith("handled.");
  }

  @Test
  void streamedToolUse() throws Exception {
    ChatResponse response =
        stream(ChatRequest.builder()
            .messages(UserMessage.from("[tool:lookupPolicy {\"policyId\":\"P-3\"}]"))
            .toolSpecifications(LangChain4jOpenAiTest.LOOKUP)
            .build());
    assertThat(response.aiMessage().toolExecutionRequests()).singleElement()
        .satisfies(call -> assertThat(call.arguments()).contains("\"P-3\""));
    Exchange sent = single();
    assertThat(sent.replyKind()).isEqualTo(ReplyKind.TOOL_CALL);
    assertUsageEquals((AnthropicTokenUsage) response.tokenUsage(), sent);
  }

  @Test
  void overloadedUsesAnthropicsErrorBody() {
    AnthropicChatModel model = chat().maxRetries(0).build();
    assertThatThrownBy(() -> model.chat(UserMessage.from("Now [fail-always:529]")))
        .isInstanceOf(RuntimeException.class);
    assertThat(single().httpStatus()).isEqualTo(529);
  }

  @Test
  void first500IsRetried() {
    ChatResponse response =
        chat().maxRetries(1).build().chat(UserMessage.from("Flaky [fail:500]"));
    assertThat(fake.exchanges()).extracting(Exchange::httpStatus).containsExactly(500, 200);
    assertUsageEquals((AnthropicTokenUsage) response.tokenUsage(), fake.exchanges().get(1));
  }

  static ChatResponse stream(ChatRequest request) throws Exception {
    CompletableFuture<ChatResponse> done = new CompletableFuture<>();
    streaming().chat(request, new StreamingChatResponseHandler() {
      @Override
      public void onCompleteResponse(ChatResponse response) {
        done.complete(response);
      }

      @Override
      public void onError(Throwable error) {
        done.completeExceptionally(error);
      }
    });
    return done.get(10, TimeUnit.SECONDS);
  }

  static Exchange single() {
    assertThat(fake.exchanges()).hasSize(1);
    return fake.exchanges().get(0);
  }
}
