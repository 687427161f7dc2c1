package io.flowcost.collector.ingest;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Objects;

/**
 * One row of the {@code cap_breaches} table: a workflow reached one of its caps in the agent
 * (from a breach span, {@code flowcost.cap.breach=true}; see {@code docs/spans.md}). Recorded
 * whether the agent only warned or refused the call.
 *
 * @param workflowId the workflow (trace) id
 * @param spanId the breach span's id, the row key
 * @param workflowName the workflow name
 * @param service the service whose agent saw the breach
 * @param capKind {@code max-cost-usd}, {@code max-tokens}, {@code max-model-calls}, {@code
 *     max-tool-calls} or {@code max-wall-time}
 * @param capLimit the cap, in {@code unit}
 * @param spent the spend when the breach was detected, in {@code unit}
 * @param unit {@code USD}, {@code tokens}, {@code calls} or {@code ms}
 * @param mode {@code warn} or {@code enforce}
 * @param enforced whether the call was refused
 * @param modelCalls model calls the workflow had started, or {@code null}
 * @param toolCalls tool calls the workflow had started, or {@code null}
 * @param breachedAt when the breach was detected
 * @param receivedAt when the collector received it
 */
public record CapBreachRecord(
    String workflowId,
    String spanId,
    String workflowName,
    String service,
    String capKind,
    BigDecimal capLimit,
    BigDecimal spent,
    String unit,
    String mode,
    boolean enforced,
    Long modelCalls,
    Long toolCalls,
    Instant breachedAt,
    Instant receivedAt) implements LakeRecord {

  public CapBreachRecord {
    Objects.requireNonNull(workflowId, "workflowId");
    Objects.requireNonNull(spanId, "spanId");
    Objects.requireNonNull(capKind, "capKind");
    Objects.requireNonNull(breachedAt, "breachedAt");
  }

  @Override
  public Table table() {
    return Table.CAP_BREACHES;
  }

  @Override
  public String dedupKey() {
    return Table.CAP_BREACHES.keyPrefix() + spanId;
  }

  @Override
  public Instant partitionTime() {
    return breachedAt;
  }
}
