package io.flowcost.collector.pipeline;

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

  /**
   * The id quoted, cut to {@value #MAX_ID_CHARS} characters, with quotes, backslashes and
   * control characters escaped, so it can go into a log line or a reply unchanged.
   */
  static String printable(String id) {
    StringBuilder out = new StringBuilder(id.length() + 2).append('\'');
    int n = Math.min(id.length(), MAX_ID_CHARS);
    for (int i = 0; i < n; i++) {
      char c = id.charAt(i);
      if (c == '\'' || c == '\\') {
        out.append('\\').append(c);
      } else if (Character.isISOControl(c) || Character.getType(c) == Character.FORMAT
          || Character.isSurrogate(c)) {
        out.append(String.format("\\u%04x", (int) c));
      } else {
        out.append(c);
      }
    }
    if (id.length() > n) {
      out.append('…');
    }
    return out.append('\'').toString();
  }
}
