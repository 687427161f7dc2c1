package io.flowcost.examples.fakeprovider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.json.JsonObjectSchema;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.model.openai.OpenAiChatResponseMetadata;
import dev.langchain4j.model.openai.OpenAiEmbeddingModel;
import dev.langchain4j.model.openai.OpenAiStreamingChatModel;
import dev.langchain4j.model.openai.OpenAiTokenUsage;
import dev.langchain4j.model.output.Response;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Drives the fake with LangChain4j's real OpenAI clients and compares parsed with sent usage. */
class LangChain4jOpenAiTest {

  static final String LONG_SYSTEM = "You are the claims desk. Policy manual line. ".repeat(120);
  static final ToolSpecification LOOKUP =
      ToolSpecification.builder()
          .name("lookupPolicy")
          .description("Looks up a policy")
          .parameters(JsonObjectSchema.builder().addStringProperty("policyId").required("policyId")
              .build())
          .build();

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

  static OpenAiChatModel.OpenAiChatModelBuilder chat(String model) {
    return OpenAiChatModel.builder().baseUrl(fake.baseUrl()).apiKey("test-key").modelName(model);
  }

  static OpenAiStreamingChatModel streaming(String model) {
    return OpenAiStreamingChatModel.builder()
        .baseUrl(fake.baseUrl())
        .apiKey("test-key")
        .modelName(model)
        .build();
  }

  static void assertUsageEquals(OpenAiTokenUsage parsed, Exchange sent) {
    assertThat(sent.usageSent()).isTrue();
    assertThat(parsed.inputTokenCount().longValue()).isEqualTo(sent.usageOrZero("prompt_tokens"));
    assertThat(parsed.outputTokenCount().longValue())
        .isEqualTo(sent.usageOrZero("completion_tokens"));
    assertThat(parsed.totalTokenCount().longValue()).isEqualTo(sent.usageOrZero("total_tokens"));
    assertThat(parsed.inputTokensDetails().cachedTokens().longValue())
        .isEqualTo(sent.usageOrZero("prompt_tokens_details.cached_tokens"));
    assertThat(parsed.outputTokensDetails().reasoningTokens().longValue())
        .isEqualTo(sent.usageOrZero("completion_tokens_details.reasoning_tokens"));
  }

  @Test
  void plainChatUsageWithCachedAndReasoningTokens() {
    ChatResponse response =
        chat("o4-mini").build().chat(SystemMessage.from(LONG_SYSTEM), UserMessage.from("Hello"));

    Exchange sent = single();
    assertThat(sent.protocol()).isEqualTo(Protocol.OPENAI_CHAT);
    assertThat(sent.model()).isEqualTo("o4-mini");
    assertThat(sent.streaming()).isFalse();
    assertThat(sent.usageOrZero("prompt_tokens_details.cached_tokens")).isPositive();
    assertThat(sent.usageOrZero("completion_tokens_details.reasoning_tokens"))
        .isEqualTo(UsageRules.REASONING_TOKENS);
    assertUsageEquals((OpenAiTokenUsage) response.tokenUsage(), sent);
    assertThat(response.aiMessage().text()).startsWith("[fake-reply ");
    assertThat(response.metadata().modelName()).isEqualTo("o4-mini");
    assertThat(((OpenAiChatResponseMetadata) response.metadata()).serviceTier())
        .isEqualTo("default");
  }

  @Test
  void usageIsAPureFunctionOfTheRequest() {
    OpenAiChatModel model = chat("gpt-4o-mini").build();
    model.chat(UserMessage.from("Same question"));
    model.chat(UserMessage.from("Same question"));
    List<Exchange> sent = fake.exchanges();
    assertThat(sent).hasSize(2);
    assertThat(sent.get(0).usage()).isEqualTo(sent.get(1).usage());
    assertThat(sent.get(1).attempt()).isEqualTo(2);
    // 1 message, no tools, 13 characters -> 100 + 10 + ceil(13 / 4).
    assertThat(sent.get(0).usageOrZero("prompt_tokens")).isEqualTo(100 + 10 + 4);
    assertThat(sent.get(0).usageOrZero("completion_tokens"))
        .isEqualTo(UsageRules.TEXT_OUTPUT_TOKENS);
    assertThat(sent.get(0).usageOrZero("completion_tokens_details.reasoning_tokens")).isZero();
  }

  @Test
  void requestedFlexTierIsReported() {
    ChatResponse response =
        chat("gpt-4.1").serviceTier("flex").build().chat(UserMessage.from("Cheap please"));
    assertThat(single().serviceTier()).isEqualTo("flex");
    assertThat(((OpenAiChatResponseMetadata) response.metadata()).serviceTier()).isEqualTo("flex");
  }

  @Test
  void streamingUsageMatchesTheFinalChunk() throws Exception {
    ChatResponse response =
        stream(streaming("gpt-4o-mini"),
            ChatRequest.builder()
                .messages(SystemMessage.from(LONG_SYSTEM), UserMessage.from("Stream it"))
                .build());

    Exchange sent = single();
    assertThat(sent.streaming()).isTrue();
    assertThat(sent.usageOrZero("prompt_tokens_details.cached_tokens")).isPositive();
    assertUsageEquals((OpenAiTokenUsage) response.tokenUsage(), sent);
    assertThat(response.aiMessage().text()).startsWith("[fake-reply ").endsWith("handled.");
  }

