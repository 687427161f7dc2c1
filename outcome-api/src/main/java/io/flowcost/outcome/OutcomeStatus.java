package io.flowcost.outcome;

import java.util.Locale;

/** Whether the work a workflow did succeeded, as the application judges it. */
public enum OutcomeStatus {
  /** The work achieved its purpose. */
  SUCCESS,
  /** The work did not achieve its purpose; all of the workflow's cost counts as failure waste. */
  FAILURE;

  /** The value on the wire: {@code success} or {@code failure}. */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }
}
