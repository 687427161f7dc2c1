package io.flowcost.examples.demo;

import dev.langchain4j.agent.tool.P;
import dev.langchain4j.agent.tool.Tool;
import java.util.Map;

/** Policy administration lookups, exposed to the claims assistants as a LangChain4j tool. */
public final class PolicyTools {

  private static final Map<String, String> POLICIES =
      Map.of(
          "P-1001", "active; comprehensive motor; deductible 300 EUR",
          "P-1003", "active; comprehensive motor; glass deductible 100 EUR",
          "P-1007", "active since 12 days; household contents; deductible 150 EUR",
          "P-2001", "active; household contents; deductible 250 EUR");

  /** Returns the cover position of a policy, or says that it is unknown. */
  @Tool("Looks up the cover position of an insurance policy by its policy id")
  public String lookupPolicy(@P("the policy id, e.g. P-1001") String policyId) {
    String policy = POLICIES.get(policyId);
    return policy == null ? "policy " + policyId + ": not found" : "policy " + policyId + ": " + policy;
  }
}
