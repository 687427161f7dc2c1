package io.flowcost.outcome.spi;

/**
 * The seam between {@code outcome-api} and the Flowcost agent.
 *
 * <p>Every method here has a "no agent attached" body. When {@code flowcost-agent.jar} is
 * attached, it rewrites the return values of these methods on exit, so that workflows opened
 * through the API become the agent's workflow spans and nested LangChain4j calls join them.
 * Application code never calls this class; use {@code io.flowcost.outcome.Flowcost}.
 */
public final class AgentBridge {

  private AgentBridge() {}

  /** Returns {@code true} when the Flowcost agent is attached to this JVM. */
  public static boolean attached() {
    return false;
  }

  /**
   * Opens a workflow span (or joins the open workflow) and makes it current on this thread.
   *
   * @param name the workflow name (intent)
   * @param tags alternating keys and values
   * @param externalKey optional business key, may be {@code null}
   * @return an opaque handle for {@link #workflowId} and {@link #closeWorkflow}, or {@code null}
   *     when no agent is attached
   */
  public static Object openWorkflow(String name, String[] tags, String externalKey) {
    return null;
  }

  /**
   * As {@link #openWorkflow(String, String[], String)}, with caps for this workflow.
   *
   * @param caps {@code key=value,…} as in the agent's {@code flowcost.caps} setting, e.g. {@code
   *     max-cost-usd=0.5,max-wall-time=300000ms}
   */
  public static Object openWorkflow(String name, String[] tags, String externalKey, String caps) {
    return null;
  }

  /** Returns the 32-hex workflow id of a handle from {@link #openWorkflow}, or {@code null}. */
  public static String workflowId(Object handle) {
    return null;
  }

  /**
   * Ends the workflow span of a handle and restores the previous context on this thread.
   *
   * @param error the exception the workflow body threw, or {@code null}
   */
  public static void closeWorkflow(Object handle, Throwable error) {}

  /** Returns the workflow id open on this thread according to the agent, or {@code null}. */
  public static String currentWorkflowId() {
    return null;
  }
}
