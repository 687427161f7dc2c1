package io.flowcost.agent.http.apache5;

import static io.flowcost.agent.context.SpanAttributes.ATTEMPT;
import static io.flowcost.agent.context.SpanAttributes.ATTEMPTS;
import static io.flowcost.agent.context.SpanAttributes.ERROR_TYPE;
import static io.flowcost.agent.context.SpanAttributes.HTTP_STATUS;
import static io.flowcost.agent.context.SpanAttributes.INPUT_TOKENS;
import static io.flowcost.agent.context.SpanAttributes.OUTPUT_TOKENS;
import static io.flowcost.agent.context.SpanAttributes.REQUEST_MODEL;
import static io.flowcost.agent.context.SpanAttributes.REQUEST_STREAM;
import static org.assertj.core.api.Assertions.assertThat;

import io.flowcost.agent.context.AgentContext;
import io.flowcost.agent.context.Workflow;
import io.flowcost.agent.http.HttpSettings;
import io.flowcost.agent.http.RequestHints;
import io.flowcost.agent.http.TestLlmServer;
import io.flowcost.agent.testing.AgentTelemetryExtension;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.hc.client5.http.async.methods.SimpleHttpRequest;
import org.apache.hc.client5.http.async.methods.SimpleHttpResponse;
import org.apache.hc.client5.http.async.methods.SimpleRequestBuilder;
import org.apache.hc.client5.http.async.methods.SimpleRequestProducer;
import org.apache.hc.client5.http.async.methods.SimpleResponseConsumer;
import org.apache.hc.client5.http.impl.async.CloseableHttpAsyncClient;
import org.apache.hc.client5.http.impl.async.HttpAsyncClients;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.nio.AsyncRequestProducer;
import org.apache.hc.core5.http.nio.AsyncResponseConsumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A real Apache HttpClient 5 async client, with the producer and consumer wrapped as {@link
 * AsyncDoExecuteAdvice} wraps them (the end-to-end path under Spring's {@code WebClient} is {@code
 * SpringAiApache5EndToEndTest}).
 */
class ApacheAsyncTracingTest {

  private static final AttributeKey<Boolean> ESTIMATED = AttributeKey.booleanKey("flowcost.usage.estimated");

  @RegisterExtension final AgentTelemetryExtension telemetry = new AgentTelemetryExtension();

  static TestLlmServer server;
  static CloseableHttpAsyncClient client;

  @BeforeAll
  static void start() throws Exception {
    server = TestLlmServer.start();
    client = HttpAsyncClients.createDefault();
    client.start();
  }

  @AfterAll
  static void stop() throws Exception {
    client.close();
    server.close();
  }

  @AfterEach
  void reset() {
    HttpSettings.install(HttpSettings.from(n -> null, n -> null, "http://127.0.0.1:4318"));
  }

  private static void llmEndpoints() {
    HttpSettings.install(HttpSettings.from(
        Map.of("flowcost.llm-endpoints", server.baseUrl(), "flowcost.http.capture", "all",
            "flowcost.propagation.hosts", "127.0.0.1")::get,
        n -> null, "http://127.0.0.1:4318"));
  }

  /** What the advice does at {@code doExecute}, then the application's wait for the answer. */
  @SuppressWarnings("unchecked")
  static SimpleHttpResponse execute(SimpleHttpRequest request) throws Exception {
    Object[] wrapped = ApacheAsyncTracing.wrap(SimpleRequestProducer.create(request),
        SimpleResponseConsumer.create());
    assertThat(wrapped).isNotNull();
    return client.execute((AsyncRequestProducer) wrapped[0],
        (AsyncResponseConsumer<SimpleHttpResponse>) wrapped[1], null).get(10, TimeUnit.SECONDS);
  }

  static SimpleHttpRequest chat(String text, boolean stream) {
    return SimpleRequestBuilder.post(server.baseUrl() + "/chat/completions")
        .setBody("{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\""
            + text + "\"}]" + (stream ? ",\"stream\":true" : "") + "}", ContentType.APPLICATION_JSON)
        .build();
  }

