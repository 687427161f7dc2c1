package io.flowcost.agent.outcomeapi;

import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import io.flowcost.agent.instrumentation.InstrumentationModule;

/** The {@code outcome-api} bridge ({@code outcome-api}): workflows opened through the API. */
public final class OutcomeApiInstrumentation extends InstrumentationModule {

  private static final String BRIDGE = "io.flowcost.outcome.spi.AgentBridge";

  /** Creates the unit. */
  public OutcomeApiInstrumentation() {
    super("outcome-api", BRIDGE);
    transform(named(BRIDGE), named("attached").and(takesArguments(0)), advice("AttachedAdvice"));
    transform(named(BRIDGE), named("openWorkflow").and(takesArguments(3)), advice("OpenWorkflowAdvice"));
    transform(named(BRIDGE), named("openWorkflow").and(takesArguments(4)), advice("OpenCappedWorkflowAdvice"));
    transform(named(BRIDGE), named("workflowId").and(takesArguments(1)), advice("WorkflowIdAdvice"));
    transform(named(BRIDGE), named("closeWorkflow").and(takesArguments(2)), advice("CloseWorkflowAdvice"));
    transform(named(BRIDGE), named("currentWorkflowId").and(takesArguments(0)), advice("CurrentWorkflowIdAdvice"));
  }
}
