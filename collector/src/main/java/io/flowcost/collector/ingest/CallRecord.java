package io.flowcost.collector.ingest;

import java.math.BigDecimal;
import java.time.Instant;

/**
 * One row of the {@code calls} table: one attempt of a logical call. See {@code docs/lake.md}.
 * Cost fields are filled by pricing ({@link #withCost}). {@code providerCostUsd} is the cost the
 * provider or a gateway reported for the call (OpenRouter's {@code usage.cost}, a LiteLLM proxy's
 * response-cost header, a span's {@code gen_ai.usage.cost.amount}), kept beside the catalog
 * cost, or null.
 */
public record CallRecord(
    String workflowId,
    String callId,
    String spanId,
    String parentSpanId,
    String kind,
    String operation,
    String service,
    String provider,
    String requestModel,
    String responseModel,
    int attempt,
    String status,
    String errorType,
    Integer httpStatus,
    String finishReason,
    boolean streaming,
    Usage usage,
    BigDecimal costUsd,
    BigDecimal cacheSavingsGrossUsd,
    BigDecimal cacheSavingsNetUsd,
    boolean unpriced,
    boolean wasted,
    String wasteCause,
    String toolName,
    String httpHost,
    String httpPath,
    Instant startTime,
    Instant endTime,
    String catalogVersion,
    String priceKey,
    Instant receivedAt,
    BigDecimal providerCostUsd) implements LakeRecord {

  /**
   * A row without a provider-reported cost.
   *
   * @see #providerCostUsd()
   */
  public CallRecord(String workflowId, String callId, String spanId, String parentSpanId,
      String kind, String operation, String service, String provider, String requestModel,
      String responseModel, int attempt, String status, String errorType, Integer httpStatus,
      String finishReason, boolean streaming, Usage usage, BigDecimal costUsd,
      BigDecimal cacheSavingsGrossUsd, BigDecimal cacheSavingsNetUsd, boolean unpriced,
      boolean wasted, String wasteCause, String toolName, String httpHost, String httpPath,
      Instant startTime, Instant endTime, String catalogVersion, String priceKey,
      Instant receivedAt) {
    this(workflowId, callId, spanId, parentSpanId, kind, operation, service, provider,
        requestModel, responseModel, attempt, status, errorType, httpStatus, finishReason,
        streaming, usage, costUsd, cacheSavingsGrossUsd, cacheSavingsNetUsd, unpriced, wasted,
        wasteCause, toolName, httpHost, httpPath, startTime, endTime, catalogVersion, priceKey,
        receivedAt, null);
  }

  @Override
  public Table table() {
    return Table.CALLS;
  }

  @Override
  public String dedupKey() {
    return Table.CALLS.keyPrefix() + spanId;
  }

  @Override
  public Instant partitionTime() {
    return startTime;
  }

  /** Returns a copy with the pricing result applied. */
  public CallRecord withCost(
      BigDecimal cost,
      BigDecimal savingsGross,
      BigDecimal savingsNet,
      boolean isUnpriced,
      String version,
      String key) {
    return new CallRecord(workflowId, callId, spanId, parentSpanId, kind, operation, service,
        provider, requestModel, responseModel, attempt, status, errorType, httpStatus,
        finishReason, streaming, usage, cost, savingsGross, savingsNet, isUnpriced, wasted,
        wasteCause, toolName, httpHost, httpPath, startTime, endTime, version, key, receivedAt,
        providerCostUsd);
  }

  /** Duration in milliseconds, or {@code null} when the end is unknown. */
  public Double durationMs() {
    if (endTime == null) {
      return null;
    }
    long nanos = (endTime.getEpochSecond() - startTime.getEpochSecond()) * 1_000_000_000L
        + (endTime.getNano() - startTime.getNano());
    return nanos / 1_000_000.0;
  }
}
