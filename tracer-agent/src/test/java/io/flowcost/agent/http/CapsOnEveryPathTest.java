package io.flowcost.agent.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flowcost.agent.AgentConfig;
import io.flowcost.agent.calls.LogicalCall;
import io.flowcost.agent.caps.CapGuard;
import io.flowcost.agent.caps.CapRefusal;
import io.flowcost.agent.context.AgentContext;
import io.flowcost.agent.context.Workflow;
import io.flowcost.agent.http.apache5.ApacheTracing;
import io.flowcost.agent.http.jdk.JdkHttpTracing;
import io.flowcost.agent.http.okhttp.OkHttpTracing;
import io.flowcost.agent.http.vertx.VertxWebClientTracing;
import io.flowcost.agent.openai.OpenAiSdkTracing;
import io.flowcost.agent.testing.AgentTelemetryExtension;
import io.flowcost.outcome.CapKind;
import io.flowcost.outcome.WorkflowCapExceededException;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.WebClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.core5.http.io.entity.StringEntity;
import org.apache.hc.core5.http.ContentType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Per-workflow caps on every instrumented path, not only LangChain4j: bare model requests of the
 * JDK client, OkHttp, Apache 4 and 5, the Vert.x web client, Jetty 12 and {@code
 * HttpURLConnection}, and the OpenAI/Anthropic SDK hook (Reactor Netty, with Spring's {@code
 * WebClient} and {@code RestClient} on it, runs under the shaded agent in {@code
 * HttpClientCapsEndToEndTest}: its hooks sit on Reactor Netty internals no test can call). With
 * {@code max-model-calls=2} in enforce mode, the third request throws {@code
 * WorkflowCapExceededException} and the server never receives it; the calls that ran count their
 * tokens into the workflow's spend. A request below a logical call (LangChain4j's HTTP client) is
 * not a second call.
 */
class CapsOnEveryPathTest {

  @RegisterExtension final AgentTelemetryExtension telemetry = new AgentTelemetryExtension();

  static TestLlmServer server;
  private final AgentConfig original = AgentContext.config();

