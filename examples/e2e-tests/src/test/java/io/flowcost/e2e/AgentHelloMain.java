package io.flowcost.e2e;

import io.flowcost.outcome.Flowcost;
import io.flowcost.outcome.Workflow;

/**
 * The smallest app under the agent: opens and closes one workflow with {@code outcome-api}, so
 * the agent has one span to send when the JVM exits. No outcome is reported.
 */
public final class AgentHelloMain {

  private AgentHelloMain() {}

  /** Entry point. */
  public static void main(String[] args) {
    try (Workflow wf = Flowcost.workflow("hello").start()) {
      System.out.println("workflow " + wf.id());
    }
  }
}
