package io.flowcost.agent.openai;

import static io.flowcost.agent.context.SpanAttributes.CALL_KIND;
import static io.flowcost.agent.context.SpanAttributes.PROVIDER;
import static io.flowcost.agent.context.SpanAttributes.REQUEST_MODEL;
import static io.flowcost.agent.context.SpanAttributes.REQUEST_STREAM;
import static io.flowcost.agent.context.SpanAttributes.WORKFLOW_ROOT;
import static org.assertj.core.api.Assertions.assertThat;

import io.flowcost.agent.calls.LogicalCall;
import io.flowcost.agent.http.SdkCall;
import io.flowcost.agent.testing.AgentTelemetryExtension;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The SDK hook with stand-ins shaped like the SDKs' {@code HttpRequest} (read by method name) and
 * {@code HttpRequestBody} (found by its interface name).
 */
public class OpenAiSdkTracingTest {

  @RegisterExtension final AgentTelemetryExtension telemetry = new AgentTelemetryExtension();

  /** Shaped like {@code com.openai.core.http.HttpRequest}. */
  public static final class OpenAiRequest {
    private final String url;
    private final Object body;

    public OpenAiRequest(String url, Object body) {
      this.url = url;
      this.body = body;
    }

    public String url() {
      return url;
    }

    public Object body() {
      return body;
    }
  }

  /** Shaped like {@code com.anthropic.core.http.HttpRequest}, base URL not yet set. */
  public static final class AnthropicRequest {
    public String baseUrl() {
      return null;
    }

    public List<String> pathSegments() {
      return List.of("v1", "messages");
    }
  }

  /** Shaped like {@code com.anthropic.core.http.HttpRequest} of SDK 3.x: {@code body()} is optional. */
  public static final class Anthropic3Request {
    private final Object body;

    Anthropic3Request(Object body) {
      this.body = body;
    }

    public String url() {
      return "http://127.0.0.1:1/v1/messages";
    }

    public java.util.Optional<Object> body() {
      return java.util.Optional.ofNullable(body);
    }
  }

  public static final class JsonBody implements io.flowcost.test.core.http.HttpRequestBody {
    private final String json;

    public JsonBody(String json) {
      this.json = json;
    }

    @Override
    public void writeTo(OutputStream out) throws IOException {
      out.write(json.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public String contentType() {
      return "application/json";
    }

    @Override
    public long contentLength() {
      return -1;
    }

    @Override
    public boolean repeatable() {
      return true;
    }
  }

  @Test
  void urlsOfBothSdkShapes() {
    assertThat(OpenAiSdkTracing.url(new OpenAiRequest("https://api.openai.com/v1/chat/completions", null)))
        .hasPath("/v1/chat/completions").hasHost("api.openai.com");
    assertThat(OpenAiSdkTracing.url(new AnthropicRequest())).hasPath("/v1/messages");
  }

  @Test
  void oneSdkMethodCallIsOneCallWithTheRequestedModelInAnImplicitWorkflow() {
    Object token = OpenAiSdkTracing.enter(new OpenAiRequest("http://127.0.0.1:1/v1/chat/completions",
        new JsonBody("{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"model\":\"gpt-4.1\","
            + "\"stream\":true}")));
    assertThat(token).isNotNull();
    assertThat(SdkCall.current()).as("current while the SDK method runs").isNotNull();
    OpenAiSdkTracing.exit(token, null);
    assertThat(SdkCall.current()).isNull();

    SpanData call = telemetry.span(CALL_KIND, "model");
    assertThat(call.getName()).isEqualTo("chat gpt-4.1");
    assertThat(call.getAttributes().get(REQUEST_MODEL)).isEqualTo("gpt-4.1");
    assertThat(call.getAttributes().get(REQUEST_STREAM)).isTrue();
    assertThat(call.getAttributes().get(PROVIDER)).isEqualTo("openai");
    assertThat(telemetry.span(WORKFLOW_ROOT, true).getName()).isEqualTo("claims-bot:chat gpt-4.1");
  }

  @Test
  void anthropicSdk3OptionalBodyStillGivesTheRequestedModel() {
    Object token = OpenAiSdkTracing.enter(new Anthropic3Request(
        new JsonBody("{\"max_tokens\":64,\"messages\":[],\"model\":\"claude-sonnet-4-5\"}")));
    assertThat(token).isNotNull();
    OpenAiSdkTracing.exit(token, null);
    SpanData call = telemetry.span(CALL_KIND, "model");
    assertThat(call.getName()).isEqualTo("chat claude-sonnet-4-5");
    assertThat(call.getAttributes().get(REQUEST_MODEL)).isEqualTo("claude-sonnet-4-5");
    assertThat(call.getAttributes().get(PROVIDER)).isEqualTo("anthropic");
    assertThat(telemetry.span(WORKFLOW_ROOT, true).getName())
        .isEqualTo("claims-bot:chat claude-sonnet-4-5");
    // an empty Optional (a body-less request) is no body, not a failure
    assertThat(OpenAiSdkTracing.body(new Anthropic3Request(null))).isNull();
  }

  @Test
  void nonModelEndpointsAndCallsInsideLangChain4jAreLeftAlone() {
    assertThat(OpenAiSdkTracing.enter(new OpenAiRequest("https://api.openai.com/v1/models", null)))
        .isNull();
    LogicalCall outer = LogicalCall.start("model", "chat", "openai", "gpt-4o", false);
    try (Scope ignored = outer.context().makeCurrent()) {
      assertThat(OpenAiSdkTracing.enter(new AnthropicRequest())).isNull();
    }
    outer.end(null, null, null, null);
    assertThat(telemetry.spans()).hasSize(2);
  }
}
