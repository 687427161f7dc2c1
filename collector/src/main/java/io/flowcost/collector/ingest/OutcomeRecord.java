package io.flowcost.collector.ingest;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;

/**
 * One row of the {@code outcomes} table. Exactly one of workflowId and externalKey is set.
 *
 * @param reportedAtGiven whether the reporter sent {@code reported_at}; when it did not,
 *     {@code reportedAt} is the collector's clock at receipt, which differs between a report and
 *     its retry and so is not part of the {@linkplain #contentFingerprint() content}
 */
public record OutcomeRecord(
    String outcomeId,
    String workflowId,
    String externalKey,
    String status,
    String reason,
    BigDecimal value,
    String unit,
    Instant reportedAt,
    boolean reportedAtGiven,
    Instant receivedAt) implements LakeRecord {

  @Override
  public Table table() {
    return Table.OUTCOMES;
  }

  @Override
  public String dedupKey() {
    return Table.OUTCOMES.keyPrefix() + outcomeId;
  }

  @Override
  public Instant partitionTime() {
    return reportedAt;
  }

  /**
   * 16 hex digits of SHA-256 over what the reporter sent (not the collector's receipt time), so a
   * repeated {@code outcome_id} is told apart as a retry (same fingerprint) or a conflict.
   * Persisted with the published keys, so the encoding below must never change: fields in this
   * order, each {@code name=value} or {@code name} alone for a missing value, separated by NUL;
   * {@code value} without trailing zeros in plain notation, {@code reported_at} in ISO-8601.
   */
  @Override
  public String contentFingerprint() {
    StringBuilder canonical = new StringBuilder(128);
    field(canonical, "workflow_id", workflowId);
    field(canonical, "external_key", externalKey);
    field(canonical, "status", status);
    field(canonical, "reason", reason);
    field(canonical, "value", value == null ? null : value.stripTrailingZeros().toPlainString());
    field(canonical, "unit", unit);
    field(canonical, "reported_at", reportedAtGiven ? reportedAt.toString() : null);
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256")
          .digest(canonical.toString().getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM provides SHA-256", e);
    }
  }

  private static void field(StringBuilder out, String name, String value) {
    out.append(name);
    if (value != null) {
      out.append('=').append(value);
    }
    out.append('\0');
  }
}
