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
import io.flowcost.agent.http.TestLlmServer;
import io.flowcost.agent.testing.AgentTelemetryExtension;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.CloseableHttpResponse;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.core5.http.ClassicHttpRequest;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.http.io.entity.StringEntity;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A real Apache HttpClient 5, with the helpers called as {@link DoExecuteAdvice} calls them. */
class ApacheTracingTest {

  @RegisterExtension final AgentTelemetryExtension telemetry = new AgentTelemetryExtension();

  static TestLlmServer server;
  static CloseableHttpClient client;

  @BeforeAll
  static void start() throws IOException {
    server = TestLlmServer.start();
    client = HttpClients.createDefault();
  }

  @AfterAll
  static void stop() throws IOException {
    client.close();
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

  /** What the advice does around {@code doExecute}. */
  static CloseableHttpResponse execute(ClassicHttpRequest request) throws IOException {
    Object exchange = ApacheTracing.enter(null, request);
    CloseableHttpResponse response;
    try {
      response = client.execute(request);
    } catch (IOException | RuntimeException e) {
      ApacheTracing.exit(exchange, null, e);
      throw e;
    }
    ApacheTracing.exit(exchange, response, null);
    return response;
  }

  static HttpPost chat(String text, boolean stream) {
    HttpPost post = new HttpPost(server.baseUrl() + "/chat/completions");
    post.setEntity(new StringEntity(
        "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"" + text + "\"}]"
            + (stream ? ",\"stream\":true" : "") + "}",
        ContentType.APPLICATION_JSON));
    return post;
  }

  @Test
  void aModelRequestIsACallWhoseUsageComesFromTheEntityTheAppReads() throws Exception {
    settings("flowcost.llm-endpoints", server.baseUrl());
    try (CloseableHttpResponse response = execute(chat("hello", false))) {
      assertThat(EntityUtils.toString(response.getEntity())).isEqualTo(TestLlmServer.JSON_REPLY);
    }
    SpanData call = telemetry.span(ATTEMPTS, 1L);
    assertThat(call.getAttributes().get(REQUEST_MODEL)).isEqualTo("gpt-4o-mini");
    SpanData attempt = telemetry.span(ATTEMPT, 1L);
    assertThat(attempt.getAttributes().get(INPUT_TOKENS)).isEqualTo(11L);
    assertThat(attempt.getAttributes().get(OUTPUT_TOKENS)).isEqualTo(7L);
  }

  @Test
  void aStreamWrittenOutThroughWriteToIsTeedToo() throws Exception {
    settings("flowcost.llm-endpoints", server.baseUrl());
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    try (CloseableHttpResponse response = execute(chat("stream", true))) {
      response.getEntity().writeTo(out);
    }
    assertThat(out.toString(java.nio.charset.StandardCharsets.UTF_8)).endsWith("data: [DONE]\n\n");
    assertThat(telemetry.span(ATTEMPTS, 1L).getAttributes().get(REQUEST_STREAM)).isTrue();
    SpanData attempt = telemetry.span(ATTEMPT, 1L);
    assertThat(attempt.getAttributes().get(INPUT_TOKENS)).isEqualTo(13L);
    assertThat(attempt.getAttributes().get(OUTPUT_TOKENS)).isEqualTo(5L);
  }

  @Test
  void aRateLimitedRequestIsAFailedAttempt() throws Exception {
    settings("flowcost.llm-endpoints", server.baseUrl());
    try (CloseableHttpResponse response = execute(chat("busy [fail:429]", false))) {
      assertThat(response.getCode()).isEqualTo(429);
    }
    SpanData attempt = telemetry.span(ATTEMPT, 1L);
    assertThat(attempt.getAttributes().get(HTTP_STATUS)).isEqualTo(429L);
    assertThat(attempt.getAttributes().get(ERROR_TYPE)).isEqualTo("http_429");
  }

  @Test
  void insideAWorkflowOtherRequestsAreHttpCallsAndGetPropagationHeaders() throws Exception {
    settings("flowcost.http.capture", "all", "flowcost.propagation.hosts", "127.0.0.1");
    Workflow wf = AgentContext.startWorkflow("lookup", "api", null, null);
    HttpGet get = new HttpGet(server.root() + "/tools/lookup?q=secret");
    try (Scope ignored = wf.attach(Context.current()).makeCurrent();
        CloseableHttpResponse response = execute(get)) {
      assertThat(response.getCode()).isEqualTo(204);
    }
    wf.rootSpan().end();
    SpanData http = telemetry.span(io.flowcost.agent.context.SpanAttributes.CALL_KIND, "http");
    assertThat(http.getAttributes().get(io.opentelemetry.api.common.AttributeKey.stringKey("url.path")))
        .isEqualTo("/tools/lookup");
    assertThat(http.getAttributes().get(HTTP_STATUS)).isEqualTo(204L);
    Map<String, List<String>> received = server.requestHeaders().get(server.requestHeaders().size() - 1);
    assertThat(received.get("Traceparent")).singleElement().asString()
        .startsWith("00-" + wf.id() + "-" + http.getSpanId() + "-");
    assertThat(received.get("Baggage")).singleElement().asString()
        .startsWith("flowcost.workflow.id=" + wf.id());
  }
}
