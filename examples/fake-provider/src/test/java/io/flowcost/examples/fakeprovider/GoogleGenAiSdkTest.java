package io.flowcost.examples.fakeprovider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.genai.Client;
import com.google.genai.ResponseStream;
import com.google.genai.errors.ApiException;
import com.google.genai.types.Content;
import com.google.genai.types.FunctionCall;
import com.google.genai.types.FunctionDeclaration;
import com.google.genai.types.GenerateContentConfig;
import com.google.genai.types.GenerateContentResponse;
import com.google.genai.types.GenerateContentResponseUsageMetadata;
import com.google.genai.types.HttpOptions;
import com.google.genai.types.HttpRetryOptions;
import com.google.genai.types.Part;
import com.google.genai.types.Schema;
import com.google.genai.types.ThinkingConfig;
import com.google.genai.types.Tool;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The real Google Gen AI Java SDK ({@code com.google.genai:google-genai}) against the fake's
 * Gemini wire: every usage number the SDK parses is the one the exchange log says was sent.
 */
class GoogleGenAiSdkTest {

  private FakeProvider fake;
  private Client client;

  @BeforeEach
  void start() {
    fake = FakeProvider.start();
    client = client("test-key");
  }

  @AfterEach
  void stop() {
    client.close();
    fake.close();
  }

  private Client client(String apiKey) {
    return Client.builder()
        .apiKey(apiKey)
        .httpOptions(HttpOptions.builder()
            .baseUrl("http://127.0.0.1:" + fake.port() + "/")
            .retryOptions(HttpRetryOptions.builder().attempts(3).initialDelay(0.01).jitter(0.0))
            .build())
        .build();
  }

  @Test
  void generateContentReportsThePromptAndThoughtsOutsideCandidates() {
    GenerateContentResponse response =
        client.models.generateContent("gemini-2.5-flash", "Say hello to Gemini", null);

    assertThat(response.text()).startsWith(Reply.TEXT_PREFIX);
    Exchange sent = only();
    assertThat(sent.protocol()).isEqualTo(Protocol.GEMINI_GENERATE_CONTENT);
    assertThat(sent.model()).isEqualTo("gemini-2.5-flash");
    assertThat(sent.streaming()).isFalse();
    // one message of 19 characters: 100 + 10 + ceil(19 / 4)
    assertThat(sent.usageOrZero("promptTokenCount")).isEqualTo(115);
    assertThat(sent.usageOrZero("candidatesTokenCount")).isEqualTo(UsageRules.TEXT_OUTPUT_TOKENS);
    assertThat(sent.usageOrZero("thoughtsTokenCount")).isEqualTo(UsageRules.REASONING_TOKENS);
    assertThat(sent.usageOrZero("totalTokenCount")).isEqualTo(115 + 42 + 64);
    assertThat(sent.usage()).doesNotContainKey("cachedContentTokenCount");
    GenerateContentResponseUsageMetadata usage = response.usageMetadata().orElseThrow();
    assertThat(usage.promptTokenCount()).contains(115);
    assertThat(usage.candidatesTokenCount()).contains(42);
    assertThat(usage.thoughtsTokenCount()).contains(64);
    assertThat(usage.totalTokenCount()).contains(221);
    assertThat(response.responseId()).isPresent();
    assertThat(response.modelVersion()).contains("gemini-2.5-flash");
  }

  @Test
  void aLongSystemInstructionIsACachedPrefixAndAZeroThinkingBudgetThinksNothing() {
    String system = "You are a careful claims assistant. ".repeat(120); // 4320 chars
    GenerateContentConfig config = GenerateContentConfig.builder()
        .systemInstruction(Content.fromParts(Part.fromText(system)))
        .thinkingConfig(ThinkingConfig.builder().thinkingBudget(0))
        .build();
    GenerateContentResponse response =
        client.models.generateContent("gemini-2.5-flash", "Cached prefix", config);

    Exchange sent = only();
    long prompt = UsageRules.promptTokens(2, 0, system.length() + 13);
    assertThat(sent.usageOrZero("promptTokenCount")).isEqualTo(prompt);
    assertThat(sent.usageOrZero("cachedContentTokenCount")).isEqualTo(1080);
    assertThat(sent.usage()).doesNotContainKey("thoughtsTokenCount");
    assertThat(response.usageMetadata().orElseThrow().cachedContentTokenCount()).contains(1080);
  }

