package io.flowcost.agent.langchain4j.guardrail;

import static io.flowcost.agent.calls.InvocationCalls.WASTE_CAUSE;
import static io.flowcost.agent.context.SpanAttributes.ATTEMPT;
import static org.assertj.core.api.Assertions.assertThat;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.guardrail.JsonExtractorOutputGuardrail;
import dev.langchain4j.guardrail.OutputGuardrailResult;
import io.flowcost.agent.calls.InvocationCalls;
import io.flowcost.agent.calls.LogicalCall;
import io.flowcost.agent.context.AgentContext;
import io.flowcost.agent.context.Workflow;
import io.flowcost.agent.testing.AgentTelemetryExtension;
import io.flowcost.agent.usage.ResponseSummary;
import io.flowcost.agent.usage.Usage;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class GuardrailTracingTest {

  @RegisterExtension final AgentTelemetryExtension telemetry = new AgentTelemetryExtension();

  record Assessment(String severity, int amount) {}

  private static void answeredCall() {
    LogicalCall call = LogicalCall.start("model", "chat", "openai", "gpt-4o", false);
    try (Scope ignored = call.context().makeCurrent()) {
      call.startAttempt().succeeded(200, new ResponseSummary("gpt-4o", List.of("stop"),
          Usage.builder().inputTokens(10L).outputTokens(5L).build()));
    }
    call.end("gpt-4o", List.of("stop"), null, null);
  }

  private String verdictOn(Object result) {
    Workflow wf = AgentContext.startWorkflow("w", "ai_service", null, null);
    Context ctx = InvocationCalls.open(wf.attach(Context.root()));
    try (Scope ignored = ctx.makeCurrent()) {
      answeredCall();
      GuardrailTracing.verdict(result);
    }
    InvocationCalls.in(ctx).close(null);
    return telemetry.span(ATTEMPT, 1L).getAttributes().get(WASTE_CAUSE);
  }

  @Test
  void unparseableStructuredOutputIsARepromptThatDiscardsTheAnswer() {
    // LangChain4j's own parse-retry: JsonExtractorOutputGuardrail reprompts on invalid JSON
    OutputGuardrailResult reprompt = new JsonExtractorOutputGuardrail<>(Assessment.class)
        .validate(AiMessage.from("{\"severity\": \"high\", \"amount\": "));
    assertThat(reprompt.isReprompt()).isTrue();
    assertThat(verdictOn(reprompt)).isEqualTo("discarded");
  }

  @Test
  void aValidAnswerIsKept() {
    OutputGuardrailResult ok = new JsonExtractorOutputGuardrail<>(Assessment.class)
        .validate(AiMessage.from("{\"severity\": \"high\", \"amount\": 3}"));
    assertThat(ok.isSuccess()).isTrue();
    assertThat(verdictOn(ok)).isNull();
  }

  @Test
  void inputGuardrailVerdictsJudgeNoAnswer() {
    assertThat(verdictOn(new dev.langchain4j.guardrail.InputGuardrail() {}.failure("blocked"))).isNull();
  }

  @Test
  void aStrangerIsIgnored() {
    assertThat(verdictOn(null)).isNull();
  }
}