  @BeforeAll
  static void start() throws Exception {
    server = TestLlmServer.start();
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @BeforeEach
  void enforce() {
    HttpSettings.install(HttpSettings.from(
        Map.of("flowcost.llm-endpoints", server.baseUrl())::get, n -> null, "http://127.0.0.1:4318"));
    AgentContext.install(AgentContext.tracer(), AgentConfig.from(Map.of(
        "flowcost.service", "claims-bot", "flowcost.caps", "max-model-calls=2",
        "flowcost.caps.mode", "enforce")::get, n -> null));
  }

  @AfterEach
  void reset() {
    HttpSettings.install(HttpSettings.from(n -> null, n -> null, "http://127.0.0.1:4318"));
    AgentContext.install(AgentContext.tracer(), original);
  }

  private static String chatJson() {
    return "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
  }

  /** One request through a client; throws what the application would see. */
  @FunctionalInterface
  interface Send {
    void send() throws Exception;
  }

  /**
   * Runs three requests in one workflow capped at two model calls: the third is refused before it
   * leaves the JVM (the server receives two), the two that ran count 2 × (11 + 7) tokens, and the
   * breach is recorded once, enforced.
   */
  private void thirdRequestIsRefused(Send send) throws Exception {
    int before = server.requestHeaders().size();
    Workflow wf = AgentContext.startWorkflow("loop", "api", null, null);
    Throwable refused;
    try (Scope ignored = wf.attach(Context.current()).makeCurrent()) {
      send.send();
      send.send();
      refused = org.assertj.core.api.Assertions.catchThrowable(send::send);
    } finally {
      wf.rootSpan().end();
    }
    Throwable cause = refused instanceof ExecutionException ? refused.getCause() : refused;
    assertThat(cause).isInstanceOf(WorkflowCapExceededException.class);
    assertThat(((WorkflowCapExceededException) cause).capKind()).isEqualTo(CapKind.MAX_MODEL_CALLS);
    assertThat(((WorkflowCapExceededException) cause).workflowId()).isEqualTo(wf.id());
    assertThat(server.requestHeaders().size() - before).as("requests the server received")
        .isEqualTo(2);
    assertThat(wf.spend().modelCalls()).isEqualTo(2);
    assertThat(wf.spend().tokens()).isEqualTo(2 * (11 + 7));
    assertThat(telemetry.spans()) // the cap_breaches row: refused, so enforced
        .filteredOn(s -> Boolean.TRUE.equals(s.getAttributes().get(CapGuard.BREACH)))
        .singleElement()
        .satisfies(b -> {
          assertThat(b.getAttributes().get(CapGuard.ENFORCED)).isTrue();
          assertThat(b.getAttributes().get(CapGuard.MODE)).isEqualTo("enforce");
          assertThat(b.getAttributes().get(CapGuard.MODEL_CALLS)).isEqualTo(2L);
        });
  }

  @Test
  void jdkHttpClient() throws Exception {
    HttpClient client = HttpClient.newHttpClient();
    thirdRequestIsRefused(() -> {
      HttpRequest request = HttpRequest.newBuilder(URI.create(server.baseUrl() + "/chat/completions"))
          .header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(chatJson())).build();
      // what JdkSendAdvice does around HttpClientImpl.sendAsync (skipOn = CapRefusal)
      Object exchange = JdkHttpTracing.start(request);
      if (exchange instanceof CapRefusal) {
        throw (RuntimeException) JdkHttpTracing.end(exchange, null, null);
      }
      @SuppressWarnings("unchecked")
      HttpResponse.BodyHandler<String> handler = (HttpResponse.BodyHandler<String>)
          JdkHttpTracing.handler(exchange, HttpResponse.BodyHandlers.ofString());
      CompletableFuture<HttpResponse<String>> f =
          client.sendAsync((HttpRequest) JdkHttpTracing.request(exchange, request), handler);
      JdkHttpTracing.end(exchange, f, null);
      assertThat(f.get(10, TimeUnit.SECONDS).body()).isEqualTo(TestLlmServer.JSON_REPLY);
    });
  }

  @Test
  void okHttp() throws Exception {
    OkHttpClient.Builder builder = new OkHttpClient.Builder();
    OkHttpTracing.addInterceptor(builder); // what OkHttpBuilderAdvice does on build()
    OkHttpClient client = builder.build();
    try {
      thirdRequestIsRefused(() -> {
        Request request = new Request.Builder().url(server.baseUrl() + "/chat/completions")
            .post(RequestBody.create(chatJson(), MediaType.get("application/json"))).build();
        try (Response response = client.newCall(request).execute()) {
          assertThat(response.body().string()).isEqualTo(TestLlmServer.JSON_REPLY);
        }
      });
    } finally {
      client.dispatcher().executorService().shutdown();
      client.connectionPool().evictAll();
    }
  }

  @Test
  void apacheHttpClient5() throws Exception {
    try (var client = org.apache.hc.client5.http.impl.classic.HttpClients.createDefault()) {
      thirdRequestIsRefused(() -> {
        HttpPost post = new HttpPost(server.baseUrl() + "/chat/completions");
        post.setEntity(new StringEntity(chatJson(), ContentType.APPLICATION_JSON));
        // what DoExecuteAdvice does around doExecute (skipOn = CapRefusal)
        Object exchange = ApacheTracing.enter(null, post);
        if (exchange instanceof CapRefusal) {
          throw (RuntimeException) ApacheTracing.exit(exchange, null, null);
        }
        var response = client.execute(post);
        ApacheTracing.exit(exchange, response, null);
        try (response) {
          assertThat(new String(response.getEntity().getContent().readAllBytes(),
              java.nio.charset.StandardCharsets.UTF_8)).isEqualTo(TestLlmServer.JSON_REPLY);
        }
      });
    }
  }

