package io.flowcost.agent.langchain4j.aiservice;

import static io.flowcost.agent.context.SpanAttributes.AGENT_NAME;
import static io.flowcost.agent.context.SpanAttributes.CONVERSATION_ID;
import static io.flowcost.agent.context.SpanAttributes.ERROR_TYPE;
import static io.flowcost.agent.context.SpanAttributes.STEP;
import static io.flowcost.agent.context.SpanAttributes.STEP_NAME;
import static io.flowcost.agent.context.SpanAttributes.WORKFLOW_NAME;
import static io.flowcost.agent.context.SpanAttributes.WORKFLOW_ROOT;
import static io.flowcost.agent.context.SpanAttributes.WORKFLOW_SOURCE;
import static org.assertj.core.api.Assertions.assertThat;

import io.flowcost.agent.context.AgentContext;
import io.flowcost.agent.testing.AgentTelemetryExtension;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class AiServiceTracingTest {

  @RegisterExtension final AgentTelemetryExtension telemetry = new AgentTelemetryExtension();

  interface ClaimsAssistant {
    String summarize(String claim);

    default String helper() {
      return "";
    }
  }

  interface Classifier {
    String classify(String text);
  }

  interface ChatWithMemory {
    String chat(@dev.langchain4j.service.MemoryId int memoryId,
        @dev.langchain4j.service.UserMessage String text);

    String reply(@dev.langchain4j.service.MemoryId String memoryId, String text);
  }

  @Test
  void theMemoryIdArgumentIsTheWorkflowsConversationAndTheFirstOneWins() throws Exception {
    Object outer = AiServiceTracing.enter(
        ChatWithMemory.class.getMethod("chat", int.class, String.class), new Object[] {42, "hi"});
    // a nested invocation of another conversation does not rename the workflow's conversation
    Object inner = AiServiceTracing.enter(
        ChatWithMemory.class.getMethod("reply", String.class, String.class),
        new Object[] {"other", "hi"});
    AiServiceTracing.exit(inner, "ok", null);
    AiServiceTracing.exit(outer, "ok", null);

    SpanData root = telemetry.span(WORKFLOW_ROOT, true);
    assertThat(root.getAttributes().get(CONVERSATION_ID)).isEqualTo("42");
    assertThat(telemetry.span(STEP, true).getAttributes().get(CONVERSATION_ID)).isNull();
  }

  @Test
  void noMemoryIdArgumentOrANullOneLeavesTheConversationUnset() throws Exception {
    assertThat(AiServiceTracing.memoryId(
        Classifier.class.getMethod("classify", String.class), new Object[] {"x"})).isNull();
    assertThat(AiServiceTracing.memoryId(
        ChatWithMemory.class.getMethod("reply", String.class, String.class),
        new Object[] {null, "x"})).isNull();
    Object token = AiServiceTracing.enter(
        ChatWithMemory.class.getMethod("reply", String.class, String.class),
        new Object[] {null, "x"});
    AiServiceTracing.exit(token, "ok", null);
    assertThat(telemetry.span(WORKFLOW_ROOT, true).getAttributes().get(CONVERSATION_ID)).isNull();
  }

  @Test
  void outerInvocationIsTheWorkflowAndANestedOneIsAStep() throws Exception {
    Object outer = AiServiceTracing.enter(ClaimsAssistant.class.getMethod("summarize", String.class));
    String workflowId = AgentContext.currentWorkflow().id();
    Object inner = AiServiceTracing.enter(Classifier.class.getMethod("classify", String.class));
    AiServiceTracing.exit(inner, "fraud", new IllegalStateException("secret"));
    AiServiceTracing.exit(outer, "summary", null);

    SpanData root = telemetry.span(WORKFLOW_ROOT, true);
    assertThat(root.getTraceId()).isEqualTo(workflowId);
    assertThat(root.getName()).isEqualTo("ClaimsAssistant.summarize");
    assertThat(root.getAttributes().get(WORKFLOW_NAME)).isEqualTo("ClaimsAssistant.summarize");
    assertThat(root.getAttributes().get(WORKFLOW_SOURCE)).isEqualTo("ai_service");
    assertThat(root.getAttributes().get(AGENT_NAME)).isEqualTo("ClaimsAssistant");
    assertThat(root.getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);

    SpanData step = telemetry.span(STEP, true);
    assertThat(step.getParentSpanId()).isEqualTo(root.getSpanId());
    assertThat(step.getAttributes().get(STEP_NAME)).isEqualTo("Classifier.classify");
    assertThat(step.getAttributes().get(WORKFLOW_ROOT)).isNull();
    assertThat(step.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
    assertThat(step.getAttributes().get(ERROR_TYPE)).isEqualTo("java.lang.IllegalStateException");
  }

  @Test
  void defaultAndObjectMethodsAreNotInvocations() throws Exception {
    assertThat(AiServiceTracing.enter(ClaimsAssistant.class.getMethod("helper"))).isNull();
    assertThat(AiServiceTracing.enter(Object.class.getMethod("toString"))).isNull();
    assertThat(AgentContext.currentWorkflow()).isNull();
    assertThat(telemetry.spans()).isEmpty();
  }

  @Test
  void aThrowingRootInvocationMarksTheWorkflowFailed() throws Exception {
    Object token = AiServiceTracing.enter(Classifier.class.getMethod("classify", String.class));
    AiServiceTracing.exit(token, null, new UnsupportedOperationException());

    SpanData root = telemetry.span(WORKFLOW_ROOT, true);
    assertThat(root.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
    assertThat(root.getAttributes().get(ERROR_TYPE)).isEqualTo("java.lang.UnsupportedOperationException");
  }
}