  /** Spring AI's hook leaves the model and stream flag in the context (the body is a stream). */
  private static Scope hints(boolean stream) {
    return new RequestHints("gpt-4o-mini", stream).storeIn(Context.current()).makeCurrent();
  }

  @Test
  void aStreamIsACallWithTheUsageOfItsLastEvent() throws Exception {
    llmEndpoints();
    SimpleHttpResponse response;
    try (Scope ignored = hints(true)) {
      response = execute(chat("stream", true));
    }
    assertThat(response.getBodyText()).endsWith("data: [DONE]\n\n"); // the app's body, unchanged
    SpanData call = telemetry.span(ATTEMPTS, 1L);
    assertThat(call.getAttributes().get(REQUEST_MODEL)).isEqualTo("gpt-4o-mini");
    assertThat(call.getAttributes().get(REQUEST_STREAM)).isTrue();
    SpanData attempt = telemetry.span(ATTEMPT, 1L);
    assertThat(attempt.getAttributes().get(INPUT_TOKENS)).isEqualTo(13L);
    assertThat(attempt.getAttributes().get(OUTPUT_TOKENS)).isEqualTo(5L);
    assertThat(attempt.getAttributes().get(ESTIMATED)).isNotEqualTo(Boolean.TRUE);
  }

  @Test
  void anAnswerWithoutUsageIsEstimatedFromTheBodyCopiedAsItWasSent() throws Exception {
    llmEndpoints();
    try (Scope ignored = hints(false)) {
      assertThat(execute(chat("no usage please [no-usage]", false)).getCode()).isEqualTo(200);
    }
    SpanData attempt = telemetry.span(ATTEMPT, 1L);
    assertThat(attempt.getAttributes().get(ESTIMATED)).isTrue();
    // the request body (its message framing and text) was counted: more than the framing alone
    assertThat(attempt.getAttributes().get(INPUT_TOKENS)).isGreaterThan(5L);
    assertThat(attempt.getAttributes().get(OUTPUT_TOKENS)).isPositive(); // "hi"
  }

  @Test
  void aRateLimitedRequestIsAFailedAttempt() throws Exception {
    llmEndpoints();
    try (Scope ignored = hints(false)) {
      assertThat(execute(chat("busy [fail:429]", false)).getCode()).isEqualTo(429);
    }
    SpanData attempt = telemetry.span(ATTEMPT, 1L);
    assertThat(attempt.getAttributes().get(HTTP_STATUS)).isEqualTo(429L);
    assertThat(attempt.getAttributes().get(ERROR_TYPE)).isEqualTo("http_429");
  }

  @Test
  void insideAWorkflowOtherRequestsAreHttpCallsAndGetPropagationHeaders() throws Exception {
    llmEndpoints();
    Workflow wf = AgentContext.startWorkflow("lookup", "api", null, null);
    try (Scope ignored = wf.attach(Context.current()).makeCurrent()) {
      assertThat(execute(SimpleRequestBuilder.get(server.root() + "/tools/lookup?q=x").build())
          .getCode()).isEqualTo(204);
    }
    wf.rootSpan().end();
    SpanData http = telemetry.span(io.flowcost.agent.context.SpanAttributes.CALL_KIND, "http");
    assertThat(http.getAttributes().get(AttributeKey.stringKey("url.path"))).isEqualTo("/tools/lookup");
    assertThat(http.getAttributes().get(HTTP_STATUS)).isEqualTo(204L);
    Map<String, List<String>> received = server.requestHeaders().get(server.requestHeaders().size() - 1);
    assertThat(received.get("Traceparent")).singleElement().asString()
        .startsWith("00-" + wf.id() + "-" + http.getSpanId() + "-");
  }

  @Test
  void outsideAnyWorkflowAnotherRequestIsNotRecorded() throws Exception {
    assertThat(execute(SimpleRequestBuilder.get(server.root() + "/tools/lookup").build()).getCode())
        .isEqualTo(204);
    assertThat(telemetry.spans()).isEmpty();
  }
}