  @Test
  void toolCallsComeBackAsToolExecutionRequests() {
    OpenAiChatModel model = chat("gpt-4o-mini").build();
    UserMessage user = UserMessage.from("Check it [tool:lookupPolicy {\"policyId\":\"P-7\"}]");
    ChatResponse first =
        model.chat(ChatRequest.builder().messages(user).toolSpecifications(LOOKUP).build());

    assertThat(first.aiMessage().hasToolExecutionRequests()).isTrue();
    ToolExecutionRequest call = first.aiMessage().toolExecutionRequests().get(0);
    assertThat(call.name()).isEqualTo("lookupPolicy");
    assertThat(call.arguments()).isEqualTo("{\"policyId\":\"P-7\"}");

    ChatResponse second =
        model.chat(ChatRequest.builder()
            .messages(user, first.aiMessage(), ToolExecutionResultMessage.from(call, "active"))
            .toolSpecifications(LOOKUP)
            .build());
    assertThat(second.aiMessage().text()).contains("after 1 tool call");

    List<Exchange> sent = fake.exchanges();
    assertThat(sent).extracting(Exchange::replyKind)
        .containsExactly(ReplyKind.TOOL_CALL, ReplyKind.TEXT);
    assertThat(sent.get(0).toolName()).isEqualTo("lookupPolicy");
    assertThat(sent.get(0).usageOrZero("completion_tokens"))
        .isEqualTo(UsageRules.TOOL_CALL_OUTPUT_TOKENS);
    assertUsageEquals((OpenAiTokenUsage) first.tokenUsage(), sent.get(0));
    assertUsageEquals((OpenAiTokenUsage) second.tokenUsage(), sent.get(1));
  }

  @Test
  void streamedToolCallsArriveAsDeltas() throws Exception {
    ChatResponse response =
        stream(streaming("gpt-4.1"),
            ChatRequest.builder()
                .messages(UserMessage.from("[tool:estimateRepair {\"item\":\"bumper\"}]"))
                .toolSpecifications(LOOKUP)
                .build());
    AiMessage ai = response.aiMessage();
    assertThat(ai.toolExecutionRequests()).singleElement().satisfies(call -> {
      assertThat(call.name()).isEqualTo("estimateRepair");
      assertThat(call.arguments()).isEqualTo("{\"item\":\"bumper\"}");
    });
    assertUsageEquals((OpenAiTokenUsage) response.tokenUsage(), single());
  }

  @Test
  void firstAttempt429IsRetriedByLangChain4j() {
    ChatResponse response =
        chat("gpt-4o-mini").maxRetries(2).build().chat(UserMessage.from("Busy? [fail:429]"));

    List<Exchange> sent = fake.exchanges();
    assertThat(sent).extracting(Exchange::httpStatus).containsExactly(429, 200);
    assertThat(sent).extracting(Exchange::attempt).containsExactly(1, 2);
    assertThat(sent.get(0).requestHash()).isEqualTo(sent.get(1).requestHash());
    assertThat(sent.get(0).usageSent()).isFalse();
    assertThat(sent.get(0).usage()).isEmpty();
    assertUsageEquals((OpenAiTokenUsage) response.tokenUsage(), sent.get(1));
  }

  @Test
  void failAlwaysExhaustsRetries() {
    OpenAiChatModel model = chat("gpt-4o-mini").maxRetries(1).build();
    assertThatThrownBy(() -> model.chat(UserMessage.from("Broken [fail-always:500]")))
        .isInstanceOf(dev.langchain4j.exception.InternalServerException.class);
    assertThat(fake.exchanges()).extracting(Exchange::httpStatus).containsExactly(500, 500);
    assertThat(fake.exchanges()).allSatisfy(e -> assertThat(e.replyKind())
        .isEqualTo(ReplyKind.ERROR));
  }

  @Test
  void embeddingUsageMatches() {
    OpenAiEmbeddingModel model =
        OpenAiEmbeddingModel.builder()
            .baseUrl(fake.baseUrl())
            .apiKey("test-key")
            .modelName("text-embedding-3-small")
            .build();
    Response<Embedding> response = model.embed("A dented bumper on a 2019 sedan");

    Exchange sent = single();
    assertThat(sent.protocol()).isEqualTo(Protocol.OPENAI_EMBEDDINGS);
    assertThat(sent.replyKind()).isEqualTo(ReplyKind.EMBEDDING);
    assertThat(response.content().dimension()).isEqualTo(8);
    assertThat(response.tokenUsage().inputTokenCount().longValue())
        .isEqualTo(sent.usageOrZero("prompt_tokens"))
        .isEqualTo(UsageRules.embeddingTokens("A dented bumper on a 2019 sedan"));
    assertThat(model.embed("A dented bumper on a 2019 sedan").content())
        .isEqualTo(response.content());
  }

  static ChatResponse stream(OpenAiStreamingChatModel model, ChatRequest request)
      throws Exception {
    CompletableFuture<ChatResponse> done = new CompletableFuture<>();
    model.chat(request, new StreamingChatResponseHandler() {
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
