package io.flowcost.agent.genai;

import static io.flowcost.agent.context.SpanAttributes.ATTEMPT;
import static io.flowcost.agent.context.SpanAttributes.ATTEMPTS;
import static io.flowcost.agent.context.SpanAttributes.CACHE_READ_TOKENS;
import static io.flowcost.agent.context.SpanAttributes.CALL_ID;
import static io.flowcost.agent.context.SpanAttributes.HTTP_STATUS;
import static io.flowcost.agent.context.SpanAttributes.INPUT_TOKENS;
import static io.flowcost.agent.context.SpanAttributes.OUTPUT_TOKENS;
import static io.flowcost.agent.context.SpanAttributes.PROVIDER;
import static io.flowcost.agent.context.SpanAttributes.REASONING_TOKENS;
import static io.flowcost.agent.context.SpanAttributes.REQUEST_MODEL;
import static io.flowcost.agent.context.SpanAttributes.REQUEST_STREAM;
import static io.flowcost.agent.context.SpanAttributes.RESPONSE_ID;
import static io.flowcost.agent.context.SpanAttributes.WORKFLOW_ROOT;
import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.flowcost.agent.AgentConfig;
import io.flowcost.agent.calls.LogicalCall;
import io.flowcost.agent.caps.CapGuard;
import io.flowcost.agent.context.AgentContext;
import io.flowcost.agent.context.Workflow;
import io.flowcost.outcome.CapKind;
import io.flowcost.outcome.WorkflowCapExceededException;
import io.opentelemetry.context.Context;
import io.flowcost.agent.http.HttpSettings;
import io.flowcost.agent.http.okhttp.OkHttpTracing;
import io.flowcost.agent.testing.AgentTelemetryExtension;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import okhttp3.Interceptor;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The Google Gen AI SDK's shape on OkHttp: its retry interceptor (here a loop doing what {@code
 * com.google.genai.RetryInterceptor} does, wrapped by the advice's calls) before the agent's
 * interceptor, against a Gemini-shaped server. The real SDK runs in {@code GeminiEndToEndTest}.
 */
class GoogleGenAiTracingTest {

  @RegisterExtension final AgentTelemetryExtension telemetry = new AgentTelemetryExtension();

  static final String REPLY =
      "{\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"hi\"}],\"role\":\"model\"},"
          + "\"finishReason\":\"STOP\",\"index\":0}],\"usageMetadata\":{\"promptTokenCount\":220,"
          + "\"candidatesTokenCount\":5,\"cachedContentTokenCount\":128,\"thoughtsTokenCount\":185,"
          + "\"totalTokenCount\":410},\"modelVersion\":\"gemini-2.5-flash\",\"responseId\":\"g-1\"}";

  static final List<String> CHUNKS = List.of(
      "{\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"he\"}],\"role\":\"model\"},\"index\":0}],"
          + "\"usageMetadata\":{\"promptTokenCount\":30,\"candidatesTokenCount\":3,"
          + "\"thoughtsTokenCount\":64,\"totalTokenCount\":97},\"modelVersion\":\"gemini-2.5-flash\"}",
      "{\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"llo\"}],\"role\":\"model\"},"
          + "\"finishReason\":\"STOP\",\"index\":0}],\"usageMetadata\":{\"promptTokenCount\":30,"
          + "\"candidatesTokenCount\":9,\"thoughtsTokenCount\":64,\"totalTokenCount\":103},"
          + "\"modelVersion\":\"gemini-2.5-flash\",\"responseId\":\"g-2\"}");

  static HttpServer server;
  static ExecutorService executor;
  static final AtomicInteger busy = new AtomicInteger();
  /** Requests the server received. */
  static final AtomicInteger received = new AtomicInteger();
  OkHttpClient client;

