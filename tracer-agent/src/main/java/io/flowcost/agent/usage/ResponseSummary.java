package io.flowcost.agent.usage;

import java.util.Collections;
import java.util.List;

/**
 * What the agent keeps of one provider response: the responded model, finish reasons and usage.
 * Never any content.
 */
public final class ResponseSummary {

  private final String model;
  private final List<String> finishReasons;
  private final Usage usage;

  /**
   * Creates a summary.
   *
   * @param model responded model, or {@code null}
   * @param finishReasons finish reasons, possibly empty
   * @param usage normalised usage, or {@code null} when the response reported none
   */
  public ResponseSummary(String model, List<String> finishReasons, Usage usage) {
    this.model = model;
    this.finishReasons =
        finishReasons == null ? Collections.emptyList() : List.copyOf(finishReasons);
    this.usage = usage;
  }

  /** The model the provider says answered, or {@code null}. */
  public String model() {
    return model;
  }

  /** Finish reasons in the provider's own words; possibly empty. */
  public List<String> finishReasons() {
    return finishReasons;
  }

  /** Normalised usage, or {@code null}. */
  public Usage usage() {
    return usage;
  }

  @Override
  public String toString() {
    return "ResponseSummary{model=" + model + ", finishReasons=" + finishReasons + ", usage=" + usage + '}';
  }
}