  @Test
  void apacheHttpClient5Async() throws Exception {
    try (var client = org.apache.hc.client5.http.impl.async.HttpAsyncClients.createDefault()) {
      client.start();
      thirdRequestIsRefused(() -> {
        var request = org.apache.hc.client5.http.async.methods.SimpleRequestBuilder
            .post(server.baseUrl() + "/chat/completions")
            .setBody(chatJson(), ContentType.APPLICATION_JSON).build();
        // what AsyncDoExecuteAdvice does at doExecute: the refusal leaves execute, nothing sent
        Object[] wrapped = io.flowcost.agent.http.apache5.ApacheAsyncTracing.wrap(
            org.apache.hc.client5.http.async.methods.SimpleRequestProducer.create(request),
            org.apache.hc.client5.http.async.methods.SimpleResponseConsumer.create());
        @SuppressWarnings("unchecked")
        var consumer = (org.apache.hc.core5.http.nio.AsyncResponseConsumer<
            org.apache.hc.client5.http.async.methods.SimpleHttpResponse>) wrapped[1];
        var response = client.execute(
            (org.apache.hc.core5.http.nio.AsyncRequestProducer) wrapped[0], consumer, null)
            .get(10, TimeUnit.SECONDS);
        assertThat(response.getBodyText()).isEqualTo(TestLlmServer.JSON_REPLY);
      });
    }
  }

  @Test
  void apacheHttpClient4() throws Exception {
    try (var client = org.apache.http.impl.client.HttpClients.createDefault()) {
      thirdRequestIsRefused(() -> {
        var post = new org.apache.http.client.methods.HttpPost(server.baseUrl() + "/chat/completions");
        post.setEntity(new org.apache.http.entity.StringEntity(chatJson(),
            org.apache.http.entity.ContentType.APPLICATION_JSON));
        // what apache4.DoExecuteAdvice does around doExecute (skipOn = CapRefusal)
        Object exchange = io.flowcost.agent.http.apache4.Apache4Tracing.enter(null, post);
        if (exchange instanceof CapRefusal) {
          throw (RuntimeException) io.flowcost.agent.http.apache4.Apache4Tracing.exit(
              exchange, null, null);
        }
        var response = client.execute(post);
        io.flowcost.agent.http.apache4.Apache4Tracing.exit(exchange, response, null);
        try (response) {
          assertThat(new String(response.getEntity().getContent().readAllBytes(),
              java.nio.charset.StandardCharsets.UTF_8)).isEqualTo(TestLlmServer.JSON_REPLY);
        }
      });
    }
  }

