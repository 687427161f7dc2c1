package io.flowcost.agent.http.okhttp;

import static io.flowcost.agent.context.SpanAttributes.ATTEMPT;
import static io.flowcost.agent.context.SpanAttributes.ATTEMPTS;
import static io.flowcost.agent.context.SpanAttributes.CALL_ID;
import static io.flowcost.agent.context.SpanAttributes.ERROR_TYPE;
import static io.flowcost.agent.context.SpanAttributes.HTTP_STATUS;
import static io.flowcost.agent.context.SpanAttributes.INPUT_TOKENS;
import static io.flowcost.agent.context.SpanAttributes.OUTPUT_TOKENS;
import static io.flowcost.agent.context.SpanAttributes.PROVIDER_COST_USD;
import static io.flowcost.agent.context.SpanAttributes.REQUEST_MODEL;
import static io.flowcost.agent.context.SpanAttributes.REQUEST_STREAM;
import static io.flowcost.agent.context.SpanAttributes.WORKFLOW_ROOT;
import static org.assertj.core.api.Assertions.assertThat;

import io.flowcost.agent.calls.LogicalCall;
import io.flowcost.agent.http.HttpSettings;
import io.flowcost.agent.http.SdkCall;
import io.flowcost.agent.http.TestLlmServer;
import io.flowcost.agent.testing.AgentTelemetryExtension;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.io.BufferedReader;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
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

/** A real {@code OkHttpClient} whose builder got the agent's interceptor, as the advice adds it. */
class OkHttpTracingTest {

  @RegisterExtension final AgentTelemetryExtension telemetry = new AgentTelemetryExtension();

  static TestLlmServer server;
  OkHttpClient client;

