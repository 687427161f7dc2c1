package io.flowcost.agent.caps;

import static org.assertj.core.api.Assertions.assertThat;

import io.flowcost.agent.AgentConfig;
import io.flowcost.agent.context.AgentContext;
import io.flowcost.agent.context.Workflow;
import io.flowcost.agent.springai.SpringAiTracing;
import io.flowcost.agent.testing.AgentTelemetryExtension;
import io.flowcost.outcome.CapKind;
import io.flowcost.outcome.WorkflowCapExceededException;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The Spring AI hooks surface caps and hard budgets like the LangChain4j ones: a refused {@code
 * ChatClient} workflow or tool call never runs and the app gets the refusal's exception. (In the
 * caps package because the budget status is installed through the package's own hook.)
 */
class SpringAiRefusalTest {

  @RegisterExtension final AgentTelemetryExtension telemetry = new AgentTelemetryExtension();

  private final AgentConfig original = AgentContext.config();

  @AfterEach
  void restore() {
    AgentContext.install(AgentContext.tracer(), original);
    BudgetGate.reset();
  }

  private static void configure(Map<String, String> settings) {
    AgentContext.install(AgentContext.tracer(), AgentConfig.from(settings::get, n -> null));
  }

  @Test
  void aChatClientCallOfAnOwnerAtItsHardBudgetIsRefusedWithTheAppsException() throws IOException {
    configure(Map.of("flowcost.tags", "team=claims", "flowcost.caps.mode", "enforce"));
    BudgetGate.update(BudgetStatus.parse(
        BudgetGateTest.body("hard", Instant.now().plus(30, ChronoUnit.DAYS))
            .getBytes(StandardCharsets.UTF_8), System.nanoTime()));

    Object token = SpringAiTracing.clientCallEnter(null);
    assertThat(token).as("the advice skips the call on a refusal").isInstanceOf(CapRefusal.class);
    Throwable thrown = SpringAiTracing.clientCallExit(token, null);
    assertThat(thrown).isInstanceOfSatisfying(WorkflowCapExceededException.class, e -> {
      assertThat(e.capKind()).isEqualTo(CapKind.BUDGET_USD);
      assertThat(e.owner()).isEqualTo("team=claims");
    });
    assertThat(AgentContext.currentWorkflow()).as("no workflow left open").isNull();

    // a ChatModel.call outside any workflow opens one too: refused the same way
    Object model = SpringAiTracing.modelCallEnter(new Object(), null);
    assertThat(model).isInstanceOf(CapRefusal.class);
    assertThat(SpringAiTracing.modelCallExit(model, null))
        .isInstanceOf(WorkflowCapExceededException.class);
  }

  @Test
  void inWarnModeTheChatClientCallRunsAsAWorkflow() throws IOException {
    configure(Map.of("flowcost.tags", "team=claims", "flowcost.caps.mode", "warn"));
    BudgetGate.update(BudgetStatus.parse(
        BudgetGateTest.body("hard", Instant.now().plus(30, ChronoUnit.DAYS))
            .getBytes(StandardCharsets.UTF_8), System.nanoTime()));

    Object token = SpringAiTracing.clientCallEnter(null);
    assertThat(token).isNotNull().isNotInstanceOf(CapRefusal.class);
    assertThat(AgentContext.currentWorkflow()).isNotNull();
    assertThat(SpringAiTracing.clientCallExit(token, null)).isNull();
    assertThat(AgentContext.currentWorkflow()).isNull();
  }

  @Test
  void aToolCallbackPastTheWorkflowsToolCapIsRefusedBeforeItRuns() {
    configure(Map.of("flowcost.caps", "max-tool-calls=1", "flowcost.caps.mode", "enforce"));
    Workflow wf = AgentContext.startWorkflow("tools", "api", null, null);
    Object callback = new Object(); // no tool definition: the span is named "execute_tool unknown"
    try (Scope ignored = wf.attach(Context.current()).makeCurrent()) {
      Object first = SpringAiTracing.toolEnter(callback);
      assertThat(first).isNotNull().isNotInstanceOf(CapRefusal.class);
      assertThat(SpringAiTracing.toolExit(first, null)).isNull();

      Object second = SpringAiTracing.toolEnter(callback);
      assertThat(second).isInstanceOf(CapRefusal.class);
      assertThat(SpringAiTracing.toolExit(second, null))
          .isInstanceOfSatisfying(WorkflowCapExceededException.class,
              e -> assertThat(e.capKind()).isEqualTo(CapKind.MAX_TOOL_CALLS));
      assertThat(wf.spend().toolCalls()).as("the refused tool never started").isEqualTo(1);
    }
    wf.rootSpan().end();
    assertThat(telemetry.spans())
        .filteredOn(s -> s.getName().equals("execute_tool unknown"))
        .hasSize(1);
  }
}
