package io.flowcost.agent.methods;

import static io.flowcost.agent.instrumentation.TypeMatchers.hasSuperTypeNamed;
import static io.flowcost.agent.instrumentation.TypeMatchers.notInterface;
import static net.bytebuddy.matcher.ElementMatchers.isAbstract;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.not;

import io.flowcost.agent.instrumentation.InstrumentationModule;
import java.util.List;

/**
 * The methods of {@code flowcost.workflow.methods} ({@code workflow-methods}): each, in the named
 * class and its subtypes (implementations of a named interface), is a workflow boundary. No
 * advice at all when the setting is empty, so no type is matched.
 */
public final class WorkflowMethodsInstrumentation extends InstrumentationModule {

  /** Creates the unit for the entries of the agent's settings. */
  public WorkflowMethodsInstrumentation() {
    this(io.flowcost.agent.context.AgentContext.config().workflowMethods());
  }

  /** Creates the unit for {@code entries}. */
  public WorkflowMethodsInstrumentation(List<WorkflowMethod> entries) {
    super("workflow-methods");
    for (WorkflowMethod entry : entries) {
      transform(
          notInterface().and(hasSuperTypeNamed(entry.className())),
          named(entry.methodName()).and(not(isAbstract())),
          advice("MethodAdvice"));
    }
  }
}
