package io.flowcost.examples.demo;

import dev.langchain4j.agent.tool.P;
import dev.langchain4j.agent.tool.Tool;
import java.util.Map;

/**
 * Repair tariffs, exposed as a LangChain4j tool. Items without a tariff make the tool throw, as a
 * real pricing service would; LangChain4j hands the error back to the model.
 */
public final class RepairTools {

  private static final Map<String, String> TARIFF =
      Map.of(
          "windshield", "480.00",
          "rear bumper", "920.00",
          "side mirror", "210.00",
          "kitchen flooring", "3100.00");

  /** Returns the standard repair estimate of an item in EUR. */
  @Tool("Estimates the repair cost of a damaged item in EUR")
  public String estimateRepair(@P("the damaged item, e.g. windshield") String item) {
    String price = TARIFF.get(item);
    if (price == null) {
      throw new IllegalArgumentException("no repair tariff for the requested item");
    }
    return "estimate for " + item + ": " + price + " EUR";
  }
}
