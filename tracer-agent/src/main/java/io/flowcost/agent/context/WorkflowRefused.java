package io.flowcost.agent.context;

/**
 * Thrown by {@link AgentContext#startWorkflow(String, String, java.util.Map, String, String,
 * ClassLoader)} when a new workflow is refused (its owner's hard budget). Agent-internal: the
 * hook that opened the workflow catches it and throws {@link #exception()} — {@code
 * WorkflowCapExceededException} when the app has outcome-api — into the application.
 */
public final class WorkflowRefused extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final transient RuntimeException exception;

  WorkflowRefused(RuntimeException exception) {
    super(null, null, false, false); // a signal, not an error: no stack trace
    this.exception = exception;
  }

  /** What the application receives. */
  public RuntimeException exception() {
    return exception;
  }
}
