package io.flowcost.collector.pipeline;

import io.flowcost.collector.SafeText;

/**
 * An outcome's {@code outcome_id} is already stored with other content. Answered 409: the report
 * is neither a retry (same content, an idempotent 202) nor new. Nothing of its request is stored.
 */
public final class OutcomeConflictException extends RuntimeException {

  private static final long serialVersionUID = 1L;
  /** Outcome ids are at most 128 characters after decoding; anything longer is cut. */
  private static final int MAX_ID_CHARS = 128;

  private final String outcomeId;

  OutcomeConflictException(String outcomeId) {
    super("outcome_id " + printable(outcomeId) + " is already stored with different content;"
        + " resend the same content (idempotent) or use a new outcome_id", null, false, false);
    this.outcomeId = outcomeId;
  }

  /** The conflicting id as the client sent it (unescaped: escape it before printing). */
  public String outcomeId() {
    return outcomeId;
  }

  /** The id quoted, cut to {@value #MAX_ID_CHARS} characters and escaped ({@link SafeText}). */
  static String printable(String id) {
    return "'" + SafeText.of(id, MAX_ID_CHARS) + "'";
  }
}
