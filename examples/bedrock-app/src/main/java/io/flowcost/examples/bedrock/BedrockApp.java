package io.flowcost.examples.bedrock;

import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.core.retry.backoff.FixedDelayBackoffStrategy;
import software.amazon.awssdk.http.Protocol;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.bedrockruntime.BedrockRuntimeAsyncClient;
import software.amazon.awssdk.services.bedrockruntime.BedrockRuntimeClient;
import software.amazon.awssdk.services.bedrockruntime.model.ContentBlock;
import software.amazon.awssdk.services.bedrockruntime.model.ContentBlockDeltaEvent;
import software.amazon.awssdk.services.bedrockruntime.model.ConversationRole;
import software.amazon.awssdk.services.bedrockruntime.model.ConverseResponse;
import software.amazon.awssdk.services.bedrockruntime.model.ConverseStreamMetadataEvent;
import software.amazon.awssdk.services.bedrockruntime.model.ConverseStreamResponseHandler;
import software.amazon.awssdk.services.bedrockruntime.model.Message;
import software.amazon.awssdk.services.bedrockruntime.model.MessageStopEvent;
import software.amazon.awssdk.services.bedrockruntime.model.SystemContentBlock;

/**
 * Runs fixed AWS SDK v2 Bedrock Runtime calls and prints one deterministic line each.
 *
 * <pre>
 * java -jar flowcost-bedrock-app.jar --provider-url http://127.0.0.1:PORT
 * </pre>
 *
 * <ol>
 *   <li>Converse, sync client on Apache HttpClient 4, a cached system prompt (cache write);
 *   <li>Converse, sync on Apache, a 500 the SDK retries (two attempts of one call);
 *   <li>Converse, sync client on the JDK {@code HttpURLConnection} client, Amazon Nova Lite;
 *   <li>InvokeModel, sync on Apache, an Anthropic Messages body;
 *   <li>Converse, async client on Netty, the model named by an inference-profile ARN;
 *   <li>ConverseStream, async on Netty (the binary event stream);
 *   <li>Converse, async on Netty, a throttle (429) the SDK retries.
 * </ol>
 */
public final class BedrockApp {

  static final String HAIKU = "us.anthropic.claude-haiku-4-5-20251001-v1:0";
  static final String HAIKU_ARN =
      "arn:aws:bedrock:us-east-1:123456789012:inference-profile/" + HAIKU;
  static final String SONNET = "anthropic.claude-sonnet-4-5-20250929-v1:0";
  static final String NOVA_LITE = "amazon.nova-lite-v1:0";

  private BedrockApp() {}

