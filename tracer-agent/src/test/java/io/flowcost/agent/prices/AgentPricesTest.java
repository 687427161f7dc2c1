package io.flowcost.agent.prices;

import static org.assertj.core.api.Assertions.assertThat;

import io.flowcost.agent.AgentConfig;
import io.flowcost.agent.caps.CallCostEstimator;
import io.flowcost.agent.caps.CapGuard;
import io.flowcost.agent.context.AgentContext;
import io.flowcost.agent.context.Workflow;
import io.flowcost.agent.testing.AgentTelemetryExtension;
import io.flowcost.agent.usage.Usage;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The first workflow that opens with a cost cap while the agent holds no catalog starts the price
 * thread and waits for the bundled catalog (read from the jar, no network: the collector is not
 * asked here, {@code flowcost.prices.refresh-seconds=0}), so its very first call is priced.
 */
class AgentPricesTest {

  @RegisterExtension final AgentTelemetryExtension telemetry = new AgentTelemetryExtension();

  private final AgentConfig original = AgentContext.config();

  @AfterEach
  void restore() {
    CapGuard.installEstimator(CallCostEstimator.NONE);
    AgentContext.install(AgentContext.tracer(), original);
  }

  @Test
  void aCostCappedWorkflowOpeningWithoutACatalogGetsTheBundledOneBeforeItsFirstCall() {
    AgentPrices.resetForTests();
    AgentPrices.configure(null, null, "0");
    CapGuard.installEstimator(CallCostEstimator.NONE);
    AgentContext.install(AgentContext.tracer(), AgentConfig.from(
        Map.of("flowcost.caps", "max-cost-usd=1", "flowcost.caps.mode", "enforce")::get,
        n -> null));
    Workflow wf = AgentContext.startWorkflow("first", "api", null, null);
    try (Scope ignored = wf.attach(Context.current()).makeCurrent()) {
      assertThat(CapGuard.beforeModelCall(getClass().getClassLoader())).isNull();
      CapGuard.modelCallEnded(wf.spend(), "openai", "gpt-4o-mini", null, List.of(
          Usage.builder().inputTokens(1_000_000L).outputTokens(1_000_000L).build()));
      // the bundled list price: $0.15 + $0.60
      assertThat(wf.spend().costUsd()).isEqualByComparingTo("0.75");
      assertThat(wf.spend().unpricedCalls()).isZero();
    } finally {
      wf.rootSpan().end();
    }
  }
}
