package io.flowcost.agent.outcomeapi;

import io.flowcost.agent.AgentLog;
import io.flowcost.agent.context.AgentContext;
import io.flowcost.agent.context.Workflow;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The agent's side of {@code io.flowcost.outcome.spi.AgentBridge}: workflows opened through {@code
 * outcome-api}. Its advice replaces the bridge's "no agent" return values with these.
 */
public final class ApiWorkflows {

  private ApiWorkflows() {}

  /** Opens a workflow (or joins the open one) and makes it current; returns the handle. */
  public static Object open(String name, String[] tags, String externalKey) {
    return open(name, tags, externalKey, null);
  }

  /**
   * As {@link #open(String, String[], String)}, with the caps the application set on the workflow
   * ({@code key=value,…}); ignored when joining an open workflow (its caps stay).
   */
  public static Object open(String name, String[] tags, String externalKey, String caps) {
    try {
      Workflow open = AgentContext.currentWorkflow();
      if (open != null) {
        return new Handle(open, null, Context.current().makeCurrent());
      }
      Map<String, String> tagMap = new LinkedHashMap<>();
      if (tags != null) {
        for (int i = 0; i + 1 < tags.length; i += 2) {
          if (tags[i] != null && tags[i + 1] != null) {
            tagMap.put(tags[i], tags[i + 1]);
          }
        }
      }
      Workflow workflow =
          AgentContext.startWorkflow(
              name == null || name.isBlank() ? "workflow" : name, "api", tagMap, externalKey, caps);
      return new Handle(workflow, workflow, workflow.attach(Context.current()).makeCurrent());
    } catch (Throwable t) {
      AgentLog.failure("api open workflow", t);
      return null;
    }
  }

  /** The workflow id of a handle, or {@code null}. */
  public static String workflowId(Object handle) {
    return handle instanceof Handle ? ((Handle) handle).workflow.id() : null;
  }

  /** Restores the previous context and, if the handle opened the workflow, ends its span. */
  public static void close(Object handle, Throwable error) {
    if (!(handle instanceof Handle)) {
      return;
    }
    Handle h = (Handle) handle;
    try {
      h.close(error);
    } catch (Throwable t) {
      AgentLog.failure("api close workflow", t);
    }
  }

  /** The id of the workflow open on this thread, or {@code null}. */
  public static String currentWorkflowId() {
    Workflow open = AgentContext.currentWorkflow();
    return open == null ? null : open.id();
  }

  private static final class Handle {
    final Workflow workflow;
    final Workflow owned;
    final Scope scope;
    private boolean closed;

    Handle(Workflow workflow, Workflow owned, Scope scope) {
      this.workflow = workflow;
      this.owned = owned;
      this.scope = scope;
    }

    synchronized void close(Throwable error) {
      if (closed) {
        return;
      }
      closed = true;
      scope.close();
      if (owned != null) {
        if (error != null) {
          AgentContext.recordError(owned.rootSpan(), error);
        }
        owned.rootSpan().end();
      }
    }
  }
}