  /** Entry point. */
  public static void main(String[] args) throws Exception {
    String base = null;
    for (int i = 0; i + 1 < args.length; i++) {
      if (args[i].equals("--provider-url")) {
        base = args[i + 1];
      }
    }
    if (base == null) {
      System.err.println("usage: --provider-url http://127.0.0.1:PORT");
      System.exit(2);
    }
    URI endpoint = URI.create(base.replaceAll("/v1/?$", ""));
    StaticCredentialsProvider credentials =
        StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDFAKE", "fake-secret"));
    // one retry, 10 ms apart: the fake's scripted failures stay fast
    ClientOverrideConfiguration retries = ClientOverrideConfiguration.builder()
        .retryPolicy(r -> r.numRetries(1)
            .backoffStrategy(FixedDelayBackoffStrategy.create(Duration.ofMillis(10)))
            .throttlingBackoffStrategy(FixedDelayBackoffStrategy.create(Duration.ofMillis(10))))
        .build();
    PrintStream out = System.out;
    try (BedrockRuntimeClient apache = BedrockRuntimeClient.builder().endpointOverride(endpoint)
            .region(Region.US_EAST_1).credentialsProvider(credentials)
            .httpClientBuilder(ApacheHttpClient.builder()).overrideConfiguration(retries).build();
        BedrockRuntimeClient urlConnection = BedrockRuntimeClient.builder()
            .endpointOverride(endpoint).region(Region.US_EAST_1).credentialsProvider(credentials)
            .httpClientBuilder(UrlConnectionHttpClient.builder()).overrideConfiguration(retries)
            .build();
        BedrockRuntimeAsyncClient netty = BedrockRuntimeAsyncClient.builder()
            .endpointOverride(endpoint).region(Region.US_EAST_1).credentialsProvider(credentials)
            .httpClientBuilder(NettyNioAsyncHttpClient.builder().protocol(Protocol.HTTP1_1))
            .overrideConfiguration(retries).build()) {
      ConverseResponse cached = apache.converse(b -> b.modelId(HAIKU)
          .system(SystemContentBlock.fromText("You are a careful claims assistant. ".repeat(40)),
              SystemContentBlock.builder().cachePoint(c -> c.type("default")).build())
          .messages(user("Bedrock converse with a cached system prompt")));
      out.println("1 converse " + describe(cached));
      ConverseResponse retried =
          apache.converse(b -> b.modelId(HAIKU).messages(user("Bedrock busy [fail:500]")));
      out.println("2 retried " + describe(retried));
      ConverseResponse nova = urlConnection.converse(b -> b.modelId(NOVA_LITE)
          .messages(user("Bedrock on the URL connection client")));
      out.println("3 url-connection " + describe(nova));
      String body = "{\"anthropic_version\":\"bedrock-2023-05-31\",\"max_tokens\":128,"
          + "\"messages\":[{\"role\":\"user\",\"content\":\"Bedrock invoke\"}]}";
      String invoked = apache.invokeModel(b -> b.modelId(SONNET).contentType("application/json")
          .body(SdkBytes.fromString(body, StandardCharsets.UTF_8))).body().asUtf8String();
      out.println("4 invoke " + invoked.contains("\"stop_reason\":\"end_turn\""));
      ConverseResponse viaArn = netty.converse(b -> b.modelId(HAIKU_ARN)
          .messages(user("Bedrock async by ARN"))).get(30, TimeUnit.SECONDS);
      out.println("5 async " + describe(viaArn));
      out.println("6 stream " + stream(netty));
      ConverseResponse throttled = netty.converse(b -> b.modelId(HAIKU)
          .messages(user("Bedrock throttled [fail:429]"))).get(30, TimeUnit.SECONDS);
      out.println("7 throttled " + describe(throttled));
    }
  }

  private static String stream(BedrockRuntimeAsyncClient netty) throws Exception {
    StringBuilder text = new StringBuilder();
    List<String> tail = new ArrayList<>();
    ConverseStreamResponseHandler handler = ConverseStreamResponseHandler.builder()
        .subscriber(ConverseStreamResponseHandler.Visitor.builder()
            .onContentBlockDelta((ContentBlockDeltaEvent e) -> text.append(e.delta().text()))
            .onMessageStop((MessageStopEvent e) -> tail.add(e.stopReasonAsString()))
            .onMetadata((ConverseStreamMetadataEvent e) ->
                tail.add("in=" + e.usage().inputTokens() + " out=" + e.usage().outputTokens()))
            .build())
        .build();
    netty.converseStream(b -> b.modelId(HAIKU).messages(user("Bedrock stream")), handler)
        .get(30, TimeUnit.SECONDS);
    return text.length() + " chars " + String.join(" ", tail);
  }

  private static String describe(ConverseResponse r) {
    return r.stopReasonAsString() + " in=" + r.usage().inputTokens() + " out="
        + r.usage().outputTokens() + " cache_read=" + r.usage().cacheReadInputTokens()
        + " cache_write=" + r.usage().cacheWriteInputTokens();
  }

  private static Message user(String text) {
    return Message.builder().role(ConversationRole.USER).content(ContentBlock.fromText(text))
        .build();
  }
}