  @Test
  void aFunctionCallRoundTrip() {
    Tool tool = Tool.builder().functionDeclarations(FunctionDeclaration.builder()
        .name("lookupPolicy").description("Looks up a policy")
        .parameters(Schema.builder().type("OBJECT")
            .properties(Map.of("policyId", Schema.builder().type("STRING").build()))
            .required("policyId"))
        .build()).build();
    GenerateContentConfig config = GenerateContentConfig.builder().tools(tool).build();
    List<Content> history = new ArrayList<>();
    history.add(Content.builder().role("user")
        .parts(Part.fromText("Check it [tool:lookupPolicy {\"policyId\":\"P-7\"}]")).build());

    GenerateContentResponse first =
        client.models.generateContent("gemini-2.5-flash", history, config);
    List<FunctionCall> calls = first.functionCalls();
    assertThat(calls).hasSize(1);
    assertThat(calls.get(0).name()).contains("lookupPolicy");
    assertThat(calls.get(0).args().orElseThrow()).containsEntry("policyId", "P-7");

    history.add(first.candidates().orElseThrow().get(0).content().orElseThrow());
    history.add(Content.builder().role("user")
        .parts(Part.fromFunctionResponse("lookupPolicy", Map.of("status", "active"))).build());
    GenerateContentResponse second =
        client.models.generateContent("gemini-2.5-flash", history, config);
    assertThat(second.text()).endsWith("handled after 1 tool call.");

    List<Exchange> log = fake.exchanges();
    assertThat(log).extracting(Exchange::replyKind)
        .containsExactly(ReplyKind.TOOL_CALL, ReplyKind.TEXT);
    assertThat(log.get(0).toolName()).isEqualTo("lookupPolicy");
    assertThat(log.get(0).usageOrZero("candidatesTokenCount"))
        .isEqualTo(UsageRules.TOOL_CALL_OUTPUT_TOKENS);
    assertThat(log.get(1).usageOrZero("promptTokenCount"))
        .isGreaterThan(log.get(0).usageOrZero("promptTokenCount"));
  }

  @Test
  void aStreamCarriesRunningCountsAndTheFinalTotalsOnItsLastChunk() throws Exception {
    List<GenerateContentResponse> chunks = new ArrayList<>();
    try (ResponseStream<GenerateContentResponse> stream =
        client.models.generateContentStream("gemini-2.5-flash", "Stream it", null)) {
      for (GenerateContentResponse chunk : stream) {
        chunks.add(chunk);
      }
    }
    assertThat(chunks).hasSize(GeminiWire.STREAM_CHUNKS);
    StringBuilder text = new StringBuilder();
    List<Integer> candidates = new ArrayList<>();
    for (GenerateContentResponse chunk : chunks) {
      text.append(chunk.text());
      candidates.add(chunk.usageMetadata().orElseThrow().candidatesTokenCount().orElse(0));
    }
    assertThat(text.toString()).startsWith(Reply.TEXT_PREFIX).endsWith("handled.");
    assertThat(candidates).containsExactly(14, 28, 42); // running, never increments
    Exchange sent = only();
    assertThat(sent.streaming()).isTrue();
    assertThat(sent.usageOrZero("candidatesTokenCount")).isEqualTo(42);
    assertThat(sent.usageOrZero("thoughtsTokenCount")).isEqualTo(64);
  }

  @Test
  void theSdkRetriesA503AndTheLogHasBothAttempts() {
    GenerateContentResponse response =
        client.models.generateContent("gemini-2.5-flash-lite", "Busy [fail:503]", null);

    assertThat(response.text()).startsWith(Reply.TEXT_PREFIX);
    List<Exchange> log = fake.exchanges();
    assertThat(log).extracting(Exchange::httpStatus).containsExactly(503, 200);
    assertThat(log).extracting(Exchange::attempt).containsExactly(1, 2);
    assertThat(log.get(0).usage()).isEmpty();
    assertThat(log.get(1).usage()).doesNotContainKey("thoughtsTokenCount"); // lite: no thinking
  }

  @Test
  void anErrorCarriesTheGoogleRpcStatus() {
    assertThatThrownBy(() ->
            client.models.generateContent("gemini-2.5-flash", "Bad [fail-always:400]", null))
        .isInstanceOfSatisfying(ApiException.class, e -> {
          assertThat(e.code()).isEqualTo(400);
          assertThat(e.status()).isEqualTo("INVALID_ARGUMENT");
        });
    assertThat(only().httpStatus()).isEqualTo(400);
  }

  @Test
  void aRequestWithoutAnApiKeyIsRefused() throws Exception {
    HttpResponse<String> response = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create(
                "http://127.0.0.1:" + fake.port() + "/v1beta/models/gemini-2.5-flash:generateContent"))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(
                "{\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"hi\"}]}]}"))
            .build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(403);
    JsonNode error = new ObjectMapper().readTree(response.body()).path("error");
    assertThat(error.path("status").asText()).isEqualTo("PERMISSION_DENIED");
    assertThat(only().replyKind()).isEqualTo(ReplyKind.ERROR);
  }

  private Exchange only() {
    List<Exchange> log = fake.exchanges();
    assertThat(log).hasSize(1);
    return log.get(0);
  }
}