  @Test
  void vertxWebClient() throws Exception {
    Vertx vertx = Vertx.vertx();
    WebClient client = WebClient.create(vertx);
    VertxWebClientTracing.addInterceptor(client); // what WebClientConstructorAdvice does
    try {
      thirdRequestIsRefused(() -> client.postAbs(server.baseUrl() + "/chat/completions")
          .putHeader("Content-Type", "application/json")
          .sendBuffer(Buffer.buffer(chatJson()))
          .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS));
    } finally {
      client.close();
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  /**
   * Jetty's asynchronous {@code send(listener)}: the refused request is aborted with the refusal
   * before Jetty takes it, and Jetty fails it through its own path — the listener completes with a
   * failed {@code Result} whose failure is the refusal — without writing a byte.
   */
  @Test
  void jettyAsyncSend() throws Exception {
    org.eclipse.jetty.client.HttpClient client = new org.eclipse.jetty.client.HttpClient();
    client.start();
    try {
      thirdRequestIsRefused(() -> {
        org.eclipse.jetty.client.Request request = jettyRequest(client);
        io.flowcost.agent.http.jetty.JettyTracing.send(request); // SendAdvice, on send(listener)
        CompletableFuture<org.eclipse.jetty.client.Result> done = new CompletableFuture<>();
        org.eclipse.jetty.client.BufferingResponseListener listener =
            new org.eclipse.jetty.client.BufferingResponseListener() {
              @Override
              public void onComplete(org.eclipse.jetty.client.Result result) {
                done.complete(result);
                if (!result.isFailed()) {
                  assertThat(getContentAsString()).isEqualTo(TestLlmServer.JSON_REPLY);
                }
              }
            };
        request.send(listener);
        org.eclipse.jetty.client.Result result = done.get(10, TimeUnit.SECONDS);
        if (result.isFailed()) {
          throw (Exception) result.getFailure(); // what the app's listener receives
        }
      });
    } finally {
      client.stop();
    }
  }

  /**
   * Jetty's blocking {@code send()}: Jetty wraps the failure in an {@code ExecutionException};
   * {@code BlockingSendAdvice} throws the refusal itself, as every other client does.
   */
  @Test
  void jettyBlockingSend() throws Exception {
    org.eclipse.jetty.client.HttpClient client = new org.eclipse.jetty.client.HttpClient();
    client.start();
    try {
      thirdRequestIsRefused(() -> {
        org.eclipse.jetty.client.Request request = jettyRequest(client);
        io.flowcost.agent.http.jetty.JettyTracing.send(request); // inside send(), on send(listener)
        org.eclipse.jetty.client.ContentResponse response;
        try {
          response = request.send();
        } catch (ExecutionException e) {
          assertThat(e.getCause()).isInstanceOf(WorkflowCapExceededException.class);
          throw (Exception) io.flowcost.agent.http.jetty.JettyTracing.blockingSendThrown(request, e);
        }
        assertThat(response.getContentAsString()).isEqualTo(TestLlmServer.JSON_REPLY);
      });
    } finally {
      client.stop();
    }
  }

  private static org.eclipse.jetty.client.Request jettyRequest(
      org.eclipse.jetty.client.HttpClient client) {
    return client.newRequest(server.baseUrl() + "/chat/completions")
        .method("POST")
        .body(new org.eclipse.jetty.client.StringRequestContent("application/json", chatJson()))
        .timeout(10, TimeUnit.SECONDS);
  }

  /**
   * {@code HttpURLConnection} with a body: the caps are checked when the app asks for the output
   * stream ({@code GetOutputStreamAdvice}), before the JDK connects or sends the head; a refused
   * connection throws the same refusal again from {@code getInputStream} (behind {@code
   * getResponseCode}) without counting a second call.
   */
  @Test
  void httpUrlConnectionRefusedAtGetOutputStream() throws Exception {
    thirdRequestIsRefused(() -> {
      java.net.HttpURLConnection c = urlConnection();
      c.setDoOutput(true);
      CapRefusal refusal = io.flowcost.agent.http.urlconnection.UrlConnectionTracing
          .beforeRequestBody(c);
      if (refusal != null) {
        Object again = io.flowcost.agent.http.urlconnection.UrlConnectionTracing
            .beforeResponse(c, null);
        assertThat(CapRefusal.exceptionOf(again)).isSameAs(refusal.exception());
        throw (Exception) CapRefusal.thrown(refusal, null);
      }
      try (java.io.OutputStream out = io.flowcost.agent.http.urlconnection.UrlConnectionTracing
          .requestStream(c, c.getOutputStream())) {
        out.write(chatJson().getBytes(java.nio.charset.StandardCharsets.UTF_8));
      }
      readUrlConnection(c);
    });
  }

  /**
   * {@code HttpURLConnection} without a body: the caps are checked at the first {@code
   * getInputStream} ({@code GetInputStreamAdvice}), before the request is written.
   */
  @Test
  void httpUrlConnectionRefusedAtGetInputStream() throws Exception {
    thirdRequestIsRefused(() -> readUrlConnection(urlConnection()));
  }

  private static java.net.HttpURLConnection urlConnection() throws Exception {
    java.net.HttpURLConnection c = (java.net.HttpURLConnection)
        URI.create(server.baseUrl() + "/chat/completions").toURL().openConnection();
    c.setRequestMethod("POST");
    c.setRequestProperty("Content-Type", "application/json");
    return c;
  }

  /** What GetInputStreamAdvice does around getInputStream (skipOn = CapRefusal). */
  private static void readUrlConnection(java.net.HttpURLConnection c) throws Exception {
    Object token = io.flowcost.agent.http.urlconnection.UrlConnectionTracing.beforeResponse(c, null);
    if (CapRefusal.isRefusal(token)) {
      throw (Exception) CapRefusal.thrown(token, null);
    }
    java.io.InputStream in = io.flowcost.agent.http.urlconnection.UrlConnectionTracing
        .response(token, c, c.getInputStream(), null);
    try (in) {
      assertThat(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8))
          .isEqualTo(TestLlmServer.JSON_REPLY);
    } finally {
      c.disconnect();
    }
  }