  @BeforeAll
  static void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    executor = Executors.newFixedThreadPool(2);
    server.createContext("/", GoogleGenAiTracingTest::handle);
    server.setExecutor(executor);
    server.start();
  }

  @AfterAll
  static void stop() {
    server.stop(0);
    executor.shutdownNow();
  }

  static String root() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  private static void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      received.incrementAndGet();
      String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      String path = exchange.getRequestURI().getPath();
      if (body.contains("[busy]") && busy.getAndIncrement() % 2 == 0) {
        send(exchange, 503, "application/json",
            "{\"error\":{\"code\":503,\"message\":\"overloaded\",\"status\":\"UNAVAILABLE\"}}");
      } else if (path.endsWith(":streamGenerateContent")) {
        send(exchange, 200, "text/event-stream",
            CHUNKS.stream().map(c -> "data: " + c + "\r\n\r\n").collect(Collectors.joining()));
      } else if (path.endsWith(":generateContent")) {
        send(exchange, 200, "application/json", REPLY);
      } else {
        send(exchange, 200, "application/json", "{\"name\":\"cachedContents/1\"}");
      }
    }
  }

  private static void send(HttpExchange exchange, int status, String type, String text)
      throws IOException {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", type);
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  /** What {@code RetryInterceptor.intercept} does (retry a 503 once), inside the advice's calls. */
  static final Interceptor SDK_RETRY = chain -> {
    Object token = GoogleGenAiTracing.retryEnter();
    Throwable thrown = null;
    try {
      Response response = chain.proceed(chain.request());
      if (response.code() == 503) {
        response.close();
        response = chain.proceed(chain.request());
      }
      return response;
    } catch (IOException | RuntimeException e) {
      thrown = e;
      throw e;
    } finally {
      GoogleGenAiTracing.retryExit(token, thrown);
    }
  };

  @BeforeEach
  void client() {
    busy.set(0);
    HttpSettings.install(HttpSettings.from(
        Map.of("flowcost.llm-endpoints", root())::get, n -> null, "http://127.0.0.1:4318"));
    OkHttpClient.Builder builder = new OkHttpClient.Builder().addInterceptor(SDK_RETRY);
    OkHttpTracing.addInterceptor(builder); // OkHttpBuilderAdvice: after the SDK's interceptors
    client = builder.build();
  }

  @AfterEach
  void reset() {
    client.dispatcher().executorService().shutdown();
    client.connectionPool().evictAll();
    HttpSettings.install(HttpSettings.from(n -> null, n -> null, "http://127.0.0.1:4318"));
  }

  static Request generate(String model, String verb, String text) {
    String body = "{\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"" + text + "\"}]}]}";
    return new Request.Builder()
        .url(root() + "/v1beta/models/" + model + ":" + verb
            + (verb.startsWith("stream") ? "?alt=sse" : ""))
        .header("x-goog-api-key", "test-key")
        .post(RequestBody.create(body, MediaType.get("application/json")))
        .build();
  }

  @Test
  void generateContentIsAGeminiCallWithTheModelOfItsUrlAndNormalisedUsage() throws IOException {
    try (Response response =
        client.newCall(generate("gemini-2.5-flash", "generateContent", "hello")).execute()) {
      assertThat(response.body().string()).isEqualTo(REPLY);
    }
    assertThat(telemetry.span(WORKFLOW_ROOT, true).getName())
        .isEqualTo("claims-bot:generate_content gemini-2.5-flash");
    SpanData call = telemetry.span(ATTEMPTS, 1L);
    assertThat(call.getAttributes().get(PROVIDER)).isEqualTo("gcp.gemini");
    assertThat(call.getAttributes().get(REQUEST_MODEL)).isEqualTo("gemini-2.5-flash");
    assertThat(call.getAttributes().get(REQUEST_STREAM)).isNotEqualTo(Boolean.TRUE);
    SpanData attempt = telemetry.span(ATTEMPT, 1L);
    assertThat(attempt.getAttributes().get(INPUT_TOKENS)).isEqualTo(220L);
    assertThat(attempt.getAttributes().get(CACHE_READ_TOKENS)).isEqualTo(128L);
    assertThat(attempt.getAttributes().get(OUTPUT_TOKENS)).isEqualTo(5L + 185L); // thoughts added
    assertThat(attempt.getAttributes().get(REASONING_TOKENS)).isEqualTo(185L);
  }

  @Test
  void aRetried503IsTheFirstAttemptOfOneCall() throws IOException {
    try (Response response =
        client.newCall(generate("gemini-2.5-flash", "generateContent", "[busy]")).execute()) {
      assertThat(response.code()).isEqualTo(200);
      response.body().string();
    }
    SpanData call = telemetry.span(ATTEMPTS, 2L);
    assertThat(call.getAttributes().get(REQUEST_MODEL)).isEqualTo("gemini-2.5-flash");
    SpanData first = telemetry.span(ATTEMPT, 1L);
    SpanData second = telemetry.span(ATTEMPT, 2L);
    assertThat(first.getAttributes().get(CALL_ID)).isEqualTo(call.getSpanId());
    assertThat(second.getAttributes().get(CALL_ID)).isEqualTo(call.getSpanId());
    assertThat(first.getAttributes().get(HTTP_STATUS)).isEqualTo(503L);
    assertThat(first.getAttributes().get(INPUT_TOKENS)).isNull();
    assertThat(second.getAttributes().get(INPUT_TOKENS)).isEqualTo(220L);
    assertThat(telemetry.spans().stream().filter(s -> s.getAttributes().get(ATTEMPTS) != null))
        .as("one logical call").hasSize(1);
  }

  @Test
  void aStreamIsAStreamingCallWithTheLastChunksTotalsEndedWhenTheAppClosesIt() throws IOException {
    String body;
    try (Response response = client.newCall(
        generate("gemini-2.5-flash", "streamGenerateContent", "stream")).execute()) {
      assertThat(telemetry.spans()).as("the SDK's loop returned, the body is unread").isEmpty();
      body = response.body().string();
    }
    assertThat(body).contains("llo");
    SpanData call = telemetry.span(ATTEMPTS, 1L);
    assertThat(call.getAttributes().get(REQUEST_STREAM)).isTrue();
    SpanData attempt = telemetry.span(ATTEMPT, 1L);
    assertThat(attempt.getAttributes().get(RESPONSE_ID)).isEqualTo("g-2");
    assertThat(attempt.getAttributes().get(INPUT_TOKENS)).isEqualTo(30L);
    assertThat(attempt.getAttributes().get(OUTPUT_TOKENS)).isEqualTo(9L + 64L); // last, not summed
  }

  @Test
  void aFailedStreamAttemptIsStillMarkedStreaming() throws IOException {
    try (Response response = client.newCall(
        generate("gemini-2.5-flash", "streamGenerateContent", "[busy]")).execute()) {
      response.body().string();
    }
    SpanData call = telemetry.span(ATTEMPTS, 2L);
    assertThat(call.getAttributes().get(REQUEST_STREAM)).isTrue();
  }

  @Test
  void aRequestThatIsNoModelCallRecordsNothing() throws IOException {
    Request create = new Request.Builder().url(root() + "/v1beta/cachedContents")
        .post(RequestBody.create("{}", MediaType.get("application/json"))).build();
    try (Response response = client.newCall(create).execute()) {
      response.body().string();
    }
    assertThat(telemetry.spans()).isEmpty();
  }

  @Test
  void insideACallThatRecordsItsOwnAttemptsTheLoopOpensNoGroup() throws IOException {
    LogicalCall outer = LogicalCall.start("model", "chat", "gcp.gemini", "gemini-2.5-flash", false);
    try (Scope ignored = outer.context().makeCurrent()) {
      assertThat(GoogleGenAiTracing.retryEnter()).isNull();
      try (Response response =
          client.newCall(generate("gemini-2.5-flash", "generateContent", "hello")).execute()) {
        response.body().string();
      }
    }
    outer.end(null, null, null, null);
    assertThat(telemetry.spans()).hasSize(2); // the outer call and its implicit workflow
  }

  /**
   * {@code max-model-calls=2} in enforce: the SDK's third {@code generateContent} in a workflow is
   * refused by the OkHttp unit before it leaves the JVM and reaches the app as {@code
   * WorkflowCapExceededException} out of {@code execute()} (the SDK's retry loop does not retry
   * it: it retries only responses). The second call's retried 503 is an attempt of that call, not
   * a call the cap refuses: the server receives 2 + 1 requests.
   */
  @Test
  void theThirdCallPastMaxModelCallsIsRefusedBeforeItLeavesTheJvm() throws IOException {
    AgentConfig original = AgentContext.config();
    AgentContext.install(AgentContext.tracer(), AgentConfig.from(Map.of(
        "flowcost.service", "claims-bot", "flowcost.caps", "max-model-calls=2",
        "flowcost.caps.mode", "enforce")::get, n -> null));
    int before = received.get();
    Workflow wf = AgentContext.startWorkflow("gemini-loop", "api", null, null);
    Throwable refused;
    try (Scope ignored = wf.attach(Context.current()).makeCurrent()) {
      try (Response r = client.newCall(generate("gemini-2.5-flash", "generateContent", "a")).execute()) {
        assertThat(r.body().string()).isEqualTo(REPLY);
      }
      try (Response r =
          client.newCall(generate("gemini-2.5-flash", "generateContent", "[busy]")).execute()) {
        assertThat(r.code()).isEqualTo(200);
        r.body().string();
      }
      refused = org.assertj.core.api.Assertions.catchThrowable(() ->
          client.newCall(generate("gemini-2.5-flash", "generateContent", "c")).execute().close());
    } finally {
      wf.rootSpan().end();
      AgentContext.install(AgentContext.tracer(), original);
    }
    assertThat(refused).isInstanceOfSatisfying(WorkflowCapExceededException.class, e -> {
      assertThat(e.capKind()).isEqualTo(CapKind.MAX_MODEL_CALLS);
      assertThat(e.workflowId()).isEqualTo(wf.id());
    });
    assertThat(received.get() - before).as("requests the server received").isEqualTo(3);
    assertThat(wf.spend().modelCalls()).isEqualTo(2);
    assertThat(wf.spend().tokens()).as("2 x (220 + 5 + 185), the 503 billed nothing")
        .isEqualTo(2 * (220 + 5 + 185));
    assertThat(telemetry.spans())
        .filteredOn(s -> Boolean.TRUE.equals(s.getAttributes().get(CapGuard.BREACH)))
        .singleElement()
        .satisfies(b -> {
          assertThat(b.getAttributes().get(CapGuard.ENFORCED)).isTrue();
          assertThat(b.getAttributes().get(CapGuard.MODE)).isEqualTo("enforce");
          assertThat(b.getAttributes().get(CapGuard.MODEL_CALLS)).isEqualTo(2L);
        });
    assertThat(telemetry.spans()).as("the refused call records no model call")
        .filteredOn(s -> s.getAttributes().get(ATTEMPTS) != null)
        .extracting(s -> s.getAttributes().get(ATTEMPTS))
        .containsExactlyInAnyOrder(1L, 2L);
  }
}
