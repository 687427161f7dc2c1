package io.flowcost.agent.http.jdk;

import static io.flowcost.agent.context.SpanAttributes.ATTEMPT;
import static io.flowcost.agent.context.SpanAttributes.ATTEMPTS;
import static io.flowcost.agent.context.SpanAttributes.CALL_ID;
import static io.flowcost.agent.context.SpanAttributes.CALL_KIND;
import static io.flowcost.agent.context.SpanAttributes.ERROR_TYPE;
import static io.flowcost.agent.context.SpanAttributes.HTTP_STATUS;
import static io.flowcost.agent.context.SpanAttributes.INPUT_TOKENS;
import static io.flowcost.agent.context.SpanAttributes.OUTPUT_TOKENS;
import static io.flowcost.agent.context.SpanAttributes.PROVIDER;
import static io.flowcost.agent.context.SpanAttributes.REQUEST_MODEL;
import static io.flowcost.agent.context.SpanAttributes.REQUEST_STREAM;
import static io.flowcost.agent.context.SpanAttributes.RESPONSE_MODEL;
import static io.flowcost.agent.context.SpanAttributes.WORKFLOW_ROOT;
import static io.flowcost.agent.context.SpanAttributes.WORKFLOW_SOURCE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flowcost.agent.calls.LogicalCall;
import io.flowcost.agent.context.AgentContext;
import io.flowcost.agent.context.Workflow;
import io.flowcost.agent.http.HttpSettings;
import io.flowcost.agent.context.SpanAttributes;
import io.flowcost.agent.http.TestLlmServer;
import io.flowcost.agent.testing.AgentTelemetryExtension;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The JDK {@code HttpClient} helpers against a local server, called exactly as {@link
 * JdkSendAdvice} calls them around {@code sendAsync}.
 */
class JdkHttpTracingTest {

  @RegisterExtension final AgentTelemetryExtension telemetry = new AgentTelemetryExtension();

  static TestLlmServer server;
  static HttpClient client;