  /** Shaped like {@code com.openai.core.http.HttpRequest} (read by method name). */
  public static final class SdkRequest {
    public String url() {
      return server.baseUrl() + "/chat/completions";
    }

    public Object body() {
      return null;
    }
  }

  @Test
  void openAiAndAnthropicSdkHook() {
    Workflow wf = AgentContext.startWorkflow("sdk-loop", "api", null, null);
    try (Scope ignored = wf.attach(Context.current()).makeCurrent()) {
      for (int i = 0; i < 2; i++) {
        Object token = OpenAiSdkTracing.enter(new SdkRequest());
        assertThat(token).isNotNull().isNotInstanceOf(CapRefusal.class);
        assertThat(OpenAiSdkTracing.exit(token, null)).isNull();
      }
      Object refused = OpenAiSdkTracing.enter(new SdkRequest());
      assertThat(refused).isInstanceOf(CapRefusal.class); // RetryingExecuteAdvice skips execute
      assertThat(OpenAiSdkTracing.exit(refused, null))
          .isInstanceOf(WorkflowCapExceededException.class);
      Object future = OpenAiSdkTracing.asyncResult(refused, null); // executeAsync's result
      assertThatThrownBy(((CompletableFuture<?>) future)::join)
          .hasCauseInstanceOf(WorkflowCapExceededException.class);
    } finally {
      wf.rootSpan().end();
    }
    assertThat(wf.spend().modelCalls()).isEqualTo(2);
  }

  @Test
  void aRequestBelowALangChain4jCallIsNotASecondCall() throws Exception {
    AgentContext.install(AgentContext.tracer(), AgentConfig.from(Map.of(
        "flowcost.service", "claims-bot", "flowcost.caps", "max-model-calls=1",
        "flowcost.caps.mode", "enforce")::get, n -> null));
    OkHttpClient.Builder builder = new OkHttpClient.Builder();
    OkHttpTracing.addInterceptor(builder);
    OkHttpClient client = builder.build();
    int before = server.requestHeaders().size();
    Workflow wf = AgentContext.startWorkflow("lc4j", "api", null, null);
    try (Scope ignored = wf.attach(Context.current()).makeCurrent()) {
      // what ChatTracing.enter does: the cap check, then the logical call, current
      assertThat(CapGuard.beforeModelCall(getClass().getClassLoader())).isNull();
      LogicalCall call = LogicalCall.start("model", "chat", "openai", "gpt-4o-mini", false);
      try (Scope inCall = call.context().makeCurrent()) {
        Request request = new Request.Builder().url(server.baseUrl() + "/chat/completions")
            .post(RequestBody.create(chatJson(), MediaType.get("application/json"))).build();
        try (Response response = client.newCall(request).execute()) {
          response.body().string();
        }
      }
      call.end(null, null, null, null);
    } finally {
      wf.rootSpan().end();
      client.dispatcher().executorService().shutdown();
      client.connectionPool().evictAll();
    }
    assertThat(server.requestHeaders().size() - before).as("sent, not refused as a 2nd call")
        .isEqualTo(1);
    assertThat(wf.spend().modelCalls()).isEqualTo(1);
  }

