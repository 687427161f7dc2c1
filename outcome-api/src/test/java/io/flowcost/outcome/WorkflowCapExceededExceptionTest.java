package io.flowcost.outcome;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import org.junit.jupiter.api.Test;

class WorkflowCapExceededExceptionTest {

  @Test
  void carriesTheBreachAndNamesItInTheMessage() {
    WorkflowCapExceededException e =
        new WorkflowCapExceededException(
            "4bf92f3577b34da6a3ce929d0e0e4736",
            "runaway",
            CapKind.MAX_COST_USD,
            new BigDecimal("0.50"),
            new BigDecimal("0.5125"));
    assertThat(e).isInstanceOf(RuntimeException.class);
    assertThat(e.workflowId()).isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
    assertThat(e.workflowName()).isEqualTo("runaway");
    assertThat(e.capKind()).isEqualTo(CapKind.MAX_COST_USD);
    assertThat(e.limit()).isEqualByComparingTo("0.5");
    assertThat(e.spent()).isEqualByComparingTo("0.5125");
    assertThat(e.getMessage())
        .isEqualTo(
            "workflow \"runaway\" (id 4bf92f3577b34da6a3ce929d0e0e4736) stopped by cap"
                + " max-cost-usd=0.50 USD: spent 0.5125 USD");
  }

  @Test
  void escapesControlCharactersAndQuotesInTheName() {
    String m =
        WorkflowCapExceededException.message(
            null, "a\"b\n\u001b[31m", CapKind.MAX_MODEL_CALLS, BigDecimal.TEN, BigDecimal.TEN);
    assertThat(m).isEqualTo("workflow \"a\\\"b\\u000a\\u001b[31m\" stopped by cap max-model-calls=10 calls: spent 10 calls");
  }

  @Test
  void aBudgetRefusalNamesTheOwnerEscaped() {
    WorkflowCapExceededException e =
        new WorkflowCapExceededException(null, "triage", CapKind.BUDGET_USD,
            new BigDecimal("1.00"), new BigDecimal("1.350000000"), "team=pay\nments");
    assertThat(e.owner()).isEqualTo("team=pay\nments");
    assertThat(e.workflowId()).isNull();
    assertThat(e.getMessage()).isEqualTo("workflow \"triage\" refused by budget-usd=1.00 USD of"
        + " team=pay\\u000aments: spent 1.350000000 USD");
    assertThat(new WorkflowCapExceededException("id", "w", CapKind.MAX_TOKENS, BigDecimal.ONE,
        BigDecimal.ONE).owner()).isNull();
  }

  @Test
  void capKindsParseFromTheirKeysOnly() {
    for (CapKind k : CapKind.values()) {
      assertThat(CapKind.fromKey(k.key())).contains(k);
      assertThat(CapKind.fromKey(" " + k.key().toUpperCase() + " ")).contains(k);
    }
    assertThat(CapKind.fromKey("max_cost_usd")).isEmpty();
    assertThat(CapKind.fromKey(null)).isEmpty();
  }
}