  @BeforeAll
  static void start() throws IOException {
    server = TestLlmServer.start();
    client = HttpClient.newHttpClient();
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @AfterEach
  void resetSettings() {
    HttpSettings.install(HttpSettings.from(n -> null, n -> null, "http://127.0.0.1:4318"));
  }

  static void settings(String... keyValues) {
    Map<String, String> map = new java.util.HashMap<>();
    for (int i = 0; i < keyValues.length; i += 2) {
      map.put(keyValues[i], keyValues[i + 1]);
    }
    HttpSettings.install(HttpSettings.from(map::get, n -> null, "http://127.0.0.1:4318"));
  }

  /** What the advice does around {@code HttpClientImpl.sendAsync}. */
  @SuppressWarnings("unchecked")
  static <T> CompletableFuture<HttpResponse<T>> send(
      HttpRequest request, HttpResponse.BodyHandler<T> handler) {
    Object exchange = JdkHttpTracing.start(request);
    HttpRequest r = (HttpRequest) JdkHttpTracing.request(exchange, request);
    HttpResponse.BodyHandler<T> h =
        (HttpResponse.BodyHandler<T>) JdkHttpTracing.handler(exchange, handler);
    CompletableFuture<HttpResponse<T>> future = client.sendAsync(r, h);
    JdkHttpTracing.end(exchange, future, null);
    return future;
  }

  @Test
  void withTheRequestClassAdvisedTheHeadersReachTheJdksCopyAndTheRequestIsNotCopied() {
    settings("flowcost.propagation.hosts", "127.0.0.1");
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:9/tool"))
        .header("X-App", "a").header("X-Multi", "1").header("X-Multi", "2")
        .header("Baggage", "app=1").build();
    java.net.http.HttpHeaders own = request.headers();
    JdkHttpTracing.headersAdvised(true);
    try {
      Workflow wf = AgentContext.startWorkflow("delegate", "api", null, null);
      Object sent;
      java.net.http.HttpHeaders copied;
      java.net.http.HttpHeaders again;
      java.net.http.HttpHeaders copyingPath;
      try (Scope ignored = wf.attach(Context.current()).makeCurrent()) {
        sent = JdkHttpTracing.request(null, request);
        // what sendAsync does next: HttpRequestImpl copies request.headers().map() with
        // HttpHeaders.of (the advice's entry replaces the map it copies)
        copied = jdkCopy(request);
        again = jdkCopy(request);
        JdkHttpTracing.end(null, null, null);
        JdkHttpTracing.headersAdvised(false);
        copyingPath = ((HttpRequest) JdkHttpTracing.request(null, request)).headers();
      }
      wf.rootSpan().end();

      assertThat(sent).as("not copied").isSameAs(request);
      assertThat(copied.allValues("traceparent")).hasSize(1);
      assertThat(copied.firstValue("traceparent").orElseThrow()).startsWith("00-" + wf.id() + "-");
      assertThat(copied.allValues("baggage")).hasSize(1);
      assertThat(copied.firstValue("baggage").orElseThrow())
          .startsWith("app=1,flowcost.workflow.id=" + wf.id() + ",")
          .contains("flowcost.tag.team=claims", "flowcost.tag.env=test");
      assertThat(copied.allValues("X-Multi")).containsExactly("1", "2");
      assertThat(copied.allValues("X-App")).containsExactly("a");
      assertThat(copied.map().keySet()).containsExactly("baggage", "traceparent", "X-App", "X-Multi");
      // the same headers as the copying path's request (another span id: compared without it)
      assertThat(copyingPath.map().keySet()).isEqualTo(copied.map().keySet());
      assertThat(copyingPath.allValues("baggage")).isEqualTo(copied.allValues("baggage"));
      assertThat(copyingPath.firstValue("traceparent").orElseThrow().substring(0, 36))
          .isEqualTo(copied.firstValue("traceparent").orElseThrow().substring(0, 36));
      assertThat(again).as("once: the JDK's copy only").isEqualTo(own);
      assertThat(request.headers()).as("the application's request untouched").isEqualTo(own);
    } finally {
      JdkHttpTracing.headersAdvised(false);
    }
  }

  /**
   * What {@code HttpRequestImpl} does with the application's request: {@code
   * HttpHeaders.of(request.headers().map(), filter)}, with the map {@link JdkHeadersAdvice} passes
   * on.
   */
  @SuppressWarnings("unchecked")
  private static java.net.http.HttpHeaders jdkCopy(HttpRequest request) {
    Map<String, List<String>> map =
        (Map<String, List<String>>) JdkHttpTracing.map(request.headers().map());
    return java.net.http.HttpHeaders.of(map, (name, value) -> true);
  }

  static HttpRequest chat(String base, String text, boolean stream) {
    String body = "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\""
        + text + "\"}]" + (stream ? ",\"stream\":true" : "") + "}";
    return HttpRequest.newBuilder(URI.create(base + "/chat/completions"))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body))
        .build();
  }

  @Test
  void aBareModelRequestIsOneCallWithOneAttemptInAnImplicitWorkflow() throws Exception {
    settings("flowcost.llm-endpoints", server.baseUrl());
    HttpResponse<String> response =
        send(chat(server.baseUrl(), "hello", false), HttpResponse.BodyHandlers.ofString()).get();

    assertThat(response.body()).isEqualTo(TestLlmServer.JSON_REPLY);
    SpanData root = telemetry.span(WORKFLOW_ROOT, true);
    assertThat(root.getAttributes().get(WORKFLOW_SOURCE)).isEqualTo("implicit");
    assertThat(root.getName()).isEqualTo("claims-bot:chat gpt-4o-mini");
    SpanData call = telemetry.span(ATTEMPTS, 1L);
    assertThat(call.getTraceId()).isEqualTo(root.getTraceId());
    assertThat(call.getAttributes().get(REQUEST_MODEL)).as("read from the ofString body").isEqualTo("gpt-4o-mini");
    assertThat(call.getAttributes().get(PROVIDER)).isEqualTo("openai");
    assertThat(call.getAttributes().get(RESPONSE_MODEL)).isEqualTo("gpt-4o-mini-2024-07-18");
    SpanData attempt = telemetry.span(ATTEMPT, 1L);
    assertThat(attempt.getAttributes().get(CALL_ID)).isEqualTo(call.getSpanId());
    assertThat(attempt.getAttributes().get(HTTP_STATUS)).isEqualTo(200L);
    assertThat(attempt.getAttributes().get(INPUT_TOKENS)).isEqualTo(11L);
    assertThat(attempt.getAttributes().get(OUTPUT_TOKENS)).isEqualTo(7L);
    assertThat(attempt.getAttributes().get(SpanAttributes.RESPONSE_ID))
        .as("the provider's response id, to count an app's own span of it once").isEqualTo("c1");
    assertThat(telemetry.spans()).hasSize(3);
  }

  @Test
  void theCostOpenRouterReportsInTheBodyIsKeptExactlyOnTheAttempt() throws Exception {
    settings("flowcost.llm-endpoints", server.baseUrl());
    send(chat(server.baseUrl(), "[openrouter]", false), HttpResponse.BodyHandlers.ofString()).get();

    SpanData attempt = telemetry.span(ATTEMPT, 1L);
    assertThat(attempt.getAttributes().get(SpanAttributes.PROVIDER_COST_USD))
        .isEqualTo(TestLlmServer.OPENROUTER_COST);
    assertThat(attempt.getAttributes().get(INPUT_TOKENS)).isEqualTo(11L);
    assertThat(telemetry.span(ATTEMPTS, 1L).getAttributes().get(SpanAttributes.PROVIDER_COST_USD))
        .as("only the attempt that got the response carries it")
        .isNull();
  }

  @Test
  void theCostALiteLlmProxyReportsInAHeaderIsKeptOnTheAttempt() throws Exception {
    settings("flowcost.llm-endpoints", server.baseUrl());
    send(chat(server.baseUrl(), "[litellm]", false), HttpResponse.BodyHandlers.ofString()).get();

    SpanData attempt = telemetry.span(ATTEMPT, 1L);
    assertThat(attempt.getAttributes().get(SpanAttributes.PROVIDER_COST_USD))
        .isEqualTo(TestLlmServer.LITELLM_COST);
  }

  @Test
  void withoutAReportedCostTheAttemptHasNone() throws Exception {
    settings("flowcost.llm-endpoints", server.baseUrl());
    send(chat(server.baseUrl(), "hello", false), HttpResponse.BodyHandlers.ofString()).get();

    assertThat(telemetry.span(ATTEMPT, 1L).getAttributes().get(SpanAttributes.PROVIDER_COST_USD))
        .isNull();
  }

  @Test
  void aStreamReadLineByLineGivesTheUsageOfItsLastChunk() throws Exception {
    settings("flowcost.llm-endpoints", server.baseUrl());
    List<String> lines =
        send(chat(server.baseUrl(), "stream", true), HttpResponse.BodyHandlers.ofLines())
            .thenApply(r -> r.body().collect(Collectors.toList()))
            .get();

    assertThat(lines).contains("data: [DONE]");
    SpanData call = telemetry.span(ATTEMPTS, 1L);
    assertThat(call.getAttributes().get(REQUEST_STREAM)).isTrue();
    SpanData attempt = telemetry.span(ATTEMPT, 1L);
    assertThat(attempt.getAttributes().get(INPUT_TOKENS)).isEqualTo(13L);
    assertThat(attempt.getAttributes().get(OUTPUT_TOKENS)).isEqualTo(5L);
    assertThat(attempt.getAttributes().get(RESPONSE_MODEL)).isEqualTo("gpt-4.1-2025");
    assertThat(attempt.getAttributes().get(SpanAttributes.RESPONSE_ID)).isEqualTo("c2");
  }

  @Test
  void anInputStreamBodyIsTeedWhileTheAppReadsIt() throws Exception {
    settings("flowcost.llm-endpoints", server.baseUrl());
    HttpResponse<java.io.InputStream> response =
        send(chat(server.baseUrl(), "stream", true), HttpResponse.BodyHandlers.ofInputStream()).get();
    byte[] body;
    try (java.io.InputStream in = response.body()) {
      body = in.readAllBytes();
    }
    assertThat(new String(body, java.nio.charset.StandardCharsets.UTF_8)).endsWith("data: [DONE]\n\n");
    awaitSpans(3);
    assertThat(telemetry.span(ATTEMPT, 1L).getAttributes().get(OUTPUT_TOKENS)).isEqualTo(5L);
  }

  /**
   * Spring's {@code WebClient} under Spring AI reads a stream through {@code ofPublisher()} and
   * cancels at {@code [DONE]}; when the body's last chunk comes after the cancel, the JDK calls
   * neither {@code onComplete} nor {@code onError}. The server here holds that last chunk back
   * until the test ends: the call must end at the cancel, with the usage read before it (it
   * was lost in a CI run).
   */
  @Test
  void aStreamTheAppCancelsAtDoneEndsItsCallThoughTheBodyHasNotEnded() throws Exception {
    settings("flowcost.llm-endpoints", server.baseUrl());
    try {
      HttpResponse<Flow.Publisher<List<ByteBuffer>>> response =
          send(chat(server.baseUrl(), "stream [hold-open]", true),
              HttpResponse.BodyHandlers.ofPublisher()).get(10, TimeUnit.SECONDS);
      CompletableFuture<String> read = new CompletableFuture<>();
      response.body().subscribe(new Flow.Subscriber<>() {
        private final StringBuilder text = new StringBuilder();
        private Flow.Subscription subscription;

        @Override
        public void onSubscribe(Flow.Subscription s) {
          subscription = s;
          s.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(List<ByteBuffer> buffers) {
          for (ByteBuffer b : buffers) {
            text.append(StandardCharsets.UTF_8.decode(b));
          }
          if (text.indexOf("data: [DONE]") >= 0 && !read.isDone()) {
            subscription.cancel(); // as takeUntil does
            read.complete(text.toString());
          }
        }

        @Override
        public void onError(Throwable t) {
          read.completeExceptionally(t);
        }

        @Override
        public void onComplete() {
          read.complete(text.toString());
        }
      });
      assertThat(read.get(10, TimeUnit.SECONDS)).endsWith("data: [DONE]\n\n");

      awaitSpans(3);
      assertThat(telemetry.spans()).as("workflow, call, attempt").hasSize(3);
      SpanData attempt = telemetry.span(ATTEMPT, 1L);
      assertThat(attempt.getAttributes().get(INPUT_TOKENS)).isEqualTo(13L);
      assertThat(attempt.getAttributes().get(OUTPUT_TOKENS)).isEqualTo(5L);
      assertThat(attempt.getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);
      assertThat(telemetry.span(ATTEMPTS, 1L).getAttributes().get(REQUEST_STREAM)).isTrue();
    } finally {
      server.releaseHeld();
    }
  }

  /** A request whose body the agent cannot replay up front: a streamed publisher, as Spring's. */
  static HttpRequest streamedChat(String base, String model, String text) {
    byte[] body = ("{" + (model == null ? "" : "\"model\":\"" + model + "\",")
        + "\"messages\":[{\"role\":\"user\",\"content\":\"" + text + "\"}]}")
        .getBytes(java.nio.charset.StandardCharsets.UTF_8);
    return HttpRequest.newBuilder(URI.create(base + "/chat/completions"))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(body)))
        .build();
  }

  @Test
  void aStreamedBodyIsCopiedAsSentSoAnAnswerWithoutUsageIsEstimatedFromIt() throws Exception {
    settings("flowcost.llm-endpoints", server.baseUrl());
    String text = "count these words for me please [no-usage]";
    HttpResponse<String> inMemory =
        send(chat(server.baseUrl(), text, false), HttpResponse.BodyHandlers.ofString()).get();
    HttpResponse<String> streamed = send(streamedChat(server.baseUrl(), "gpt-4o-mini", text),
        HttpResponse.BodyHandlers.ofString()).get();

    assertThat(streamed.body()).isEqualTo(inMemory.body()).doesNotContain("usage");
    awaitSpans(6);
    List<SpanData> attempts = telemetry.spans().stream()
        .filter(s -> Long.valueOf(1L).equals(s.getAttributes().get(ATTEMPT)))
        .collect(Collectors.toList());
    assertThat(attempts).hasSize(2);
    AttributeKey<Boolean> estimated = AttributeKey.booleanKey("flowcost.usage.estimated");
    for (SpanData attempt : attempts) {
      assertThat(attempt.getAttributes().get(estimated)).isTrue();
    }
    // the copy taken while the client sent the streamed body is the very body: same estimate
    assertThat(attempts.get(1).getAttributes().get(INPUT_TOKENS))
        .isEqualTo(attempts.get(0).getAttributes().get(INPUT_TOKENS))
        .isGreaterThan(10L);
  }

  @Test
  void insideARetryGroupTheExchangesAreOneCallWhoseModelTheHintsGive() throws Exception {
    settings("flowcost.llm-endpoints", server.baseUrl());
    Context hinted = new io.flowcost.agent.http.RequestHints("gpt-4.1", false).storeIn(Context.current());
    try (Scope ignored = hinted.makeCurrent()) {
      io.flowcost.agent.http.RetryGroup.Token group = io.flowcost.agent.http.RetryGroup.open();
      assertThat(send(streamedChat(server.baseUrl(), null, "busy [fail:429]"),
          HttpResponse.BodyHandlers.ofString()).get().statusCode()).isEqualTo(429);
      assertThat(send(streamedChat(server.baseUrl(), null, "fine"),
          HttpResponse.BodyHandlers.ofString()).get().statusCode()).isEqualTo(200);
      group.close(null);
    }
    awaitSpans(4); // implicit workflow, one call, two attempts
    SpanData call = telemetry.span(ATTEMPTS, 2L);
    assertThat(call.getAttributes().get(REQUEST_MODEL)).isEqualTo("gpt-4.1");
    assertThat(telemetry.span(ATTEMPT, 1L).getAttributes().get(HTTP_STATUS)).isEqualTo(429L);
    assertThat(telemetry.span(ATTEMPT, 2L).getAttributes().get(INPUT_TOKENS)).isEqualTo(11L);
    assertThat(telemetry.span(ATTEMPT, 2L).getAttributes().get(CALL_ID)).isEqualTo(call.getSpanId());
  }

  @Test
  void aRateLimitedRequestIsAFailedAttemptWithoutUsage() throws Exception {
    settings("flowcost.llm-endpoints", server.baseUrl());
    HttpResponse<String> response =
        send(chat(server.baseUrl(), "busy [fail:429]", false), HttpResponse.BodyHandlers.ofString()).get();

    assertThat(response.statusCode()).isEqualTo(429);
    SpanData attempt = telemetry.span(ATTEMPT, 1L);
    assertThat(attempt.getAttributes().get(HTTP_STATUS)).isEqualTo(429L);
    assertThat(attempt.getAttributes().get(ERROR_TYPE)).isEqualTo("http_429");
    assertThat(attempt.getAttributes().get(INPUT_TOKENS)).isNull();
    assertThat(telemetry.span(ATTEMPTS, 1L).getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
  }

  @Test
  void aRefusedConnectionIsAFailedAttemptNamedByItsExceptionClass() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    String base = "http://127.0.0.1:" + port + "/v1";
    settings("flowcost.llm-endpoints", base);
    assertThatThrownBy(() -> send(chat(base, "x", false), HttpResponse.BodyHandlers.ofString()).get())
        .isInstanceOf(ExecutionException.class);
    awaitSpans(3);
    assertThat(telemetry.span(ATTEMPT, 1L).getAttributes().get(ERROR_TYPE))
        .isEqualTo("java.net.ConnectException");
  }

  @Test
  void insideAnotherLogicalCallTheExchangeIsNotRecordedAgain() throws Exception {
    settings("flowcost.llm-endpoints", server.baseUrl(), "flowcost.http.capture", "all");
    LogicalCall outer = LogicalCall.start("model", "chat", "openai", "gpt-4o-mini", false);
    try (Scope ignored = outer.context().makeCurrent()) {
      send(chat(server.baseUrl(), "hello", false), HttpResponse.BodyHandlers.ofString()).get();
    }
    assertThat(telemetry.spans()).isEmpty();
    outer.end(null, null, null, null);
    assertThat(telemetry.spans()).hasSize(2); // the outer call and its implicit workflow only
  }

  @Test
  void otherRequestsAreHttpCallsOnlyInsideAWorkflowWithCaptureAll() throws Exception {
    HttpRequest other = HttpRequest.newBuilder(URI.create(server.root() + "/tools/lookup?id=7")).build();
    send(other, HttpResponse.BodyHandlers.discarding()).get();
    settings("flowcost.http.capture", "all");
    send(other, HttpResponse.BodyHandlers.discarding()).get();
    assertThat(telemetry.spans()).as("outside a workflow").isEmpty();

    Workflow wf = AgentContext.startWorkflow("lookup", "api", null, null);
    try (Scope ignored = wf.attach(Context.current()).makeCurrent()) {
      send(other, HttpResponse.BodyHandlers.discarding()).get();
    }
    wf.rootSpan().end();
    SpanData http = telemetry.span(CALL_KIND, "http");
    assertThat(http.getName()).isEqualTo("GET");
    assertThat(http.getTraceId()).isEqualTo(wf.id());
    assertThat(http.getAttributes().get(AttributeKey.stringKey("server.address"))).isEqualTo("127.0.0.1");
    assertThat(http.getAttributes().get(AttributeKey.stringKey("url.path"))).isEqualTo("/tools/lookup");
    assertThat(http.getAttributes().get(AttributeKey.stringKey("http.request.method"))).isEqualTo("GET");
    assertThat(http.getAttributes().get(HTTP_STATUS)).isEqualTo(204L);
    assertThat(http.getAttributes().asMap().toString()).doesNotContain("id=7");
  }

  @Test
  void requestsToTheCollectorAreNeverRecorded() throws Exception {
    HttpSettings.install(
        HttpSettings.from(
            Map.of("flowcost.http.capture", "all", "flowcost.llm-endpoints", server.root())::get,
            n -> null,
            server.root()));
    Workflow wf = AgentContext.startWorkflow("w", "api", null, null);
    try (Scope ignored = wf.attach(Context.current()).makeCurrent()) {
      send(chat(server.baseUrl(), "x", false), HttpResponse.BodyHandlers.ofString()).get();
      send(HttpRequest.newBuilder(URI.create(server.root() + "/v1/outcomes")).build(),
          HttpResponse.BodyHandlers.discarding()).get();
    }
    wf.rootSpan().end();
    assertThat(telemetry.spans()).hasSize(1); // the workflow span only
  }

  private void awaitSpans(int count) throws InterruptedException {
    long deadline = System.nanoTime() + 5_000_000_000L;
    while (telemetry.spans().size() < count && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
  }
}
