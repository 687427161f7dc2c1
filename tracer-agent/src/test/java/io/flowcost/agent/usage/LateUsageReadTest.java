package io.flowcost.agent.usage;

import static org.assertj.core.api.Assertions.assertThat;

import io.flowcost.agent.calls.Attempt;
import io.flowcost.agent.calls.LateSummary;
import io.flowcost.agent.calls.LogicalCall;
import io.flowcost.agent.calls.RequestBody;
import io.flowcost.agent.context.SpanAttributes;
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
