package io.flowcost.agent.calls;

import static io.flowcost.agent.calls.InvocationCalls.WASTE_CAUSE;
import static io.flowcost.agent.context.SpanAttributes.ATTEMPT;
import static io.flowcost.agent.context.SpanAttributes.INPUT_TOKENS;
import static io.flowcost.agent.context.SpanAttributes.OUTPUT_TOKENS;
import static io.flowcost.agent.context.SpanAttributes.REQUEST_MODEL;
import static org.assertj.core.api.Assertions.assertThat;

import io.flowcost.agent.context.AgentContext;
import io.flowcost.agent.context.Workflow;
import io.flowcost.agent.testing.AgentTelemetryExtension;
import io.flowcost.agent.usage.ResponseSummary;
import io.flowcost.agent.usage.Usage;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class InvocationCallsTest {

  @RegisterExtension final AgentTelemetryExtension telemetry = new AgentTelemetryExtension();

  private static final Usage USAGE = Usage.builder().inputTokens(120L).outputTokens(42L).build();
  private static final AttributeKey<Boolean> ESTIMATED =
      AttributeKey.booleanKey("flowcost.usage.estimated");

  /** A model call with one failed (unbilled) and one answered attempt. */
  private static LogicalCall call(String model, boolean withRetry) {
    LogicalCall call = LogicalCall.start("model", "chat", "openai", model, false);
    try (Scope ignored = call.context().makeCurrent()) {
      if (withRetry) {
        call.startAttempt().failed(429, "http_429", null);
      }
      call.startAttempt().succeeded(200, new ResponseSummary(model, List.of("stop"), USAGE));
    }
    call.end(model, List.of("stop"), null, null);
    return call;
  }

  private SpanData attempt(String model, long number) {
    return telemetry.spans().stream()
        .filter(s -> model.equals(s.getAttributes().get(REQUEST_MODEL)))
        .filter(s -> Long.valueOf(number).equals(s.getAttributes().get(ATTEMPT)))
        .findFirst()
        .orElseThrow();
  }

  @Test
  void callsInsideAnInvocationEndWithItAndKeepTheirOwnEndTimes() throws InterruptedException {
    Workflow wf = AgentContext.startWorkflow("w", "api", null, null);
    Context ctx = InvocationCalls.open(wf.attach(Context.root()));
    try (Scope ignored = ctx.makeCurrent()) {
      call("gpt-4o", false);
    }
    java.time.Instant between = java.time.Instant.now();
    Thread.sleep(5);
    assertThat(telemetry.spans()).isEmpty(); // the verdict may still come

    InvocationCalls.in(ctx).close(null);
    SpanData attempt = attempt("gpt-4o", 1);
    assertThat(attempt.getAttributes().get(WASTE_CAUSE)).isNull();
    assertThat(attempt.getAttributes().get(INPUT_TOKENS)).isEqualTo(120L);
    assertThat(telemetry.spans()).hasSize(2);
    long betweenNanos = between.getEpochSecond() * 1_000_000_000L + between.getNano();
    for (SpanData span : telemetry.spans()) {
      assertThat(span.getEndEpochNanos()).isLessThanOrEqualTo(betweenNanos); // not the close time
    }
  }

  @Test
  void aGuardrailVerdictDiscardsOnlyTheLastAnswerAndOnlyItsBilledAttempts() {
    Workflow wf = AgentContext.startWorkflow("w", "api", null, null);
    Context ctx = InvocationCalls.open(wf.attach(Context.root()));
    try (Scope ignored = ctx.makeCurrent()) {
      call("first", false);
      call("rejected", true);
      assertThat(InvocationCalls.current().discardLastModelCall()).isTrue();
      assertThat(InvocationCalls.current().discardLastModelCall()).isFalse(); // one verdict each
      call("accepted", false);
    }
    InvocationCalls.in(ctx).close(null);

    assertThat(attempt("first", 1).getAttributes().get(WASTE_CAUSE)).isNull();
    assertThat(attempt("rejected", 1).getAttributes().get(WASTE_CAUSE)).isNull(); // the 429
    assertThat(attempt("rejected", 2).getAttributes().get(WASTE_CAUSE)).isEqualTo("discarded");
    assertThat(attempt("accepted", 1).getAttributes().get(WASTE_CAUSE)).isNull();
  }

  @Test
  void aFailedStepMarksItsCallsAndThoseOfStepsNestedInIt() {
    Workflow wf = AgentContext.startWorkflow("w", "api", null, null);
    Context root = InvocationCalls.open(wf.attach(Context.root()));
    Context step = InvocationCalls.open(root);
    Context inner = InvocationCalls.open(step);
    try (Scope ignored = inner.makeCurrent()) {
      call("inner", false);
    }
    InvocationCalls.in(inner).close(null); // the inner step returned: its call waits for the step
    try (Scope ignored = step.makeCurrent()) {
      call("step", false);
    }
    // a verdict of the step judges the step's own last answer, never one handed on by a nested step
    assertThat(InvocationCalls.in(step).discardLastModelCall()).isTrue();
    InvocationCalls.in(step).close(InvocationCalls.FAILED_STEP);
    try (Scope ignored = root.makeCurrent()) {
      call("after", false);
    }
    InvocationCalls.in(root).close(null);

    assertThat(attempt("inner", 1).getAttributes().get(WASTE_CAUSE)).isEqualTo("failed_step");
    assertThat(attempt("step", 1).getAttributes().get(WASTE_CAUSE)).isEqualTo("discarded");
    assertThat(attempt("after", 1).getAttributes().get(WASTE_CAUSE)).isNull();
  }

  @Test
  void aCallEndingAfterItsInvocationClosedEndsAtOnce() {
    Workflow wf = AgentContext.startWorkflow("w", "api", null, null);
    Context ctx = InvocationCalls.open(wf.attach(Context.root()));
    LogicalCall late;
    try (Scope ignored = ctx.makeCurrent()) {
      late = LogicalCall.start("model", "chat", "openai", "late", true);
    }
    InvocationCalls.in(ctx).close(null);
    late.end("late", null, USAGE, null);
    assertThat(telemetry.spans()).hasSize(1);
  }

  @Test
  void pendingCallsAreBounded() {
    Workflow wf = AgentContext.startWorkflow("w", "api", null, null);
    Context ctx = InvocationCalls.open(wf.attach(Context.root()));
    try (Scope ignored = ctx.makeCurrent()) {
      for (int i = 0; i < InvocationCalls.MAX_PENDING + 3; i++) {
        call("m" + i, false);
      }
    }
    assertThat(telemetry.spans()).hasSize(3 * 2); // the three oldest calls: call + attempt spans
    InvocationCalls.in(ctx).close(null);
    assertThat(telemetry.spans()).hasSize((InvocationCalls.MAX_PENDING + 3) * 2);
  }

  @Test
  void aCallThatEndedLongerAgoThanTheWaitEndsWhenTheNextOneEnds() {
    java.util.function.LongSupplier real = InvocationCalls.clock;
    long[] skew = {0};
    InvocationCalls.clock = () -> real.getAsLong() + skew[0];
    try {
      Workflow wf = AgentContext.startWorkflow("loop", "api", null, null);
      Context ctx = InvocationCalls.open(wf.attach(Context.root()));
      try (Scope ignored = ctx.makeCurrent()) {
        call("first", false);
        call("second", false);
        assertThat(telemetry.spans()).isEmpty(); // both wait for a verdict
        // simulated time: 31 s later the loop's next call ends; the two older ones go out now
        skew[0] = InvocationCalls.MAX_WAIT.plusSeconds(1).toNanos();
        call("third", false);
      }
      assertThat(telemetry.spans()).hasSize(2 * 2);
      assertThat(telemetry.spans()).extracting(sp -> sp.getAttributes().get(REQUEST_MODEL))
          .containsOnly("first", "second");
      // a verdict still reaches the call that just ended
      assertThat(InvocationCalls.in(ctx).discardLastModelCall()).isTrue();
      InvocationCalls.in(ctx).close(null);
      assertThat(attempt("third", 1).getAttributes().get(WASTE_CAUSE)).isEqualTo("discarded");
      assertThat(attempt("first", 1).getAttributes().get(WASTE_CAUSE)).isNull();
    } finally {
      InvocationCalls.clock = real;
    }
  }

  @Test
  void aReadTimeoutIsBilledWithEstimatedTokensAndDiscarded() {
    LogicalCall call = LogicalCall.start("model", "chat", "openai", "gpt-4o-mini", false);
    String body = "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"héllo\"}],"
        + "\"max_tokens\":150}";
    try (Scope ignored = call.context().makeCurrent()) {
      Attempt a = call.startAttempt();
      TokenEstimate.recordRequest(a, body);
      a.readTimedOut();
      a.failed(0, "dev.langchain4j.exception.TimeoutException", null);
      Attempt b = call.startAttempt();
      b.failed(0, "java.net.ConnectException", null);
    }
    call.end(null, null, null, new RuntimeException());

    SpanData timedOut = attempt("gpt-4o-mini", 1);
    long bytes = body.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
    assertThat(timedOut.getAttributes().get(INPUT_TOKENS)).isEqualTo((bytes + 3) / 4);
    assertThat(timedOut.getAttributes().get(OUTPUT_TOKENS)).isEqualTo(150L);
    assertThat(timedOut.getAttributes().get(ESTIMATED)).isTrue();
    assertThat(timedOut.getAttributes().get(WASTE_CAUSE)).isEqualTo("discarded");
    SpanData refused = attempt("gpt-4o-mini", 2);
    assertThat(refused.getAttributes().get(INPUT_TOKENS)).isNull();
    assertThat(refused.getAttributes().get(ESTIMATED)).isNull();
    assertThat(refused.getAttributes().get(WASTE_CAUSE)).isNull();
  }
}
