package io.flowcost.collector.ingest;

import java.math.BigDecimal;
import java.time.Instant;

/**
 * One row of the {@code calls} table: one attempt of a logical call. See {@code docs/lake.md}.
 * Cost fields are filled by pricing ({@link #withCost}). {@code providerCostUsd} is the cost the
 * provider or a gateway reported for the call (OpenRouter's {@code usage.cost}, a LiteLLM proxy's
 * response-cost header, a span's {@code gen_ai.usage.cost.amount}), kept beside the catalog
 * cost, or null.
 *
 * <p>{@code responseId} is the provider's id of the response this row reports ({@code
 * gen_ai.response.id}), or null; {@code foreignSpan} is true when the row comes from another
 * producer's span (an app's own GenAI instrumentation) rather than Flowcost's agent or
 * integration. The lake's {@code calls} view counts a response reported by both once, keeping
 * Flowcost's row ({@code docs/spans.md}, "One provider request reported twice"). {@code
 * repeatedReport} is true when this collector had already accepted another producer's row for
 * the same response: the row is still written (the lake decides which report counts) but live
 * spend (budgets, alerts) skips it; it is never a lake column.
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
    BigDecimal providerCostUsd,
    String responseId,
    boolean foreignSpan,
    boolean repeatedReport) implements LakeRecord {

  /** A row without a response id, from Flowcost's own producers. */
  public CallRecord(String workflowId, String callId, String spanId, String parentSpanId,
      String kind, String operation, String service, String provider, String requestModel,
      String responseModel, int attempt, String status, String errorType, Integer httpStatus,
      String finishReason, boolean streaming, Usage usage, BigDecimal costUsd,
      BigDecimal cacheSavingsGrossUsd, BigDecimal cacheSavingsNetUsd, boolean unpriced,
      boolean wasted, String wasteCause, String toolName, String httpHost, String httpPath,
      Instant startTime, Instant endTime, String catalogVersion, String priceKey,
      Instant receivedAt, BigDecimal providerCostUsd) {
    this(workflowId, callId, spanId, parentSpanId, kind, operation, service, provider,
        requestModel, responseModel, attempt, status, errorType, httpStatus, finishReason,
        streaming, usage, costUsd, cacheSavingsGrossUsd, cacheSavingsNetUsd, unpriced, wasted,
        wasteCause, toolName, httpHost, httpPath, startTime, endTime, catalogVersion, priceKey,
        receivedAt, providerCostUsd, null, false, false);
  }

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
        providerCostUsd, responseId, foreignSpan, repeatedReport);
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
