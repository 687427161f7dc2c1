package io.flowcost.agent.http.vertx;

import static io.flowcost.agent.context.SpanAttributes.ATTEMPT;
import static io.flowcost.agent.context.SpanAttributes.ATTEMPTS;
import static io.flowcost.agent.context.SpanAttributes.CALL_KIND;
import static io.flowcost.agent.context.SpanAttributes.ERROR_TYPE;
import static io.flowcost.agent.context.SpanAttributes.HTTP_STATUS;
import static io.flowcost.agent.context.SpanAttributes.INPUT_TOKENS;
import static io.flowcost.agent.context.SpanAttributes.OUTPUT_TOKENS;
import static io.flowcost.agent.context.SpanAttributes.REQUEST_MODEL;
import static io.flowcost.agent.context.SpanAttributes.WORKFLOW_ROOT;
import static org.assertj.core.api.Assertions.assertThat;

import io.flowcost.agent.context.AgentContext;
import io.flowcost.agent.context.Workflow;
import io.flowcost.agent.http.HttpSettings;
import io.flowcost.agent.http.TestLlmServer;
import io.flowcost.agent.testing.AgentTelemetryExtension;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A real Vert.x web client with the interceptor the constructor advice adds. */
class VertxWebClientTracingTest {

  @RegisterExtension final AgentTelemetryExtension telemetry = new AgentTelemetryExtension();

  static TestLlmServer server;
  static Vertx vertx;
  static WebClient client;

  @BeforeAll
  static void start() throws Exception {
    server = TestLlmServer.start();
    vertx = Vertx.vertx();
    client = WebClient.create(vertx);
    VertxWebClientTracing.addInterceptor(client); // what WebClientConstructorAdvice does
  }

  @AfterAll
  static void stop() throws Exception {
    client.close();
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    server.close();
  }

  @AfterEach
  void reset() {
    HttpSettings.install(HttpSettings.from(n -> null, n -> null, "http://127.0.0.1:4318"));
  }

  static void settings(String... kv) {
    Map<String, String> map = new java.util.HashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      map.put(kv[i], kv[i + 1]);
    }
    HttpSettings.install(HttpSettings.from(map::get, n -> null, "http://127.0.0.1:4318"));
  }

  static HttpResponse<Buffer> chat(String text) throws Exception {
    Buffer body = Buffer.buffer("{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\","
        + "\"content\":\"" + text + "\"}]}");
    return client.postAbs(server.baseUrl() + "/chat/completions")
        .putHeader("Content-Type", "application/json")
        .sendBuffer(body)
        .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private void awaitSpans(int count) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (telemetry.spans().size() < count && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
  }

  @Test
  void aBareModelRequestIsACallWithTheUsageOfTheBufferedBody() throws Exception {
    settings("flowcost.llm-endpoints", server.baseUrl());
    HttpResponse<Buffer> response = chat("hello");
    assertThat(response.bodyAsString()).isEqualTo(TestLlmServer.JSON_REPLY);
    awaitSpans(3);
    assertThat(telemetry.span(WORKFLOW_ROOT, true).getName()).isEqualTo("claims-bot:chat gpt-4o-mini");
    assertThat(telemetry.span(ATTEMPTS, 1L).getAttributes().get(REQUEST_MODEL)).isEqualTo("gpt-4o-mini");
    SpanData attempt = telemetry.span(ATTEMPT, 1L);
    assertThat(attempt.getAttributes().get(INPUT_TOKENS)).isEqualTo(11L);
    assertThat(attempt.getAttributes().get(OUTPUT_TOKENS)).isEqualTo(7L);
  }

  @Test
  void aRateLimitedRequestIsAFailedAttempt() throws Exception {
    settings("flowcost.llm-endpoints", server.baseUrl());
    assertThat(chat("busy [fail:429]").statusCode()).isEqualTo(429);
    awaitSpans(3);
    SpanData attempt = telemetry.span(ATTEMPT, 1L);
    assertThat(attempt.getAttributes().get(HTTP_STATUS)).isEqualTo(429L);
    assertThat(attempt.getAttributes().get(ERROR_TYPE)).isEqualTo("http_429");
  }

  @Test
  void theCallersWorkflowFollowsTheRequestOntoTheEventLoop() throws Exception {
    settings("flowcost.http.capture", "all", "flowcost.propagation.hosts", "127.0.0.1");
    Workflow wf = AgentContext.startWorkflow("lookup", "api", null, null);
    HttpResponse<Buffer> response;
    try (Scope ignored = wf.attach(Context.current()).makeCurrent()) {
      response = client.getAbs(server.root() + "/tools/lookup?q=1").send()
          .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
    assertThat(response.statusCode()).isEqualTo(204);
    awaitSpans(1);
    wf.rootSpan().end();
    SpanData http = telemetry.span(CALL_KIND, "http");
    assertThat(http.getTraceId()).isEqualTo(wf.id());
    assertThat(http.getAttributes().get(HTTP_STATUS)).isEqualTo(204L);
    Map<String, List<String>> received = server.requestHeaders().get(server.requestHeaders().size() - 1);
    assertThat(received.get("Traceparent")).singleElement().asString()
        .startsWith("00-" + wf.id() + "-" + http.getSpanId());
    assertThat(received.get("Baggage")).singleElement().asString()
        .startsWith("flowcost.workflow.id=" + wf.id());
  }
}
