package io.flowcost.agent.langchain4j.http;

import static io.flowcost.agent.context.SpanAttributes.ATTEMPT;
import static io.flowcost.agent.context.SpanAttributes.PROVIDER_COST_USD;
import static org.assertj.core.api.Assertions.assertThat;

import dev.langchain4j.http.client.SuccessfulHttpResponse;
import io.flowcost.agent.calls.LogicalCall;
import io.flowcost.agent.testing.AgentTelemetryExtension;
import io.opentelemetry.context.Scope;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The cost a gateway or provider reports reaches the attempt span through LangChain4j's own HTTP
 * client hooks, called exactly as the advice calls them around {@code execute}.
 */
class HttpTracingCostTest {

  @RegisterExtension final AgentTelemetryExtension telemetry = new AgentTelemetryExtension();

  private static final String BODY =
      "{\"object\":\"chat.completion\",\"model\":\"gpt-4o-mini\",\"choices\":[],"
          + "\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":2%s}}";

  private String attemptCost(Map<String, List<String>> headers, String body) {
    LogicalCall call = LogicalCall.start("model", "chat", "openai", "gpt-4o-mini", false);
    try (Scope ignored = call.context().makeCurrent()) {
      Object token = HttpTracing.enter(new Object());
      HttpTracing.exitSync(
          token,
          SuccessfulHttpResponse.builder().statusCode(200).headers(headers).body(body).build(),
          null);
    }
    call.end("gpt-4o-mini", List.of("stop"), null, null);
    return telemetry.span(ATTEMPT, 1L).getAttributes().get(PROVIDER_COST_USD);
  }

  @Test
  void aLiteLlmCostHeaderIsReadWhateverItsCaseAndWinsOverTheBody() {
    assertThat(
            attemptCost(
                Map.of("X-LiteLLM-Response-Cost", List.of("0.000314")),
                String.format(BODY, ",\"cost\":0.1")))
        .isEqualTo("0.000314");
  }

  @Test
  void theHeaderIsFoundInAnySpellingAmongOthersAndAbsentOrEmptyGivesNull() {
    String name = "x-litellm-response-cost";
    assertThat(HttpTracing.header(response(Map.of("content-type", List.of("application/json"),
        "x-litellm-response-cost", List.of("0.5", "0.7"))), name)).isEqualTo("0.5");
    // same length as the name, different text: not taken for it
    assertThat(HttpTracing.header(response(Map.of("x-litellm-response-size", List.of("9"),
        "X-LITELLM-RESPONSE-COST", List.of("0.25"))), name)).isEqualTo("0.25");
    assertThat(HttpTracing.header(response(Map.of("x-litellm-response-size", List.of("9"))), name))
        .isNull();
    assertThat(HttpTracing.header(response(Map.of("X-LiteLLM-Response-Cost", List.of())), name))
        .isNull();
    assertThat(HttpTracing.header(response(Map.of()), name)).isNull();
  }

  /** A response whose {@code headers()} is the map given, not a copy (as the JDK client's is). */
  public static final class Headers {
    private final Map<String, List<String>> map;

    Headers(Map<String, List<String>> map) {
      this.map = map;
    }

    public Map<String, List<String>> headers() {
      return map;
    }
  }

  @Test
  void aCaseInsensitiveMapAnswersAloneAndAnyOtherSortedMapIsStillWalked() {
    String name = "x-litellm-response-cost";
    // the JDK client's HttpHeaders.map(): its own lookup ignores case
    java.util.TreeMap<String, List<String>> jdk =
        new java.util.TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    jdk.put("X-LiteLLM-Response-Cost", List.of("0.5"));
    jdk.put("content-type", List.of("application/json"));
    assertThat(HttpTracing.header(new Headers(jdk), name)).isEqualTo("0.5");
    jdk.remove("X-LITELLM-RESPONSE-COST");
    assertThat(HttpTracing.header(new Headers(jdk), name)).isNull();
    // sorted, but by case: its answer is not final, the walk finds the other spelling
    java.util.TreeMap<String, List<String>> natural = new java.util.TreeMap<>();
    natural.put("X-LiteLLM-Response-Cost", List.of("0.25"));
    assertThat(HttpTracing.header(new Headers(natural), name)).isEqualTo("0.25");
  }

  /** A map that counts its walks ({@code forEach}). */
  private static final class CountingTreeMap extends java.util.TreeMap<String, List<String>> {
    private static final long serialVersionUID = 1L;
    int walks;

    CountingTreeMap(java.util.Comparator<? super String> order) {
      super(order);
    }

    @Override
    public void forEach(java.util.function.BiConsumer<? super String, ? super List<String>> f) {
      walks++;
      super.forEach(f);
    }
  }

  @Test
  void theJdkClientsUnmodifiableCaseInsensitiveMapIsNotWalkedAndOtherViewsAre() {
    String name = "x-litellm-response-cost";
    // HttpHeaders.map(): a case-insensitive TreeMap behind Collections.unmodifiableMap
    CountingTreeMap jdk = new CountingTreeMap(String.CASE_INSENSITIVE_ORDER);
    jdk.put("content-type", List.of("application/json"));
    Map<String, List<String>> view = java.util.Collections.unmodifiableMap(jdk);
    assertThat(HttpTracing.header(new Headers(view), name)).isNull();
    jdk.put("X-LiteLLM-Response-Cost", List.of("0.5"));
    assertThat(HttpTracing.header(new Headers(view), name)).isEqualTo("0.5");
    assertThat(jdk.walks).isZero();
    // the same view of a map ordered by case, or of no order: walked for another spelling
    CountingTreeMap natural = new CountingTreeMap(null);
    natural.put("X-LiteLLM-Response-Cost", List.of("0.25"));
    assertThat(HttpTracing.header(new Headers(java.util.Collections.unmodifiableMap(natural)),
        name)).isEqualTo("0.25");
    assertThat(natural.walks).isEqualTo(1);
    Map<String, List<String>> hashed = new java.util.HashMap<>();
    hashed.put("X-LITELLM-RESPONSE-COST", List.of("0.75"));
    assertThat(HttpTracing.header(new Headers(java.util.Collections.unmodifiableMap(hashed)),
        name)).isEqualTo("0.75");
  }

  private static SuccessfulHttpResponse response(Map<String, List<String>> headers) {
    return SuccessfulHttpResponse.builder().statusCode(200).headers(headers).body("{}").build();
  }

  /** An answer that counts the reads of its headers: when the hook reads them. */
  public static final class CountingResponse {
    private final byte[] body;
    private final Map<String, List<String>> headers;
    final java.util.concurrent.atomic.AtomicInteger headerReads =
        new java.util.concurrent.atomic.AtomicInteger();

    CountingResponse(String body, Map<String, List<String>> headers) {
      this.body = body.getBytes(java.nio.charset.StandardCharsets.UTF_8);
      this.headers = headers;
    }

    public int statusCode() {
      return 200;
    }

    public byte[] bodyBytes() {
      return body;
    }

    public String body() {
      return new String(body, java.nio.charset.StandardCharsets.UTF_8);
    }

    public Map<String, List<String>> headers() {
      headerReads.incrementAndGet();
      return headers;
    }
  }

  /**
   * The header is read with the answer: when the attempt's span is read if the answer's usage
   * waits for it (no read on the application's thread when the answer arrives), at once when the
   * answer is read at once (here: an answer too large to wait); the same cost either way.
   */
  @Test
  void theHeaderOfAnAnswerReadLateIsReadWhenTheSpanIsRead() {
    assertHeaderReads(String.format(BODY, ""), 0);
  }

  @Test
  void theHeaderOfAnAnswerReadAtOnceIsReadAtOnce() {
    assertHeaderReads(String.format(BODY, ",\"pad\":\"" + "x".repeat(70 * 1024) + "\""), 1);
  }

  private void assertHeaderReads(String body, int onArrival) {
    CountingResponse response =
        new CountingResponse(body, Map.of("x-litellm-response-cost", List.of("0.000314")));
    LogicalCall call = LogicalCall.start("model", "chat", "openai", "gpt-4o-mini", false);
    try (Scope ignored = call.context().makeCurrent()) {
      HttpTracing.exitSync(HttpTracing.enter(new Object()), response, null);
    }
    assertThat(response.headerReads.get()).as("reads on arrival").isEqualTo(onArrival);
    call.end("gpt-4o-mini", List.of("stop"), null, null);
    assertThat(telemetry.span(ATTEMPT, 1L).getAttributes().get(PROVIDER_COST_USD))
        .isEqualTo("0.000314");
    assertThat(response.headerReads.get()).as("reads in all").isEqualTo(1);
  }

  @Test
  void withoutAHeaderTheBodysUsageCostIsKept() {
    assertThat(attemptCost(Map.of(), String.format(BODY, ",\"cost\":0.000271828182845904523")))
        .isEqualTo("0.000271828182845904523");
  }

  @Test
  void aMalformedHeaderIsIgnoredAndNoCostIsInvented() {
    assertThat(attemptCost(Map.of("x-litellm-response-cost", List.of("NaN")), String.format(BODY, "")))
        .isNull();
  }
}
