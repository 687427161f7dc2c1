package io.flowcost.collector.ingest;

import java.util.Map;
import java.util.Objects;

/**
 * What a call span says about its still running workflow: the workflow's name (intent) and its
 * tags, which the agent copies onto call spans ({@code flowcost.workflow.name} and
 * {@code flowcost.tag.*}, docs/spans.md) so that live spend can be attributed when the call
 * arrives instead of when the workflow's root span does (at its end). Never a lake row: the root
 * span stays the record of the workflow; a hint only lets budgets, alerts and {@code /metrics}
 * know a workflow's owner early.
 *
 * @param workflowId the workflow (trace) id
 * @param workflowName the workflow's name (intent)
 * @param service the service whose agent sent the call
 * @param tags the workflow's tags (all of them: a call span with a name carries every tag)
 */
public record WorkflowHint(String workflowId, String workflowName, String service,
    Map<String, String> tags) {

  public WorkflowHint {
    Objects.requireNonNull(workflowId, "workflowId");
    Objects.requireNonNull(workflowName, "workflowName");
    tags = Map.copyOf(tags);
  }
}
