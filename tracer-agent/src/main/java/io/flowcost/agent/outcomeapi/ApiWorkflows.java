package io.flowcost.agent.outcomeapi;

import io.flowcost.agent.AgentLog;
import io.flowcost.agent.context.AgentContext;
import io.flowcost.agent.caps.CapRefusal;
import io.flowcost.agent.context.Workflow;
import io.flowcost.agent.context.WorkflowRefused;
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
    return open(name, tags, externalKey, caps, null);
  }

  /**
   * As {@link #open(String, String[], String, String)}; returns a {@link CapRefusal} when the
   * workflow is refused by its owner's budget ({@link #thrown} turns it into what the bridge
   * throws).
   *
   * @param appLoader the class loader of outcome-api's bridge, to create the exception from
   */
  public static Object open(String name, String[] tags, String externalKey, String caps,
      ClassLoader appLoader) {
    try {
      // an explicit workflow wins over a server request's or listed method's boundary that has
      // not opened its workflow yet (no model call so far): the application named this one
      Workflow open = AgentContext.startedWorkflow();
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
              name == null || name.isBlank() ? "workflow" : name, "api", tagMap, externalKey, caps,
              appLoader);
      return new Handle(workflow, workflow, workflow.attach(Context.current()).makeCurrent());
    } catch (WorkflowRefused refused) {
      return CapRefusal.of(refused.exception());
    } catch (Throwable t) {
      AgentLog.failure("api open workflow", t);
      return null;
    }
  }

  /** What the bridge returns: the handle, or {@code null} for a refusal. */
  public static Object handle(Object opened) {
    return CapRefusal.isRefusal(opened) ? null : opened;
  }

  /** What the bridge throws: a refusal's exception, else {@code thrown}. */
  public static Throwable thrown(Object opened, Throwable thrown) {
    return CapRefusal.thrown(opened, thrown);
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
    Workflow open = AgentContext.startedWorkflow();
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
