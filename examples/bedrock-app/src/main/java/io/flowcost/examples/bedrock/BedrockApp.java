package io.flowcost.examples.bedrock;

import io.flowcost.outcome.CapKind;
import io.flowcost.outcome.Flowcost;
import io.flowcost.outcome.Workflow;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import software.amazon.awssdk.core.document.Document;
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
import software.amazon.awssdk.services.bedrockruntime.model.Tool;
import software.amazon.awssdk.services.bedrockruntime.model.ToolConfiguration;
import software.amazon.awssdk.services.bedrockruntime.model.ToolInputSchema;
import software.amazon.awssdk.services.bedrockruntime.model.ToolResultBlock;
import software.amazon.awssdk.services.bedrockruntime.model.ToolResultContentBlock;
import software.amazon.awssdk.services.bedrockruntime.model.ToolResultStatus;
import software.amazon.awssdk.services.bedrockruntime.model.ToolUseBlock;
import software.amazon.awssdk.services.bedrockruntime.model.ConverseStreamRequest;
import software.amazon.awssdk.protocols.jsoncore.JsonNode;
import software.amazon.awssdk.protocols.jsoncore.JsonNodeParser;

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
 *   <li>Converse, async on Netty, a throttle (429) the SDK retries;
 *   <li>a function-calling loop the app runs over Converse (sync, Apache) inside the outcome-api
 *       workflow {@code claim-review}: the model asks for {@code lookupPolicy}, then for {@code
 *       checkFraud}, whose run fails (the app sends its result back with {@code status: "error"}),
 *       then answers — three requests, two tools run;
 *   <li>a function-calling round over ConverseStream (async, Netty) with no workflow of the app's:
 *       the streamed {@code toolUse} is assembled from its deltas, {@code lookupPolicy} runs and
 *       its result goes back in a second stream.
 * </ol>
 *
 * <p>With {@code --capped} it runs only one workflow, {@code capped-loop}, capped at three model
 * calls through outcome-api: a Converse tool loop the fake never ends ({@code [tool-loop:…]}),
 * the app running the tool and answering each turn, until a call throws; it prints each turn and
 * the class names of what stopped the loop.
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
      System.err.println("usage: --provider-url http://127.0.0.1:PORT [--capped]");
      System.exit(2);
    }
    boolean capped = Arrays.asList(args).contains("--capped");
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
      if (capped) {
        runCapped(apache, out);
        return;
      }
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
      try (Workflow wf = Flowcost.workflow("claim-review").tag("team", "bedrock").start()) {
        out.println("8 tools " + toolLoop(apache));
        wf.success();
      }
      out.println("9 stream-tool " + streamToolRound(netty));
    } finally {
      if (!Flowcost.flush(Duration.ofSeconds(5))) {
        System.err.println("bedrock-app: some workflow reports were not delivered");
      }
    }
  }

  /** The two tools of the function-calling rounds. */
  static final ToolConfiguration TOOLS = ToolConfiguration.builder().tools(
      tool("lookupPolicy", "Looks up an insurance policy by id", "policyId"),
      tool("checkFraud", "Scores a claim for fraud", "claimId")).build();

  /**
   * Converse until the model stops asking for tools (at most 5 turns): each {@code toolUse} is
   * run and answered with a {@code toolResult}, {@code status: "error"} when the tool threw.
   */
  static String toolLoop(BedrockRuntimeClient client) {
    List<Message> history = new ArrayList<>();
    history.add(user("Review claim CLM-8 [tool:lookupPolicy {\"policyId\":\"P-8\"}]"
        + " [tool:checkFraud {\"claimId\":\"CLM-8\"}]"));
    List<String> ran = new ArrayList<>();
    for (int turn = 0; turn < 5; turn++) {
      ConverseResponse response =
          client.converse(b -> b.modelId(HAIKU).toolConfig(TOOLS).messages(history));
      Message answer = response.output().message();
      List<ContentBlock> results = new ArrayList<>();
      for (ContentBlock block : answer.content()) {
        if (block.toolUse() != null) {
          results.add(ContentBlock.fromToolResult(runTool(block.toolUse(), ran)));
        }
      }
      if (results.isEmpty()) {
        return String.join(" ", ran) + " -> " + tag(text(answer)) + " " + describe(response);
      }
      history.add(answer);
      history.add(Message.builder().role(ConversationRole.USER).content(results).build());
    }
    return String.join(" ", ran) + " -> no answer after 5 turns";
  }

  /**
   * One function-calling round over ConverseStream: the {@code toolUse} arrives as a {@code
   * contentBlockStart} and input deltas; the app runs it and streams the answer to its result.
   */
  static String streamToolRound(BedrockRuntimeAsyncClient netty) throws Exception {
    List<Message> history = new ArrayList<>();
    history.add(user("Is policy P-9 active? [tool:lookupPolicy {\"policyId\":\"P-9\"}]"));
    Streamed first = converseStream(netty, history);
    if (first.toolUseId == null) {
      return "no tool use: " + first.stopReason;
    }
    ToolUseBlock use = ToolUseBlock.builder().toolUseId(first.toolUseId).name(first.toolName)
        .input(document(JsonNodeParser.create().parse(first.toolInput.toString()))).build();
    List<String> ran = new ArrayList<>();
    ToolResultBlock result = runTool(use, ran);
    history.add(Message.builder().role(ConversationRole.ASSISTANT)
        .content(ContentBlock.fromToolUse(use)).build());
    history.add(Message.builder().role(ConversationRole.USER)
        .content(ContentBlock.fromToolResult(result)).build());
    Streamed second = converseStream(netty, history);
    return first.stopReason + " " + String.join(" ", ran) + " -> " + tag(second.text.toString())
        + " " + second.stopReason + " " + second.usage;
  }

  /** What one ConverseStream delivered (its handler's callbacks run on the SDK's threads). */
  private static final class Streamed {
    final StringBuilder text = new StringBuilder();
    final StringBuilder toolInput = new StringBuilder();
    volatile String toolUseId;
    volatile String toolName;
    volatile String stopReason;
    volatile String usage;
  }

  private static Streamed converseStream(BedrockRuntimeAsyncClient netty, List<Message> history)
      throws Exception {
    Streamed s = new Streamed();
    ConverseStreamResponseHandler handler = ConverseStreamResponseHandler.builder()
        .subscriber(ConverseStreamResponseHandler.Visitor.builder()
            .onContentBlockStart(e -> {
              if (e.start() != null && e.start().toolUse() != null) {
                s.toolUseId = e.start().toolUse().toolUseId();
                s.toolName = e.start().toolUse().name();
              }
            })
            .onContentBlockDelta((ContentBlockDeltaEvent e) -> {
              synchronized (s) {
                if (e.delta().text() != null) {
                  s.text.append(e.delta().text());
                } else if (e.delta().toolUse() != null) {
                  s.toolInput.append(e.delta().toolUse().input());
                }
              }
            })
            .onMessageStop((MessageStopEvent e) -> s.stopReason = e.stopReasonAsString())
            .onMetadata((ConverseStreamMetadataEvent e) -> s.usage =
                "in=" + e.usage().inputTokens() + " out=" + e.usage().outputTokens())
            .build())
        .build();
    ConverseStreamRequest request = ConverseStreamRequest.builder().modelId(HAIKU)
        .toolConfig(TOOLS).messages(history).build();
    netty.converseStream(request, handler).get(30, TimeUnit.SECONDS);
    synchronized (s) {
      return s;
    }
  }

  /**
   * A workflow capped at three model calls (outcome-api) running a tool loop the fake never ends:
   * each turn's tool runs and its result goes back, until a call is refused.
   */
  static void runCapped(BedrockRuntimeClient client, PrintStream out) {
    try (Workflow wf = Flowcost.workflow("capped-loop")
        .cap(CapKind.MAX_MODEL_CALLS, BigDecimal.valueOf(3)).start()) {
      List<Message> history = new ArrayList<>();
      history.add(user("Keep checking policy P-10 [tool-loop:lookupPolicy]"));
      List<String> ran = new ArrayList<>();
      for (int turn = 1; turn <= 6; turn++) {
        ConverseResponse response;
        try {
          response = client.converse(b -> b.modelId(HAIKU).toolConfig(TOOLS).messages(history));
        } catch (RuntimeException e) {
          out.println("capped-" + turn + " refused " + chain(e));
          wf.fail(e);
          return;
        }
        Message answer = response.output().message();
        out.println("capped-" + turn + " " + response.stopReasonAsString());
        List<ContentBlock> results = new ArrayList<>();
        for (ContentBlock block : answer.content()) {
          if (block.toolUse() != null) {
            results.add(ContentBlock.fromToolResult(runTool(block.toolUse(), ran)));
          }
        }
        history.add(answer);
        history.add(Message.builder().role(ConversationRole.USER).content(results).build());
      }
      out.println("capped: never refused");
    }
  }

  /** The class names of an exception and its causes, outermost first. */
  static String chain(Throwable e) {
    List<String> names = new ArrayList<>();
    for (Throwable t = e; t != null && names.size() < 5; t = t.getCause()) {
      names.add(t.getClass().getName());
    }
    return String.join(" <- ", names);
  }

  /** Runs the app's tool for a {@code toolUse}; a tool that throws gives an error result. */
  static ToolResultBlock runTool(ToolUseBlock use, List<String> ran) {
    Map<String, Document> input = use.input() != null && use.input().isMap()
        ? use.input().asMap() : Map.of();
    ToolResultBlock.Builder result = ToolResultBlock.builder().toolUseId(use.toolUseId());
    try {
      Document answer = switch (use.name()) {
        case "lookupPolicy" -> lookupPolicy(string(input.get("policyId")));
        case "checkFraud" -> checkFraud(string(input.get("claimId")));
        default -> throw new IllegalArgumentException("no such tool");
      };
      ran.add(use.name() + "(" + argument(input) + ")=ok");
      return result.content(ToolResultContentBlock.fromJson(answer)).build();
    } catch (RuntimeException e) {
      ran.add(use.name() + "(" + argument(input) + ")=error");
      return result.status(ToolResultStatus.ERROR)
          .content(ToolResultContentBlock.fromText("tool failed: " + e.getClass().getSimpleName()))
          .build();
    }
  }

  /** The app's policy lookup. */
  static Document lookupPolicy(String policyId) {
    return Document.mapBuilder().putString("policyId", policyId).putString("status", "active")
        .putNumber("deductible", 250).build();
  }

  /** The app's fraud check: its scoring service is down, so it always throws. */
  static Document checkFraud(String claimId) {
    throw new IllegalStateException("fraud scoring unavailable for " + claimId);
  }

  private static String argument(Map<String, Document> input) {
    return input.isEmpty() ? "" : string(input.values().iterator().next());
  }

  private static String string(Document d) {
    return d != null && d.isString() ? d.asString() : "?";
  }

  private static Tool tool(String name, String description, String parameter) {
    Document schema = Document.mapBuilder().putString("type", "object")
        .putDocument("properties", Document.mapBuilder().putDocument(parameter,
            Document.mapBuilder().putString("type", "string").build()).build())
        .putList("required", l -> l.addString(parameter)).build();
    return Tool.fromToolSpec(t -> t.name(name).description(description)
        .inputSchema(ToolInputSchema.fromJson(schema)));
  }

  /** A JSON value as an SDK document (the streamed tool input arrives as JSON text). */
  static Document document(JsonNode node) {
    if (node.isObject()) {
      Map<String, Document> map = new LinkedHashMap<>();
      node.asObject().forEach((k, v) -> map.put(k, document(v)));
      return Document.fromMap(map);
    }
    if (node.isArray()) {
      List<Document> list = new ArrayList<>();
      node.asArray().forEach(v -> list.add(document(v)));
      return Document.fromList(list);
    }
    if (node.isString()) {
      return Document.fromString(node.asString());
    }
    if (node.isNumber()) {
      return Document.fromNumber(node.asNumber());
    }
    if (node.isBoolean()) {
      return Document.fromBoolean(node.asBoolean());
    }
    return Document.fromNull();
  }

  private static String text(Message message) {
    StringBuilder text = new StringBuilder();
    for (ContentBlock block : message.content()) {
      if (block.text() != null) {
        text.append(block.text());
      }
    }
    return text.toString();
  }

  /** The fake's reply without its digest tag: the part after {@code ]}. */
  private static String tag(String text) {
    int end = text.indexOf("] ");
    return end < 0 ? text : text.substring(end + 2);
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
