package io.flowcost.agent.caps;

import static org.assertj.core.api.Assertions.assertThat;

import io.flowcost.agent.AgentConfig;
import io.flowcost.agent.context.AgentContext;
import io.flowcost.agent.outcomeapi.ApiWorkflows;
import io.flowcost.agent.testing.AgentTelemetryExtension;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Caps set through outcome-api's bridge override the settings for that workflow only. */
class ApiCapsTest {

  @RegisterExtension final AgentTelemetryExtension telemetry = new AgentTelemetryExtension();

  private final AgentConfig original = AgentContext.config();

  @AfterEach
  void restore() {
    AgentContext.install(AgentContext.tracer(), original);
  }

  @Test
  void capsFromTheApiOverrideTheSettingsAndAJoinedWorkflowKeepsItsOwn() {
    AgentContext.install(AgentContext.tracer(), AgentConfig.from(
        Map.of("flowcost.caps", "max-model-calls=40,max-tokens=1000", "flowcost.caps.mode", "enforce")::get,
        n -> null));
    Object outer = ApiWorkflows.open("triage", new String[0], null, "max-model-calls=1,max-wall-time=2s");
    try {
      Caps caps = AgentContext.currentWorkflow().spend().caps();
      assertThat(caps.limit(Cap.MAX_MODEL_CALLS)).isEqualByComparingTo("1");
      assertThat(caps.limit(Cap.MAX_WALL_TIME)).isEqualByComparingTo("2000");
      assertThat(caps.limit(Cap.MAX_TOKENS)).isEqualByComparingTo("1000");
      Object inner = ApiWorkflows.open("nested", new String[0], null, "max-model-calls=99");
      assertThat(AgentContext.currentWorkflow().spend().caps()).isSameAs(caps);
      ApiWorkflows.close(inner, null);
      assertThat(CapGuard.beforeModelCall(null)).isNull();
      assertThat(CapGuard.beforeModelCall(null)).isNotNull();
    } finally {
      ApiWorkflows.close(outer, null);
    }
  }
}
