package io.flowcost.agent.springai;

import static org.assertj.core.api.Assertions.assertThat;

import io.flowcost.agent.context.AgentContext;
import io.flowcost.agent.context.Workflow;
import io.flowcost.agent.testing.AgentTelemetryExtension;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Spring AI 2's {@code DefaultCallResponseSpec} has two hooked {@code
 * doGetObservableChatClientResponse} forms, the one-argument form delegating to the two-argument
 * one: the same request nested is one invocation, a different request inside it a step.
 */
class SpringAiClientCallTest {

  @RegisterExtension final AgentTelemetryExtension telemetry = new AgentTelemetryExtension();

  /** Stands in for a {@code ChatClientRequest}: read reflectively through {@code context()}. */
  public static final class Request {
    private final Map<String, Object> context;

    Request(Map<String, Object> context) {
      this.context = context;
    }

    public Map<String, Object> context() {
      return context;
    }
  }

  @Test
  void theNestedFormOfTheSameRequestIsNoSecondInvocation() {
    Request request = new Request(Map.of(SpringAiTracing.CONVERSATION_ID, "trip-42"));
    Object outer = SpringAiTracing.clientCallEnter(request);
    Workflow workflow = AgentContext.currentWorkflow();
    assertThat(workflow).isNotNull();
    Object inner = SpringAiTracing.clientCallEnter(request);
    assertThat(inner).as("the two-argument form inside the one-argument form").isNull();
    assertThat(AgentContext.currentWorkflow()).isSameAs(workflow);
    assertThat(SpringAiTracing.clientCallExit(inner, null)).isNull();
    assertThat(SpringAiTracing.clientCallExit(outer, null)).isNull();
    assertThat(AgentContext.currentWorkflow()).isNull();

    List<SpanData> spans = telemetry.spans();
    assertThat(spans).as("one workflow root, no step").hasSize(1);
  }

  @Test
  void anotherRequestInsideTheInvocationIsAStepOfItsWorkflow() {
    Object outer = SpringAiTracing.clientCallEnter(new Request(Map.of()));
    Workflow workflow = AgentContext.currentWorkflow();
    Object inner = SpringAiTracing.clientCallEnter(new Request(Map.of()));
    assertThat(inner).isNotNull();
    assertThat(AgentContext.currentWorkflow()).isSameAs(workflow);
    SpringAiTracing.clientCallExit(inner, null);
    SpringAiTracing.clientCallExit(outer, null);
    assertThat(telemetry.spans()).as("the workflow and its step").hasSize(2);
  }
}