  /**
   * Where a hook cannot stop a request any more (Reactor Netty's request whose head its handler
   * never wrote, found when the request completes), the request still gets an exchange that
   * records it past the cap, and the breach is recorded as what happened — not enforced — instead
   * of a refused exchange that records nothing while the request goes out anyway.
   */
  @Test
  void aClientThatCannotStopARequestRecordsItAndTheBreachAsNotEnforced() {
    Workflow wf = AgentContext.startWorkflow("loop", "api", null, null);
    try (Scope ignored = wf.attach(Context.current()).makeCurrent()) {
      for (int i = 0; i < 3; i++) {
        HttpExchange exchange = HttpExchanges.startUnstoppable("POST", "http", "127.0.0.1",
            URI.create(server.baseUrl()).getPort(), "/v1/chat/completions",
            () -> RequestFields.parse(chatJson().getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        assertThat(exchange).as("request %d", i + 1).isNotNull();
        assertThat(exchange.refusal()).as("request %d", i + 1).isNull();
        exchange.failed(new java.io.IOException("not sent in this test"));
      }
    } finally {
      wf.rootSpan().end();
    }
    assertThat(wf.spend().modelCalls()).isEqualTo(3);
    assertThat(telemetry.spans())
        .filteredOn(s -> Boolean.TRUE.equals(s.getAttributes().get(CapGuard.BREACH)))
        .singleElement()
        .satisfies(b -> {
          assertThat(b.getAttributes().get(CapGuard.ENFORCED)).isFalse();
          assertThat(b.getAttributes().get(CapGuard.MODE)).isEqualTo("warn");
        });
    assertThat(telemetry.spans())
        .filteredOn(s -> "model".equals(s.getAttributes().get(
            io.flowcost.agent.context.SpanAttributes.CALL_KIND))
            && s.getAttributes().get(io.flowcost.agent.context.SpanAttributes.ATTEMPTS) != null)
        .as("every request is a logical model call").hasSize(3);
  }

  /**
   * A LangChain4j embedding call is a model call to the caps, as the same request is on the
   * bare-HTTP path: the third in a workflow capped at two is refused and never runs.
   */
  @Test
  void aLangChain4jEmbeddingCallPastTheCapIsRefused() {
    Workflow wf = AgentContext.startWorkflow("embed", "api", null, null);
    Object model = new Object();
    try (Scope ignored = wf.attach(Context.current()).makeCurrent()) {
      for (int i = 0; i < 2; i++) {
        Object token = io.flowcost.agent.langchain4j.embedding.EmbeddingTracing.enter(model);
        assertThat(token).isNotInstanceOf(CapRefusal.class);
        assertThat(io.flowcost.agent.langchain4j.embedding.EmbeddingTracing.exit(token, null, null))
            .isNull();
      }
      Object third = io.flowcost.agent.langchain4j.embedding.EmbeddingTracing.enter(model);
      assertThat(third).isInstanceOf(CapRefusal.class);
      assertThat(io.flowcost.agent.langchain4j.embedding.EmbeddingTracing.exit(third, null, null))
          .isInstanceOfSatisfying(WorkflowCapExceededException.class,
              e -> assertThat(e.capKind()).isEqualTo(CapKind.MAX_MODEL_CALLS));
    } finally {
      wf.rootSpan().end();
    }
    assertThat(wf.spend().modelCalls()).isEqualTo(2);
    // the depth guard was released by the refused call: a later embedding call is recorded again
    Object after = io.flowcost.agent.langchain4j.embedding.EmbeddingTracing.enter(model);
    assertThat(after).isNotNull().isNotInstanceOf(CapRefusal.class);
    io.flowcost.agent.langchain4j.embedding.EmbeddingTracing.exit(after, null, null);
  }
}
