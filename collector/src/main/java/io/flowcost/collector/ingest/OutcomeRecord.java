package io.flowcost.collector.ingest;

import java.math.BigDecimal;
import java.time.Instant;

/** One row of the {@code outcomes} table. Exactly one of workflowId and externalKey is set. */
public record OutcomeRecord(
    String outcomeId,
    String workflowId,
    String externalKey,
    String status,
    String reason,
    BigDecimal value,
    String unit,
    Instant reportedAt,
    Instant receivedAt) implements java.io.Serializable {}
