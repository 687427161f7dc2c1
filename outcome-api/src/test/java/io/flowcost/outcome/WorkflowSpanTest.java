package io.flowcost.outcome;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.flowcost.outcome.CollectorStub.Received;
import io.flowcost.outcome.internal.Delivery;
import io.flowcost.outcome.internal.Settings;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class WorkflowSpanTest {

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private CollectorStub collector;

  @BeforeEach
  void setUp() throws Exception {
    collector = new CollectorStub();
    Settings settings =
        new Settings(collector.endpoint(), "claims-bot", null, Map.of("env", "test", "team", "default-team"));
    Flowcost.use(new Reporter(settings, new Delivery(settings, 100, Duration.ofMillis(50), 4)));
  }

  @AfterEach
  void tearDown() {
    collector.close();
  }

  @Test
  void sendsTheWorkflowSpanAsOtlpJsonOnClose() throws Exception {
    Instant before = Instant.now();
    String id;
    String spanId;
    try (Workflow wf =
        Flowcost.workflow("summarize-claim").tag("team", "claims").externalKey("CLM-1").start()) {
      id = wf.id();
      spanId = Flowcost.currentWorkflowSpanId().orElseThrow();
      assertThat(id).matches("[0-9a-f]{32}");
      assertThat(spanId).matches("[0-9a-f]{16}");
      assertThat(Flowcost.currentWorkflowId()).contains(id);
      assertThat(wf.name()).isEqualTo("summarize-claim");
      assertThat(wf.joined()).isFalse();
      assertThat(collector.received()).isEmpty(); // sent on close, not before
    }
    assertThat(Flowcost.currentWorkflowId()).isEmpty();
    assertThat(Flowcost.currentWorkflowSpanId()).isEmpty();

    assertThat(Flowcost.flush(Duration.ofSeconds(5))).isTrue();
    Received request = collector.await(1, Duration.ofSeconds(5)).get(0);
    assertThat(request.path()).isEqualTo("/v1/traces");
    assertThat(request.header("Content-Type")).isEqualTo("application/json");
    assertThat(request.header("X-Flowcost-Api-Key")).isNull();

    JsonNode resourceSpans = MAPPER.readTree(request.body()).get("resourceSpans").get(0);
    assertThat(attributes(resourceSpans.get("resource").get("attributes")))
        .containsEntry("service.name", "claims-bot");
    JsonNode span = resourceSpans.get("scopeSpans").get(0).get("spans").get(0);
    assertThat(span.get("traceId").asText()).isEqualTo(id);
    assertThat(span.get("spanId").asText()).isEqualTo(spanId);
    assertThat(span.has("parentSpanId")).isFalse();
    assertThat(span.get("name").asText()).isEqualTo("summarize-claim");
    long start = Long.parseLong(span.get("startTimeUnixNano").asText());
    long end = Long.parseLong(span.get("endTimeUnixNano").asText());
    assertThat(start).isBetween(nanos(before) - 1_000_000, nanos(Instant.now()));
    assertThat(end).isGreaterThanOrEqualTo(start);
    assertThat(span.has("status")).isFalse();
    assertThat(attributes(span.get("attributes")))
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                "flowcost.workflow.root", true,
                "flowcost.workflow.name", "summarize-claim",
                "flowcost.workflow.source", "api",
                "flowcost.tag.env", "test",
                "flowcost.tag.team", "claims",
                "flowcost.external_key", "CLM-1"));
  }

  @Test
  void nestedStartJoinsTheOpenWorkflowAndOneSpanIsSent() throws Exception {
    String outerId;
    try (Workflow outer = Flowcost.workflow("outer").start()) {
      outerId = outer.id();
      try (Workflow inner = Flowcost.workflow("inner").tag("feature", "triage").externalKey("T-9").start()) {
        assertThat(inner.id()).isEqualTo(outerId);
        assertThat(inner.joined()).isTrue();
        assertThat(inner.name()).isEqualTo("outer");
        assertThat(Flowcost.currentWorkflowId()).contains(outerId);
        inner.fail(new IllegalStateException("handled by the outer code"));
      }
      assertThat(Flowcost.currentWorkflowId()).contains(outerId);
      assertThat(outer.externalKey()).contains("T-9");
    }
    try (Workflow next = Flowcost.workflow("next").start()) {
      assertThat(next.id()).isNotEqualTo(outerId);
    }

    assertThat(Flowcost.flush(Duration.ofSeconds(5))).isTrue();
    List<Received> requests = collector.received();
    assertThat(requests).hasSize(2);
    JsonNode span = span(requests.get(0));
    assertThat(span.get("traceId").asText()).isEqualTo(outerId);
    assertThat(span.get("name").asText()).isEqualTo("outer");
    assertThat(span.has("status")).isFalse(); // the inner failure was the inner code's business
    assertThat(attributes(span.get("attributes")))
        .containsEntry("flowcost.tag.feature", "triage")
        .containsEntry("flowcost.external_key", "T-9");
    assertThat(span(requests.get(1)).get("name").asText()).isEqualTo("next");
  }

  @Test
  void workflowsOnOtherThreadsAreSeparate() throws Exception {
    try (Workflow wf = Flowcost.workflow("here").start()) {
      String elsewhere =
          CompletableFuture.supplyAsync(
                  () -> {
                    assertThat(Flowcost.currentWorkflowId()).isEmpty();
                    try (Workflow other = Flowcost.workflow("there").start()) {
                      return other.id();
                    }
                  })
              .get();
      assertThat(elsewhere).isNotEqualTo(wf.id());
      assertThat(Flowcost.currentWorkflowId()).contains(wf.id());
    }
  }

  @Test
  void failedWorkflowHasErrorStatusAndTypeButNoMessage() throws Exception {
    IllegalStateException thrown = new IllegalStateException("secret customer text");
    assertThatThrownBy(
            () ->
                Flowcost.workflow("triage")
                    .call(
                        () -> {
                          throw thrown;
                        }))
        .isSameAs(thrown);

    assertThat(Flowcost.flush(Duration.ofSeconds(5))).isTrue();
    Received request = collector.await(1, Duration.ofSeconds(5)).get(0);
    assertThat(request.body()).doesNotContain("secret");
    JsonNode span = span(request);
    assertThat(span.get("status").get("code").asInt()).isEqualTo(2);
    assertThat(attributes(span.get("attributes")))
        .containsEntry("error.type", "java.lang.IllegalStateException");
  }

  @Test
  void successAndFailureReportOutcomesForTheWorkflow() throws Exception {
    String id;
    try (Workflow wf = Flowcost.workflow("w").start()) {
      id = wf.id();
      wf.success();
    }
    assertThat(Flowcost.flush(Duration.ofSeconds(5))).isTrue();
    List<Received> requests = collector.received();
    assertThat(requests).extracting(Received::path).containsExactly("/v1/outcomes", "/v1/traces");
    JsonNode outcome = MAPPER.readTree(requests.get(0).body());
    assertThat(outcome.get("workflow_id").asText()).isEqualTo(id);
    assertThat(outcome.get("status").asText()).isEqualTo("success");
  }

  @Test
  void closeIsIdempotent() throws Exception {
    Workflow wf = Flowcost.workflow("twice").start();
    wf.close();
    wf.close();
    assertThat(Flowcost.flush(Duration.ofSeconds(5))).isTrue();
    assertThat(collector.received()).hasSize(1);
  }

  private static JsonNode span(Received request) throws Exception {
    return MAPPER.readTree(request.body())
        .get("resourceSpans").get(0).get("scopeSpans").get(0).get("spans").get(0);
  }

  private static Map<String, Object> attributes(JsonNode list) {
    Map<String, Object> out = new HashMap<>();
    for (JsonNode kv : list) {
      JsonNode value = kv.get("value");
      Object v = value.has("boolValue") ? (Object) value.get("boolValue").asBoolean() : value.get("stringValue").asText();
      out.put(kv.get("key").asText(), v);
    }
    return out;
  }

  private static long nanos(Instant i) {
    return i.getEpochSecond() * 1_000_000_000L + i.getNano();
  }
}
