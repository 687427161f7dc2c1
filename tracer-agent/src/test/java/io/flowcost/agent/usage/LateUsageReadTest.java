package io.flowcost.agent.usage;

import static org.assertj.core.api.Assertions.assertThat;

import io.flowcost.agent.calls.Attempt;
import io.flowcost.agent.calls.LateSummary;
import io.flowcost.agent.calls.LogicalCall;
import io.flowcost.agent.calls.RequestBody;
import io.flowcost.agent.context.SpanAttributes;
import io.flowcost.agent.http.HttpExchange;
import io.flowcost.agent.http.HttpExchanges;
import io.flowcost.agent.http.SdkCall;
import io.flowcost.agent.testing.AgentTelemetryExtension;
import io.flowcost.agent.trace.AgentTracer;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * An answer's usage read when its attempt's span is exported ({@link Attempt#succeededLater})
 * gives the attempt and call spans exactly the attributes — names, order, values — that reading
 * it when the answer arrived ({@link Attempt#succeeded}) gives: for every body of the usage
 * scanner's corpus (every provider's wire in the agent's tests), with and without the client's
 * own usage to fall back on, with and without a request body to estimate from.
 */
class LateUsageReadTest {

  @RegisterExtension final AgentTelemetryExtension telemetry = new AgentTelemetryExtension();

  private static final String REQUEST = "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":"
      + "\"user\",\"content\":\"Is the windshield covered by policy P-1003?\"}]}";

  private static final Usage CLIENT_USAGE =
      Usage.builder().inputTokens(11L).outputTokens(4L).build();

  /** Attribute values that are ids of the spans themselves, different on every run. */
  private static final List<AttributeKey<?>> IDS =
      List.of(SpanAttributes.CALL_ID, SpanAttributes.CALL_PARENT_ID);

  @Test
  void aLateReadRecordsWhatAReadAtOnceRecords() throws IOException {
    List<String> corpus = UsageScannerDifferentialTest.corpus();
    assertThat(corpus).hasSizeGreaterThan(100);
    int compared = 0;
    int withUsage = 0;
    for (String body : corpus) {
      for (boolean client : new boolean[] {false, true}) {
        for (boolean request : new boolean[] {false, true}) {
          byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
          List<String> now = record(bytes, client, request, false);
          List<String> late = record(bytes, client, request, true);
          assertThat(late).as("%s client=%s request=%s", body, client, request).isEqualTo(now);
          compared++;
          withUsage += now.stream().anyMatch(a -> a.contains("gen_ai.usage.")) ? 1 : 0;
        }
      }
    }
    // the comparison covers answers with usage, without, and the fallbacks
    assertThat(withUsage).isGreaterThan(compared / 4).isLessThan(compared);
  }

  @Test
  void anAnswerReadLateIsReadOnceAndGivesItsRoomBack() {
    long before = heldNow();
    List<String> late = record(
        "{\"model\":\"m\",\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":2}}"
            .getBytes(StandardCharsets.UTF_8), false, false, true);
    assertThat(late).contains("gen_ai.usage.input_tokens=3", "gen_ai.usage.output_tokens=2");
    assertThat(heldNow()).isEqualTo(before);
  }

  @Test
  void aSpanDroppedUnreadGivesItsRoomBack() {
    long before = heldNow();
    int already = telemetry.spans().size();
    LogicalCall call = LogicalCall.start("model", "chat", "openai", "gpt-4o-mini", false);
    Attempt attempt = call.startAttempt();
    byte[] body = "{\"usage\":{\"prompt_tokens\":3}}".getBytes(StandardCharsets.UTF_8);
    assertThat(attempt.succeededLater(200, new Answer(body))).isTrue();
    call.endWithClientUsage(null, null, null, null);
    assertThat(heldNow()).isEqualTo(before + body.length);
    // the attempt's span ends first (found without reading attributes, which would read it)
    SpanData attemptSpan = telemetry.spans().get(already);
    assertThat(attemptSpan.getParentSpanId()).isEqualTo(call.span().getSpanContext().getSpanId());
    AgentTracer.dropped((ReadableSpan) attemptSpan);
    assertThat(heldNow()).isEqualTo(before);
    // never read: what the answer reported is not there, what was set before the end is
    assertThat(attemptSpan.getAttributes().get(SpanAttributes.INPUT_TOKENS)).isNull();
    assertThat(attemptSpan.getAttributes().get(SpanAttributes.HTTP_STATUS)).isEqualTo(200L);
  }

  /** How an answer reaches the agent through its HTTP layer ({@code HttpExchange}). */
  private enum HttpPath {
    /** A bare model request: a call of its own (OkHttp, Apache, the JDK client, …). */
    OWN_CALL,
    /** An SDK call's attempt (the OpenAI or Anthropic SDK, Spring AI's retry group). */
    SDK_CALL,
    /** An SDK call's attempt whose answer names a model the record ignores (Bedrock). */
    SDK_CALL_IGNORING_MODEL,
    /** An SDK call with two attempts that both answered: the first is read when the second ends. */
    SDK_CALL_TWO_ANSWERS
  }

  @Test
  void everyHttpPathRecordsLateWhatItRecordsAtOnce() throws IOException {
    List<String> corpus = UsageScannerDifferentialTest.corpus();
    int compared = 0;
    int withUsage = 0;
    for (HttpPath path : HttpPath.values()) {
      for (String body : corpus) {
        for (boolean request : new boolean[] {false, true}) {
          byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
          List<String> now = recordHttp(path, bytes, request, false);
          List<String> late = recordHttp(path, bytes, request, true);
          assertThat(late).as("%s %s request=%s", path, body, request).isEqualTo(now);
          compared++;
          withUsage += now.stream().anyMatch(a -> a.contains("gen_ai.usage.")) ? 1 : 0;
        }
      }
    }
    assertThat(withUsage).isGreaterThan(compared / 4).isLessThan(compared);
  }

  @Test
  void anSdkCallWhoseListenerNeedsTheAnswerReadsItAtOnce() {
    long before = heldNow();
    LogicalCall call = LogicalCall.start("model", "chat", "openai", "gpt-4o-mini", false);
    SdkCall sdk = SdkCall.of(call);
    List<ResponseSummary> heard = new ArrayList<>();
    sdk.whenAnswered(heard::add);
    HttpExchange exchange = HttpExchanges.sdkAttempt(sdk);
    byte[] body = "{\"model\":\"m\",\"usage\":{\"prompt_tokens\":3}}"
        .getBytes(StandardCharsets.UTF_8);
    exchange.responseHead(200, "application/json");
    exchange.bodyBytes(body, 0, body.length);
    exchange.bodyComplete();
    assertThat(heard).hasSize(1);
    assertThat(heard.get(0).usage().inputTokens()).isEqualTo(3L);
    assertThat(heldNow()).isEqualTo(before);
    sdk.methodExited(null);
  }

  /**
   * The spans' attributes (ids masked) of one exchange answered by {@code body} through {@code
   * path}: read late, or at once — the answer refused its wait, as when too much is held.
   */
  private List<String> recordHttp(HttpPath path, byte[] body, boolean request, boolean late) {
    int already = telemetry.spans().size();
    long held = heldNow();
    if (!late) {
      holdEverything(true);
    }
    try {
      HttpExchange exchange;
      SdkCall sdk = null;
      if (path == HttpPath.OWN_CALL) {
        exchange = HttpExchanges.start("POST", "https", "api.openai.com", -1,
            "/v1/chat/completions");
        assertThat(exchange).isNotNull();
      } else {
        LogicalCall call = LogicalCall.start("model", "chat", "openai", "gpt-4o-mini", false);
        sdk = SdkCall.of(call);
        if (path == HttpPath.SDK_CALL_TWO_ANSWERS) {
          answer(HttpExchanges.sdkAttempt(sdk), body, request);
        }
        exchange = HttpExchanges.sdkAttempt(sdk);
        if (path == HttpPath.SDK_CALL_IGNORING_MODEL) {
          exchange.ignoreResponseModel();
        }
      }
      answer(exchange, body, request);
      if (sdk != null) {
        sdk.methodExited(null);
      }
      List<SpanData> spans = telemetry.spans().subList(already, telemetry.spans().size());
      assertThat(spans).hasSizeGreaterThanOrEqualTo(2);
      if (late && path != HttpPath.SDK_CALL_TWO_ANSWERS) {
        // still unread when the spans have ended: their first read reads it
        assertThat(heldNow() - held).isGreaterThanOrEqualTo(body.length);
      }
      List<String> attributes = new ArrayList<>();
      for (SpanData span : spans) {
        attributes.add("span " + span.getName() + " dropped="
            + (span.getTotalAttributeCount() - span.getAttributes().size()));
        span.getAttributes().forEach((key, value) ->
            attributes.add(key.getKey() + "=" + (masked(key) ? "<id>" : value)));
      }
      return attributes;
    } finally {
      if (!late) {
        holdEverything(false);
      }
      assertThat(heldNow()).as("read and given back").isEqualTo(held);
    }
  }

  private static void answer(HttpExchange exchange, byte[] body, boolean request) {
    if (request && exchange.needsRequestBody()) {
      exchange.requestBody(RequestBody.ofText(REQUEST));
    }
    assertThat(exchange.responseHead(200, "application/json")).isTrue();
    // in two reads, as a client reads a body
    int half = body.length / 2;
    exchange.bodyBytes(body, 0, half);
    exchange.bodyBytes(body, half, body.length - half);
    exchange.bodyComplete();
  }

  private static boolean masked(AttributeKey<?> key) {
    return IDS.contains(key) || key.getKey().endsWith("workflow.id");
  }

  /** Takes (or gives back) all the room answers may hold: every answer is then read at once. */
  private static void holdEverything(boolean take) {
    try {
      java.lang.reflect.Field held = LateSummary.class.getDeclaredField("HELD");
      held.setAccessible(true);
      java.lang.reflect.Field max = LateSummary.class.getDeclaredField("MAX_HELD_BYTES");
      max.setAccessible(true);
      long room = max.getLong(null);
      ((java.util.concurrent.atomic.AtomicLong) held.get(null)).addAndGet(take ? room : -room);
    } catch (ReflectiveOperationException e) {
      throw new AssertionError(e);
    }
  }

  /** The attempt's and call's attributes (ids masked) of one call answered by {@code body}. */
  private List<String> record(byte[] body, boolean client, boolean request, boolean late) {
    telemetry.spans(); // nothing read yet
    int already = telemetry.spans().size();
    LogicalCall call = LogicalCall.start("model", "chat", "openai", "gpt-4o-mini", false);
    if (request) {
      call.requestBody(RequestBody.ofText(REQUEST));
    }
    Attempt attempt = call.startAttempt();
    long held = heldNow();
    if (late) {
      assertThat(attempt.usageCanWait()).isTrue();
      assertThat(attempt.succeededLater(200, new Answer(body))).isTrue();
    } else {
      attempt.succeeded(200, new Answer(body).read());
    }
    Supplier<Usage> clientUsage = client ? () -> CLIENT_USAGE : null;
    call.endWithClientUsage("gpt-4o-mini-2024-07-18", List.of("stop"), clientUsage, null);
    List<SpanData> spans = telemetry.spans().subList(already, telemetry.spans().size());
    // a late answer is still unread when its spans have ended: the first read of them reads it
    assertThat(heldNow() - held)
        .isEqualTo(late ? body.length + (request ? REQUEST.length() : 0) : 0);
    List<String> attributes = new ArrayList<>();
    for (SpanData span : spans) {
      attributes.add("span " + span.getName() + " dropped="
          + (span.getTotalAttributeCount() - span.getAttributes().size()));
      span.getAttributes().forEach((key, value) ->
          attributes.add(key.getKey() + "=" + (IDS.contains(key) ? "<id>" : value)));
    }
    return attributes;
  }

  private static long heldNow() {
    try {
      java.lang.reflect.Method held = LateSummary.class.getDeclaredMethod("held");
      held.setAccessible(true);
      return (long) held.invoke(null);
    } catch (ReflectiveOperationException e) {
      throw new AssertionError(e);
    }
  }

  /** Read as the LangChain4j hook reads an answer: its bytes, else its text. */
  private static final class Answer extends LateSummary {
    private final byte[] body;

    Answer(byte[] body) {
      super(body.length);
      this.body = body;
    }

    @Override
    protected ResponseSummary read() {
      ResponseSummary summary = UsageParser.parseWithoutToolCalls(body);
      return summary != null ? summary : UsageParser.parse(new String(body, StandardCharsets.UTF_8));
    }
  }
}
