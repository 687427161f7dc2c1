package io.flowcost.examples.compat;

import dev.langchain4j.agent.tool.P;
import dev.langchain4j.agent.tool.Tool;
import java.util.Map;

/** Policy and repair-tariff lookups exposed as LangChain4j tools; unknown items throw. */
public final class ClaimTools {

  private static final Map<String, String> TARIFF =
      Map.of("windshield", "480.00", "side mirror", "210.00");

  /** Returns the cover position of a policy. */
  @Tool("Looks up the cover position of an insurance policy by its policy id")
  public String lookupPolicy(@P("the policy id, e.g. P-1001") String policyId) {
    return "policy " + policyId + ": active; comprehensive motor; deductible 300 EUR";
  }

  /** Returns the standard repair estimate of an item in EUR; throws for items without a tariff. */
  @Tool("Estimates the repair cost of a damaged item in EUR")
  public String estimateRepair(@P("the damaged item, e.g. windshield") String item) {
    String price = TARIFF.get(item);
    if (price == null) {
      throw new IllegalArgumentException("no repair tariff for the requested item");
    }
    return "estimate for " + item + ": " + price + " EUR";
  }
}