  @BeforeAll
  static void start() throws IOException {
    server = TestLlmServer.start();
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @BeforeEach
  void client() {
    HttpSettings.install(
        HttpSettings.from(
            Map.of("flowcost.llm-endpoints", server.baseUrl())::get, n -> null, "http://127.0.0.1:4318"));
    OkHttpClient.Builder builder = new OkHttpClient.Builder();
    OkHttpTracing.addInterceptor(builder); // what OkHttpBuilderAdvice does on build()
    client = builder.build();
  }

  @AfterEach
  void reset() {
    client.dispatcher().executorService().shutdown();
    client.connectionPool().evictAll();
    HttpSettings.install(HttpSettings.from(n -> null, n -> null, "http://127.0.0.1:4318"));
  }

  static Request chat(String text, boolean stream) {
    String body = "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\""
        + text + "\"}]" + (stream ? ",\"stream\":true" : "") + "}";
    return new Request.Builder()
        .url(server.baseUrl() + "/chat/completions")
        .post(RequestBody.create(body, MediaType.get("application/json")))
        .build();
  }

  @Test
  void theInterceptorIsAddedOnceEvenToCopiedBuilders() {
    OkHttpClient.Builder copy = client.newBuilder();
    OkHttpTracing.addInterceptor(copy);
    assertThat(copy.interceptors()).hasSize(1);
    assertThat(client.interceptors()).hasSize(1);
  }

  @Test
  void aBareModelRequestIsOneCallWithTheRequestedModelAndTheUsageOfItsBody() throws IOException {
    String text;
    try (Response response = client.newCall(chat("hello", false)).execute()) {
      text = response.body().string();
    }
    assertThat(text).isEqualTo(TestLlmServer.JSON_REPLY);
    assertThat(telemetry.span(WORKFLOW_ROOT, true).getName()).isEqualTo("claims-bot:chat gpt-4o-mini");
    SpanData call = telemetry.span(ATTEMPTS, 1L);
    assertThat(call.getAttributes().get(REQUEST_MODEL)).isEqualTo("gpt-4o-mini");
    SpanData attempt = telemetry.span(ATTEMPT, 1L);
    assertThat(attempt.getAttributes().get(CALL_ID)).isEqualTo(call.getSpanId());
    assertThat(attempt.getAttributes().get(INPUT_TOKENS)).isEqualTo(11L);
    assertThat(attempt.getAttributes().get(OUTPUT_TOKENS)).isEqualTo(7L);
  }

  @Test
  void theCostALiteLlmHeaderReportsIsKeptOnTheAttempt() throws IOException {
    try (Response response = client.newCall(chat("[litellm]", false)).execute()) {
      response.body().string();
    }
    assertThat(telemetry.span(ATTEMPT, 1L).getAttributes().get(PROVIDER_COST_USD))
        .isEqualTo(TestLlmServer.LITELLM_COST);
  }

  @Test
  void theCostAnOpenRouterBodyReportsIsKeptExactlyOnTheAttempt() throws IOException {
    try (Response response = client.newCall(chat("[openrouter]", false)).execute()) {
      response.body().string();
    }
    assertThat(telemetry.span(ATTEMPT, 1L).getAttributes().get(PROVIDER_COST_USD))
        .isEqualTo(TestLlmServer.OPENROUTER_COST);
  }

  @Test
  void aStreamIsTeedLineByLineAndEndsWhenTheAppClosesIt() throws IOException {
    List<String> lines;
    try (Response response = client.newCall(chat("stream", true)).execute();
        BufferedReader reader = new BufferedReader(response.body().charStream())) {
      // read up to [DONE] only, like an SSE client, then close
      lines = reader.lines().takeWhile(l -> !l.equals("data: [DONE]")).collect(Collectors.toList());
      assertThat(telemetry.spans()).as("nothing ends before the app closes the stream").isEmpty();
    }
    assertThat(lines).isNotEmpty();
    SpanData call = telemetry.span(ATTEMPTS, 1L);
    assertThat(call.getAttributes().get(REQUEST_STREAM)).isTrue();
    SpanData attempt = telemetry.span(ATTEMPT, 1L);
    assertThat(attempt.getAttributes().get(INPUT_TOKENS)).isEqualTo(13L);
    assertThat(attempt.getAttributes().get(OUTPUT_TOKENS)).isEqualTo(5L);
  }

  @Test
  void sdkRetriesAreAttemptsOfTheSdkCall() throws IOException {
    LogicalCall call = LogicalCall.start("model", "chat", "openai", "gpt-4o-mini", false);
    SdkCall sdk = SdkCall.of(call);
    try (Scope ignored = sdk.context().makeCurrent()) {
      try (Response busy = client.newCall(chat("busy [fail:429]", false)).execute()) {
        assertThat(busy.code()).isEqualTo(429);
      }
      try (Response ok = client.newCall(chat("hello", false)).execute()) {
        ok.body().string();
      }
    }
    assertThat(telemetry.spans()).as("the SDK method has not returned yet").isEmpty();
    sdk.methodExited(null);

    SpanData callSpan = telemetry.span(ATTEMPTS, 2L);
    SpanData first = telemetry.span(ATTEMPT, 1L);
    SpanData second = telemetry.span(ATTEMPT, 2L);
    assertThat(first.getAttributes().get(CALL_ID)).isEqualTo(callSpan.getSpanId());
    assertThat(second.getAttributes().get(CALL_ID)).isEqualTo(callSpan.getSpanId());
    assertThat(first.getAttributes().get(HTTP_STATUS)).isEqualTo(429L);
    assertThat(first.getAttributes().get(ERROR_TYPE)).isEqualTo("http_429");
    assertThat(first.getAttributes().get(INPUT_TOKENS)).isNull();
    assertThat(second.getAttributes().get(INPUT_TOKENS)).isEqualTo(11L);
  }

  @Test
  void insideALangChain4jCallNothingMoreIsRecorded() throws IOException {
    LogicalCall outer = LogicalCall.start("model", "chat", "openai", "gpt-4o-mini", false);
    try (Scope ignored = outer.context().makeCurrent();
        Response response = client.newCall(chat("hello", false)).execute()) {
      response.body().string();
    }
    outer.end(null, null, null, null);
    assertThat(telemetry.spans()).hasSize(2); // the outer call and its implicit workflow
  }
}
