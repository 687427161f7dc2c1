package io.flowcost.agent.calls;

import static io.flowcost.agent.context.SpanAttributes.ATTEMPT;
import static io.flowcost.agent.context.SpanAttributes.ATTEMPTS;
import static io.flowcost.agent.context.SpanAttributes.CALL_ID;
import static io.flowcost.agent.context.SpanAttributes.CALL_KIND;
import static io.flowcost.agent.context.SpanAttributes.ERROR_TYPE;
import static io.flowcost.agent.context.SpanAttributes.HTTP_STATUS;
import static io.flowcost.agent.context.SpanAttributes.INPUT_TOKENS;
import static io.flowcost.agent.context.SpanAttributes.OUTPUT_TOKENS;
import static io.flowcost.agent.context.SpanAttributes.PROVIDER;
import static io.flowcost.agent.context.SpanAttributes.REQUEST_MODEL;
import static io.flowcost.agent.context.SpanAttributes.WORKFLOW_NAME;
import static io.flowcost.agent.context.SpanAttributes.WORKFLOW_ROOT;
import static io.flowcost.agent.context.SpanAttributes.WORKFLOW_SOURCE;
import static org.assertj.core.api.Assertions.assertThat;

import io.flowcost.agent.context.AgentContext;
import io.flowcost.agent.context.Workflow;
import io.flowcost.agent.testing.AgentTelemetryExtension;
import io.flowcost.agent.usage.ResponseSummary;
import io.flowcost.agent.usage.Usage;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class LogicalCallTest {

  @RegisterExtension final AgentTelemetryExtension telemetry = new AgentTelemetryExtension();

  private static final Usage USAGE =
      Usage.builder().inputTokens(100L).cacheReadTokens(40L).outputTokens(7L).build();

  @Test
  void aCallInsideAWorkflowCarriesTheWorkflowsNameAndTags() {
    Workflow workflow =
        AgentContext.startWorkflow("triage", "api", java.util.Map.of("customer", "acme"), null);
    try (Scope ignored = workflow.attach(Context.current()).makeCurrent()) {
      LogicalCall.start("model", "chat", "openai", "gpt-4o", false).end(null, null, null, null);
    }
    workflow.rootSpan().end();

    SpanData callSpan = telemetry.span(CALL_KIND, "model");
    assertThat(callSpan.getTraceId()).isEqualTo(workflow.id());
    assertThat(callSpan.getAttributes().get(WORKFLOW_NAME)).isEqualTo("triage");
    assertThat(callSpan.getAttributes().get(AttributeKey.stringKey("flowcost.tag.customer")))
        .isEqualTo("acme");
    assertThat(callSpan.getAttributes().get(AttributeKey.stringKey("flowcost.tag.team")))
        .isEqualTo("claims"); // configured tags too, like the root's
  }

  @Test
  void bareCallOpensAnImplicitWorkflowAndNumbersItsAttempts() {
    LogicalCall call = LogicalCall.start("model", "chat", "openai", "gpt-4o", false);
    try (Scope ignored = call.context().makeCurrent()) {
      assertThat(LogicalCall.current()).isSameAs(call);
      LogicalCall.current().startAttempt().failed(429, "http_429", null);
      LogicalCall.current()
          .startAttempt()
          .succeeded(200, new ResponseSummary("gpt-4o-2024-08-06", List.of("stop"), USAGE));
    }
    call.end("gpt-4o-2024-08-06", List.of("stop"), null, null);

    SpanData root = telemetry.span(WORKFLOW_ROOT, true);
    assertThat(root.getName()).isEqualTo("claims-bot:chat gpt-4o");
    assertThat(root.getParentSpanContext().isValid()).isFalse();
    assertThat(root.getAttributes().get(WORKFLOW_SOURCE)).isEqualTo("implicit");
    assertThat(root.getAttributes().get(WORKFLOW_NAME)).isEqualTo("claims-bot:chat gpt-4o");
    assertThat(root.getAttributes().get(AttributeKey.stringKey("flowcost.tag.team"))).isEqualTo("claims");

    SpanData callSpan = telemetry.span(ATTEMPTS, 2L);
    assertThat(callSpan.getKind()).isEqualTo(SpanKind.CLIENT);
    assertThat(callSpan.getParentSpanId()).isEqualTo(root.getSpanId());
    assertThat(callSpan.getAttributes().get(INPUT_TOKENS)).isNull();
    // the workflow's name and tags ride on the call span: live attribution in the collector
    assertThat(callSpan.getAttributes().get(WORKFLOW_NAME)).isEqualTo("claims-bot:chat gpt-4o");
    assertThat(callSpan.getAttributes().get(AttributeKey.stringKey("flowcost.tag.team")))
        .isEqualTo("claims");
    assertThat(callSpan.getAttributes().get(WORKFLOW_ROOT)).isNull();

    SpanData first = telemetry.span(ATTEMPT, 1L);
    assertThat(first.getParentSpanId()).isEqualTo(callSpan.getSpanId());
    assertThat(first.getAttributes().get(CALL_ID)).isEqualTo(callSpan.getSpanId());
    assertThat(first.getAttributes().get(CALL_KIND)).isEqualTo("model");
    assertThat(first.getAttributes().get(PROVIDER)).isEqualTo("openai");
    assertThat(first.getAttributes().get(REQUEST_MODEL)).isEqualTo("gpt-4o");
    assertThat(first.getAttributes().get(HTTP_STATUS)).isEqualTo(429L);
    assertThat(first.getAttributes().get(ERROR_TYPE)).isEqualTo("http_429");
    assertThat(first.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
    assertThat(first.getAttributes().get(INPUT_TOKENS)).isNull();

    SpanData second = telemetry.span(ATTEMPT, 2L);
    assertThat(second.getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);
    assertThat(second.getAttributes().get(INPUT_TOKENS)).isEqualTo(100L);
    assertThat(second.getAttributes().get(OUTPUT_TOKENS)).isEqualTo(7L);
    // the attempt keeps the time its exchange finished, not the time the call ended
    assertThat(second.getEndEpochNanos()).isLessThanOrEqualTo(callSpan.getEndEpochNanos());
  }

  /** A call span's attributes in their order, as {@code key=value}. */
  private List<String> attributesOf(LogicalCall call) {
    String id = call.span().getSpanContext().getSpanId();
    SpanData span = telemetry.spans().stream().filter(s -> s.getSpanId().equals(id))
        .findFirst().orElseThrow();
    List<String> attributes = new java.util.ArrayList<>();
    span.getAttributes().forEach((key, value) -> attributes.add(key.getKey() + "=" + value));
    return attributes;
  }

  @Test
  void aResponseGivenLateRecordsWhatTheResponseGivenAtOnceRecordsInTheSameOrder() {
    for (String model : java.util.Arrays.asList("gpt-4o-2024-08-06", null)) {
      for (List<String> finish : java.util.Arrays.asList(List.of("stop"), List.<String>of(), null)) {
        // the wire's answer names another model: the client's values are the ones recorded
        ResponseSummary wire = new ResponseSummary("wire-model", List.of("wire"), USAGE);
        LogicalCall now = LogicalCall.start("model", "chat", "openai", "gpt-4o", false);
        now.startAttempt().succeeded(200, wire);
        now.endWithClientUsage(model, finish, () -> USAGE, null);
        LogicalCall late = LogicalCall.start("model", "chat", "openai", "gpt-4o", false);
        late.startAttempt().succeeded(200, wire);
        LogicalCall.LateResponse response = new LogicalCall.LateResponse() {
          @Override
          public String model() {
            return model;
          }

          @Override
          public List<String> finishReasons() {
            return finish;
          }
        };
        assertThat(late.endWithResponseLater(response, () -> USAGE)).isTrue();
        assertThat(attributesOf(late)).isEqualTo(attributesOf(now)).contains("gen_ai.request.model=gpt-4o");
      }
    }
  }

  @Test
  void aResponseIsGivenLateOnlyForOneAttempt() {
    LogicalCall.LateResponse response = new LogicalCall.LateResponse() {
      @Override
      public String model() {
        return "gpt-4o";
      }

      @Override
      public List<String> finishReasons() {
        return List.of("stop");
      }
    };
    LogicalCall none = LogicalCall.start("model", "chat", "openai", "gpt-4o", false);
    assertThat(none.endWithResponseLater(response, null)).isFalse();
    LogicalCall retried = LogicalCall.start("model", "chat", "openai", "gpt-4o", false);
    retried.startAttempt().failed(429, "http_429", null);
    retried.startAttempt().succeeded(200, null);
    assertThat(retried.endWithResponseLater(response, null)).isFalse();
    retried.end("gpt-4o", List.of("stop"), null, null); // the caller ends it at once
    assertThat(attributesOf(retried)).contains("gen_ai.response.model=gpt-4o",
        "flowcost.attempts=2");
  }

  @Test
  void clientUsageFillsTheLastSuccessfulAttemptWhenTheWireHadNone() {
    LogicalCall call = LogicalCall.start("model", "chat", "anthropic", "claude", false);
    call.startAttempt().succeeded(200, null);
    call.startAttempt().failed(0, "java.net.SocketTimeoutException", null);
    call.end(null, null, USAGE, null);

    assertThat(telemetry.span(ATTEMPT, 1L).getAttributes().get(INPUT_TOKENS)).isEqualTo(100L);
    assertThat(telemetry.span(ATTEMPT, 2L).getAttributes().get(INPUT_TOKENS)).isNull();
    assertThat(telemetry.span(ATTEMPTS, 2L).getAttributes().get(INPUT_TOKENS)).isNull();
  }

  @Test
  void theClientsUsageIsReadOnlyWhenNoAttemptReadUsageFromTheWire() {
    java.util.concurrent.atomic.AtomicInteger reads = new java.util.concurrent.atomic.AtomicInteger();
    java.util.function.Supplier<Usage> client = () -> {
      reads.incrementAndGet();
      return Usage.builder().inputTokens(999L).outputTokens(999L).build();
    };
    LogicalCall wire = LogicalCall.start("model", "chat", "openai", "gpt-4o", false);
    wire.startAttempt().succeeded(200, new ResponseSummary("gpt-4o", List.of("stop"), USAGE));
    wire.endWithClientUsage("gpt-4o", List.of("stop"), client, null);
    assertThat(reads).hasValue(0); // the wire's usage stands: the client's is never read
    assertThat(telemetry.span(ATTEMPT, 1L).getAttributes().get(INPUT_TOKENS)).isEqualTo(100L);

    LogicalCall noWire = LogicalCall.start("model", "chat", "anthropic", "claude", false);
    noWire.startAttempt().succeeded(200, null);
    noWire.endWithClientUsage(null, null, client, null);
    assertThat(reads).hasValue(1);
    assertThat(telemetry.spans().stream()
        .filter(s -> Long.valueOf(1L).equals(s.getAttributes().get(ATTEMPT)))
        .map(s -> s.getAttributes().get(INPUT_TOKENS)))
        .containsExactlyInAnyOrder(100L, 999L);
  }

  @Test
  void callWithoutAttemptsCarriesTheUsageItself() {
    LogicalCall call = LogicalCall.start("embedding", "embeddings", "openai", "text-embedding-3-small", false);
    call.end(null, null, USAGE, null);

    SpanData callSpan = telemetry.span(CALL_KIND, "embedding");
    assertThat(callSpan.getAttributes().get(ATTEMPTS)).isNull();
    assertThat(callSpan.getAttributes().get(INPUT_TOKENS)).isEqualTo(100L);
  }

  @Test
  void callInsideAWorkflowJoinsItAndAFailureMarksOnlyTheCall() {
    Workflow workflow = AgentContext.startWorkflow("summarize-claim", "api", null, null);
    try (Scope ignored = workflow.attach(Context.current()).makeCurrent()) {
      LogicalCall call = LogicalCall.start("model", "chat", "openai", null, false);
      call.end(null, null, null, new IllegalStateException("must not be recorded"));
    }
    workflow.rootSpan().end();

    assertThat(telemetry.spans()).hasSize(2);
    SpanData callSpan = telemetry.span(CALL_KIND, "model");
    assertThat(callSpan.getName()).isEqualTo("chat");
    assertThat(callSpan.getTraceId()).isEqualTo(workflow.id());
    assertThat(callSpan.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
    assertThat(callSpan.getAttributes().get(ERROR_TYPE)).isEqualTo("java.lang.IllegalStateException");
    assertThat(callSpan.getAttributes().asMap().values()).noneMatch(v -> String.valueOf(v).contains("must not"));
    assertThat(telemetry.span(WORKFLOW_ROOT, true).getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);
  }

  @Test
  void endIsIdempotent() {
    LogicalCall call = LogicalCall.start("model", "chat", "openai", "m", true);
    call.end(null, null, null, null);
    call.end(null, null, null, new RuntimeException());

    assertThat(telemetry.spans()).hasSize(2);
  }
}
