package io.flowcost.outcome;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import org.junit.jupiter.api.Test;

/** {@link WorkflowBuilder#cap}: what it accepts; without the agent a capped workflow still opens. */
class WorkflowCapsTest {

  @Test
  void invalidCapsAreRefusedNamingTheCap() {
    WorkflowBuilder b = Flowcost.workflow("triage");
    assertThatThrownBy(() -> b.cap(CapKind.MAX_MODEL_CALLS, new BigDecimal("2.5")))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("max-model-calls must be a whole number");
    assertThatThrownBy(() -> b.cap(CapKind.MAX_COST_USD, new BigDecimal("-0.01")))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("max-cost-usd must be >= 0");
    assertThatThrownBy(() -> b.cap(CapKind.BUDGET_USD, BigDecimal.ONE))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("per owner");
    assertThat(b.cap(CapKind.MAX_TOKENS, new BigDecimal("1000.00"))).isSameAs(b);
  }

  @Test
  void withoutTheAgentACappedWorkflowOpensLocally() {
    try (Workflow wf = Flowcost.workflow("capped").cap(CapKind.MAX_COST_USD, new BigDecimal("0.5"))
        .cap(CapKind.MAX_WALL_TIME, BigDecimal.valueOf(300_000)).start()) {
      assertThat(wf.id()).hasSize(32);
      assertThat(wf.name()).isEqualTo("capped");
    }
  }
}
