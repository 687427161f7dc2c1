package io.flowcost.collector.ingest;

import java.time.Instant;
import java.util.Map;

/** One row of the {@code workflow_spans} table: a workflow's root span. */
public record WorkflowSpanRecord(
    String workflowId,
    String spanId,
    String workflowName,
    String service,
    String source,
    Instant startTime,
    Instant endTime,
    boolean error,
    String errorType,
    Map<String, String> tags,
    String externalKey,
    String conversationId,
    String userId,
    Instant receivedAt) implements LakeRecord {

  @Override
  public Table table() {
    return Table.WORKFLOW_SPANS;
  }

  @Override
  public String dedupKey() {
    return Table.WORKFLOW_SPANS.keyPrefix() + spanId;
  }

  @Override
  public Instant partitionTime() {
    return startTime;
  }

  public WorkflowSpanRecord {
    tags = Map.copyOf(tags);
  }
}
