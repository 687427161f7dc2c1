package io.flowcost.examples.fakeprovider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.retry.backoff.FixedDelayBackoffStrategy;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.bedrockruntime.BedrockRuntimeAsyncClient;
import software.amazon.awssdk.services.bedrockruntime.BedrockRuntimeClient;
import software.amazon.awssdk.services.bedrockruntime.model.ContentBlock;
import software.amazon.awssdk.services.bedrockruntime.model.ConversationRole;
import software.amazon.awssdk.services.bedrockruntime.model.ConverseResponse;
import software.amazon.awssdk.services.bedrockruntime.model.ConverseStreamMetadataEvent;
import software.amazon.awssdk.services.bedrockruntime.model.ConverseStreamResponseHandler;
import software.amazon.awssdk.services.bedrockruntime.model.ContentBlockDeltaEvent;
import software.amazon.awssdk.services.bedrockruntime.model.InternalServerException;
import software.amazon.awssdk.services.bedrockruntime.model.InvokeModelResponse;
import software.amazon.awssdk.services.bedrockruntime.model.Message;
import software.amazon.awssdk.services.bedrockruntime.model.MessageStopEvent;
import software.amazon.awssdk.services.bedrockruntime.model.StopReason;
import software.amazon.awssdk.services.bedrockruntime.model.SystemContentBlock;
import software.amazon.awssdk.services.bedrockruntime.model.TokenUsage;
import software.amazon.awssdk.services.bedrockruntime.model.ToolConfiguration;
import software.amazon.awssdk.services.bedrockruntime.model.Tool;
import software.amazon.awssdk.services.bedrockruntime.model.ToolInputSchema;
import software.amazon.awssdk.services.bedrockruntime.model.ToolSpecification;
import software.amazon.awssdk.core.document.Document;

/**
 * Drives the fake's Bedrock Runtime endpoints with the real AWS SDK v2 (2.59.1): Converse on the
 * synchronous client (Apache), ConverseStream on the asynchronous one (Netty) — so the SDK's own
 * event-stream decoder checks the fake's binary framing and CRCs — InvokeModel with an Anthropic
 * body, a tool call, a 500 the SDK retries, and a 500 it gives up on. Every parsed usage equals
 * what the exchange log says was sent.
 */
class BedrockRuntimeSdkTest {

  private static final String HAIKU = "us.anthropic.claude-haiku-4-5-20251001-v1:0";

  static FakeProvider fake;
  static BedrockRuntimeClient sync;
  static BedrockRuntimeAsyncClient async;

  @BeforeAll
  static void start() {
    fake = FakeProvider.start();
    URI endpoint = URI.create("http://127.0.0.1:" + fake.port());
    StaticCredentialsProvider credentials =
        StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDFAKE", "fake-secret"));
    sync = BedrockRuntimeClient.builder().endpointOverride(endpoint).region(Region.US_EAST_1)
        .credentialsProvider(credentials).httpClientBuilder(ApacheHttpClient.builder())
        .overrideConfiguration(o -> o.retryPolicy(r -> r.numRetries(1)
            .backoffStrategy(FixedDelayBackoffStrategy.create(Duration.ofMillis(10)))))
        .build();
    async = BedrockRuntimeAsyncClient.builder().endpointOverride(endpoint)
        .region(Region.US_EAST_1).credentialsProvider(credentials)
        .httpClientBuilder(NettyNioAsyncHttpClient.builder()
            .protocol(software.amazon.awssdk.http.Protocol.HTTP1_1)).build();
  }

  @AfterAll
  static void stop() {
    sync.close();
    async.close();
    fake.close();
  }

  @BeforeEach
  void reset() {
    fake.reset();
  }

  private static Message user(String text) {
    return Message.builder().role(ConversationRole.USER).content(ContentBlock.fromText(text))
        .build();
  }

  private static void assertUsage(TokenUsage parsed, Exchange sent) {
    assertThat(parsed.inputTokens()).isEqualTo((int) sent.usageOrZero("inputTokens"));
    assertThat(parsed.outputTokens()).isEqualTo((int) sent.usageOrZero("outputTokens"));
    assertThat(parsed.totalTokens()).isEqualTo((int) sent.usageOrZero("totalTokens"));
    assertThat(parsed.cacheReadInputTokens())
        .isEqualTo((int) sent.usageOrZero("cacheReadInputTokens"));
    assertThat(parsed.cacheWriteInputTokens())
        .isEqualTo((int) sent.usageOrZero("cacheWriteInputTokens"));
  }

