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
 * JDK client, OkHttp, Apache 5 and the Vert.x web client, and the OpenAI/Anthropic SDK hook. With
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
   * leaves the JVM, and the two that ran count 2 × (11 + 7) tokens.
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
   * A client whose hook cannot stop a request yet (Reactor Netty, Jetty, HttpURLConnection) still
   * gets an exchange that records the request past the cap, and the breach is recorded
   * as what happened — not enforced — instead of a refused exchange that records nothing while
   * the request goes out anyway.
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
