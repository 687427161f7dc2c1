package io.flowcost.agent.methods;

import io.flowcost.agent.AgentLog;
import io.flowcost.agent.context.AgentContext;
import io.flowcost.agent.context.PendingWorkflow;
import io.flowcost.contract.WorkflowSource;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import java.util.ArrayList;
import java.util.List;

/**
 * Helpers of {@link MethodAdvice}: a method of {@code flowcost.workflow.methods} entered with no
 * workflow open is a boundary ({@link PendingWorkflow}, {@code source=method}) for its duration:
 * its model calls are one workflow named {@code <SimpleName>.<method>}, failed when the method
 * throws; a call that makes no model call records nothing. Nested and recursive calls run in the
 * outermost one's workflow.
 */
public final class MethodBoundaries {

  private MethodBoundaries() {}

  /** The configured entries, read once from the agent's settings. */
  private static final ClassValue<List<WorkflowMethod>> ENTRIES =
      new ClassValue<>() {
        @Override
        protected List<WorkflowMethod> computeValue(Class<?> type) {
          List<WorkflowMethod> matching = new ArrayList<>();
          for (WorkflowMethod m : AgentContext.config().workflowMethods()) {
            if (isOrExtends(type, m.className())) {
              matching.add(m);
            }
          }
          return List.copyOf(matching);
        }
      };

  /**
   * Entry of {@code method} of {@code type}: a token for {@link #exit}, or {@code null} when a
   * workflow is open already.
   */
  public static Object enter(Class<?> type, String method) {
    try {
      if (AgentContext.workflowOrBoundary()) {
        return null;
      }
      // named only if its workflow opens (its first model call): nothing computed before that
      PendingWorkflow boundary =
          PendingWorkflow.enter(WorkflowSource.METHOD, () -> workflowName(type, method), method);
      return new Entered(boundary, boundary.attach(Context.current()).makeCurrent());
    } catch (Throwable t) {
      AgentLog.failure("workflow method enter", t);
      return null;
    }
  }

  /** Exit: restores the context and ends the workflow, failed with the thrown exception's class. */
  public static void exit(Object token, Throwable thrown) {
    if (!(token instanceof Entered)) {
      return;
    }
    Entered entered = (Entered) token;
    entered.scope.close();
    entered.boundary.end(thrown == null ? null : thrown.getClass().getName());
  }

  /**
   * The workflow name of {@code method} of {@code type}: after the configured entry it matched
   * ({@code Listener.onMessage} for an implementation of {@code com.acme.Listener}), else after
   * {@code type} itself.
   */
  static String workflowName(Class<?> type, String method) {
    for (WorkflowMethod m : ENTRIES.get(type)) {
      if (m.methodName().equals(method)) {
        return m.workflowName();
      }
    }
    String name = type.getName();
    return name.substring(Math.max(name.lastIndexOf('.'), name.lastIndexOf('$')) + 1) + '.' + method;
  }

  private static boolean isOrExtends(Class<?> type, String name) {
    if (type == null) {
      return false;
    }
    if (type.getName().equals(name)) {
      return true;
    }
    for (Class<?> i : type.getInterfaces()) {
      if (isOrExtends(i, name)) {
        return true;
      }
    }
    return isOrExtends(type.getSuperclass(), name);
  }

  private static final class Entered {
    final PendingWorkflow boundary;
    final Scope scope;

    Entered(PendingWorkflow boundary, Scope scope) {
      this.boundary = boundary;
      this.scope = scope;
    }
  }
}