  @Test
  void converseParsesWithUsageAndCacheWrite() {
    ConverseResponse response = sync.converse(b -> b.modelId(HAIKU)
        .system(SystemContentBlock.fromText("You are a claims assistant. ".repeat(40)),
            SystemContentBlock.builder().cachePoint(c -> c.type("default")).build())
        .messages(user("Summarise the claim")));
    Exchange sent = fake.exchanges().get(0);
    assertThat(sent.protocol()).isEqualTo(Protocol.BEDROCK_CONVERSE);
    assertThat(sent.model()).isEqualTo(HAIKU);
    assertThat(sent.usageOrZero("cacheWriteInputTokens")).isPositive();
    assertUsage(response.usage(), sent);
    assertThat(response.stopReason()).isEqualTo(StopReason.END_TURN);
    assertThat(response.output().message().content().get(0).text()).startsWith("[fake-reply ");
  }

  @Test
  void converseAsksForATool() {
    ConverseResponse response = sync.converse(b -> b.modelId(HAIKU)
        .toolConfig(ToolConfiguration.builder().tools(Tool.fromToolSpec(ToolSpecification.builder()
            .name("lookupPolicy").description("d")
            .inputSchema(ToolInputSchema.fromJson(Document.mapBuilder()
                .putString("type", "object").build())).build())).build())
        .messages(user("Check it [tool:lookupPolicy {\"policyId\":\"P-7\"}]")));
    assertThat(response.stopReason()).isEqualTo(StopReason.TOOL_USE);
    assertThat(response.output().message().content().get(0).toolUse().name())
        .isEqualTo("lookupPolicy");
    assertThat(response.output().message().content().get(0).toolUse().input().asMap()
        .get("policyId").asString()).isEqualTo("P-7");
    assertUsage(response.usage(), fake.exchanges().get(0));
  }

  @Test
  void theSdkRetriesA500AndGivesUpOnAnother() {
    ConverseResponse response = sync.converse(b -> b.modelId(HAIKU).messages(user("x [fail:500]")));
    List<Exchange> log = fake.exchanges();
    assertThat(log).extracting(Exchange::httpStatus).containsExactly(500, 200);
    assertUsage(response.usage(), log.get(1));
    fake.reset();
    assertThatThrownBy(() -> sync.converse(b -> b.modelId(HAIKU)
        .messages(user("x [fail-always:500]")))).isInstanceOf(InternalServerException.class);
    assertThat(fake.exchanges()).extracting(Exchange::httpStatus).containsExactly(500, 500);
  }

  @Test
  void converseStreamFramingParsesInTheSdk() throws Exception {
    List<String> text = new ArrayList<>();
    List<TokenUsage> usage = new ArrayList<>();
    List<StopReason> stops = new ArrayList<>();
    ConverseStreamResponseHandler handler = ConverseStreamResponseHandler.builder()
        .subscriber(ConverseStreamResponseHandler.Visitor.builder()
            .onContentBlockDelta((ContentBlockDeltaEvent e) -> text.add(e.delta().text()))
            .onMessageStop((MessageStopEvent e) -> stops.add(e.stopReason()))
            .onMetadata((ConverseStreamMetadataEvent e) -> usage.add(e.usage()))
            .build())
        .build();
    async.converseStream(b -> b.modelId(HAIKU).messages(user("Stream it")), handler)
        .get(30, TimeUnit.SECONDS);
    Exchange sent = fake.exchanges().get(0);
    assertThat(sent.streaming()).isTrue();
    assertThat(String.join("", text)).startsWith("[fake-reply ");
    assertThat(stops).containsExactly(StopReason.END_TURN);
    assertThat(usage).hasSize(1);
    assertUsage(usage.get(0), sent);
  }

  @Test
  void invokeModelAnswersInAnthropicsWords() throws Exception {
    String body = "{\"anthropic_version\":\"bedrock-2023-05-31\",\"max_tokens\":64,"
        + "\"messages\":[{\"role\":\"user\",\"content\":\"Invoke it\"}]}";
    InvokeModelResponse response = sync.invokeModel(b -> b
        .modelId("anthropic.claude-sonnet-4-5-20250929-v1:0")
        .contentType("application/json").body(SdkBytes.fromString(body, StandardCharsets.UTF_8)));
    String json = response.body().asUtf8String();
    Exchange sent = fake.exchanges().get(0);
    assertThat(sent.protocol()).isEqualTo(Protocol.BEDROCK_INVOKE);
    assertThat(sent.model()).isEqualTo("anthropic.claude-sonnet-4-5-20250929-v1:0");
    assertThat(json).contains("\"model\":\"claude-sonnet-4-5-20250929\"")
        .contains("\"input_tokens\":" + sent.usageOrZero("input_tokens"))
        .contains("\"output_tokens\":" + sent.usageOrZero("output_tokens"));
  }
}
