package io.flowcost.outcome;

import io.flowcost.outcome.internal.Json;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;

/**
 * An outcome report for one workflow (by id) or for the workflows with a business key.
 *
 * <pre>{@code
 * Flowcost.outcome(workflowId).failure("customer_escalated").report();
 * Flowcost.outcomeForKey("order-4711").success().value(new BigDecimal("129.90")).unit("EUR").report();
 * }</pre>
 *
 * <p>{@link #report()} returns at once: the report is sent to {@code POST /v1/outcomes} from a
 * background thread, retried while the collector is unreachable or busy, and given up (with one
 * log line) when the collector rejects it. Each report carries an {@code outcome_id}, random
 * unless set, so that the collector stores a report once however often its delivery is retried.
 * Every distinct report is kept; the one with the latest {@code reported_at} wins. Invalid
 * arguments throw {@link IllegalArgumentException} immediately. Not thread-safe.
 */
public final class OutcomeBuilder {

  /** Limits the collector enforces (docs/openapi/outcomes.yaml); checked here to fail early. */
  static final int MAX_KEY = 256;
  static final int MAX_REASON = 256;
  private static final BigDecimal MAX_VALUE = new BigDecimal("999999999");
  private static final Instant EARLIEST_REPORTED_AT = Instant.parse("2000-01-01T00:00:00Z");
  private static final Instant LATEST_REPORTED_AT = Instant.parse("2200-01-01T00:00:00Z");

  private final String workflowId;
  private final String externalKey;
  private OutcomeStatus status;
  private String reason;
  private BigDecimal value;
  private String unit;
  private String outcomeId;
  private Instant reportedAt;
  private String lastOutcomeId;

  OutcomeBuilder(String workflowId, String externalKey) {
    this.workflowId = workflowId;
    this.externalKey = externalKey;
  }

  /** Sets the status to {@code success}. */
  public OutcomeBuilder success() {
    return status(OutcomeStatus.SUCCESS);
  }

  /** Sets the status to {@code failure} with a short reason code (may be {@code null}). */
  public OutcomeBuilder failure(String reason) {
    status(OutcomeStatus.FAILURE);
    return reason == null ? this : reason(reason);
  }

  /**
   * Sets the status.
   *
   * @throws IllegalArgumentException when {@code status} is null
   */
  public OutcomeBuilder status(OutcomeStatus status) {
    if (status == null) {
      throw new IllegalArgumentException("status must not be null");
    }
    this.status = status;
    return this;
  }

  /** Sets a short reason code, e.g. {@code wrong_answer}; not free text with personal data. */
  public OutcomeBuilder reason(String reason) {
    this.reason = requireText("reason", reason, MAX_REASON);
    return this;
  }

  /** Sets a business value of the outcome, e.g. the order total. */
  public OutcomeBuilder value(BigDecimal value) {
    if (value == null) {
      throw new IllegalArgumentException("value must not be null");
    }
    BigDecimal plain = value.stripTrailingZeros();
    if (plain.abs().compareTo(MAX_VALUE) > 0 || plain.scale() > 9) {
      throw new IllegalArgumentException("value must be below 1e9 in magnitude with at most 9 decimals");
    }
    this.value = value;
    return this;
  }

  /** Sets the unit of {@link #value}, e.g. {@code EUR}. */
  public OutcomeBuilder unit(String unit) {
    this.unit = requireText("unit", unit, 64);
    return this;
  }

  /**
   * Sets the idempotency key: reports with the same id are stored once. Default: a random UUID
   * per {@link #report()} call.
   */
  public OutcomeBuilder outcomeId(String outcomeId) {
    this.outcomeId = requireText("outcomeId", outcomeId, 128);
    return this;
  }

  /**
   * Sets when the outcome was known. Default: the time of {@link #report()}.
   *
   * @throws IllegalArgumentException when {@code reportedAt} is null or outside the collector's
   *     window, 2000-01-01 (inclusive) to 2200-01-01 (exclusive), UTC
   */
  public OutcomeBuilder reportedAt(Instant reportedAt) {
    if (reportedAt == null) {
      throw new IllegalArgumentException("reportedAt must not be null");
    }
    if (reportedAt.isBefore(EARLIEST_REPORTED_AT) || !reportedAt.isBefore(LATEST_REPORTED_AT)) {
      throw new IllegalArgumentException(
          "reportedAt must be between 2000-01-01 and 2200-01-01 (UTC): the collector refuses others");
    }
    this.reportedAt = reportedAt;
    return this;
  }

  /**
   * Queues the report for delivery and returns at once.
   *
   * @return the report's {@code outcome_id}
   * @throws IllegalStateException when no status was set
   */
  public String report() {
    String json = toJson();
    Flowcost.reporter().submit("/v1/outcomes", json, "outcome");
    return lastOutcomeId;
  }

  /** The request body {@link #report()} sends; fixes the outcome id and time if unset. */
  String toJson() {
    if (status == null) {
      throw new IllegalStateException("call success(), failure(..) or status(..) before report()");
    }
    String id = outcomeId != null ? outcomeId : UUID.randomUUID().toString();
    Instant at = reportedAt != null ? reportedAt : Instant.now().truncatedTo(ChronoUnit.MICROS);
    lastOutcomeId = id;
    Json json = new Json().beginObject();
    json.optional("workflow_id", workflowId);
    json.optional("external_key", externalKey);
    json.name("status").value(status.wireName());
    json.optional("reason", reason);
    if (value != null) {
      json.name("value").value(value);
    }
    json.optional("unit", unit);
    json.name("outcome_id").value(id);
    json.name("reported_at").value(at.toString());
    return json.endObject().toString();
  }

  static String requireText(String what, String text, int maxLength) {
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException(what + " must not be null or blank");
    }
    if (text.length() > maxLength) {
      throw new IllegalArgumentException(what + " must be at most " + maxLength + " characters");
    }
    return text;
  }

  @Override
  public String toString() {
    return "OutcomeBuilder{" + (workflowId != null ? workflowId : "by key") + ", " + status + "}";
  }
}
