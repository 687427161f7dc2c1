package io.flowcost.outcome;

import java.math.BigDecimal;
import java.util.Objects;

/**
 * Thrown into the application, when the Flowcost agent enforces caps ({@code
 * flowcost.caps.mode=enforce}), by the model or tool call that would start after its workflow
 * crossed a cap — before the request leaves the JVM. Also thrown when a workflow is refused
 * because its owner's hard budget is spent ({@link CapKind#BUDGET_USD}).
 *
 * <p>Unchecked, so it passes through LangChain4j and application code unchanged; catch it by type
 * to end the workflow gracefully. The message names the workflow, the cap and the spend, never
 * prompt or completion text.
 */
public class WorkflowCapExceededException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final String workflowId;
  private final String workflowName;
  private final CapKind capKind;
  private final BigDecimal limit;
  private final BigDecimal spent;
  private final String owner;

  /**
   * Creates the exception; the agent calls this constructor (reflectively, from the application's
   * class loader).
   *
   * @param workflowId the 32-hex workflow id, or {@code null} when the workflow was refused before
   *     it got one
   * @param workflowName the workflow name (intent)
   * @param capKind which cap was crossed
   * @param limit the cap, in {@link CapKind#unit()}
   * @param spent what the workflow (or owner) had spent when the breach was detected, same unit
   */
  public WorkflowCapExceededException(
      String workflowId, String workflowName, CapKind capKind, BigDecimal limit, BigDecimal spent) {
    this(workflowId, workflowName, capKind, limit, spent, null);
  }

  /**
   * Creates the exception for a workflow refused by its owner's budget ({@link
   * CapKind#BUDGET_USD}); the agent calls this constructor when it exists.
   *
   * @param owner the budget's owner as the budgets file names it ({@code team=payments}), or
   *     {@code null}; the other parameters as in the five-argument constructor
   */
  public WorkflowCapExceededException(String workflowId, String workflowName, CapKind capKind,
      BigDecimal limit, BigDecimal spent, String owner) {
    super(message(workflowId, workflowName, capKind, limit, spent, owner));
    this.owner = owner;
    this.workflowId = workflowId;
    this.workflowName = workflowName;
    this.capKind = Objects.requireNonNull(capKind, "capKind");
    this.limit = Objects.requireNonNull(limit, "limit");
    this.spent = Objects.requireNonNull(spent, "spent");
  }

  /**
   * The message for these values, e.g. {@code workflow "triage" (id 4bf9…) stopped by cap
   * max-cost-usd=0.50 USD: spent 0.5125 USD}. One definition, also used by the agent for apps
   * without {@code outcome-api}.
   */
  public static String message(
      String workflowId, String workflowName, CapKind capKind, BigDecimal limit, BigDecimal spent) {
    return message(workflowId, workflowName, capKind, limit, spent, null);
  }

  /**
   * As {@link #message(String, String, CapKind, BigDecimal, BigDecimal)}, naming the budget's
   * owner when there is one: {@code workflow "triage" refused by budget-usd=1000 USD of
   * team=payments: spent 1000.42 USD}.
   */
  public static String message(String workflowId, String workflowName, CapKind capKind,
      BigDecimal limit, BigDecimal spent, String owner) {
    StringBuilder b = new StringBuilder("workflow ");
    b.append(workflowName == null ? "(unnamed)" : quote(workflowName));
    if (workflowId != null) {
      b.append(" (id ").append(workflowId).append(')');
    }
    b.append(capKind == CapKind.BUDGET_USD ? " refused by " : " stopped by cap ")
        .append(capKind == null ? "?" : capKind.key())
        .append('=')
        .append(limit == null ? "?" : limit.toPlainString())
        .append(' ')
        .append(capKind == null ? "" : capKind.unit());
    if (owner != null) {
      b.append(" of ").append(quoteless(owner));
    }
    b.append(": spent ")
        .append(spent == null ? "?" : spent.toPlainString())
        .append(' ')
        .append(capKind == null ? "" : capKind.unit());
    return b.toString();
  }

  /** An owner for a message: as {@link #quote} without the quotes. */
  private static String quoteless(String s) {
    String q = quote(s);
    return q.substring(1, q.length() - 1);
  }

  /** Quotes a name for a message, escaping control characters, quotes and backslashes. */
  private static String quote(String s) {
    StringBuilder b = new StringBuilder(s.length() + 2).append('"');
    for (int i = 0; i < s.length() && i < 256; i++) {
      char c = s.charAt(i);
      if (c == '"' || c == '\\') {
        b.append('\\').append(c);
      } else if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0) || c == 0x2028 || c == 0x2029) {
        b.append(String.format("\\u%04x", (int) c));
      } else {
        b.append(c);
      }
    }
    return b.append('"').toString();
  }

  /** The workflow id (32 hex), or {@code null} when the workflow was refused before it opened. */
  public String workflowId() {
    return workflowId;
  }

  /** The workflow name (intent). */
  public String workflowName() {
    return workflowName;
  }

  /** Which cap was crossed. */
  public CapKind capKind() {
    return capKind;
  }

  /** The cap, in {@link CapKind#unit()} of {@link #capKind()}. */
  public BigDecimal limit() {
    return limit;
  }

  /**
   * The owner whose budget refused the workflow ({@code team=payments}), or {@code null} for a
   * per-workflow cap (or an agent that did not say).
   */
  public String owner() {
    return owner;
  }

  /** The spend when the breach was detected, in the same unit as {@link #limit()}. */
  public BigDecimal spent() {
    return spent;
  }
}
