package io.flowcost.agent.caps;

/** What the agent does when a workflow reaches a cap ({@code flowcost.caps.mode}). */
public enum CapMode {
  /** Logs the breach once per workflow and cap, records it, and lets the call run (default). */
  WARN,
  /** Records the breach and refuses the call by throwing {@code WorkflowCapExceededException}. */
  ENFORCE
}
