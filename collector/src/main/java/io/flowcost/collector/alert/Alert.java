package io.flowcost.collector.alert;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;

/**
 * One alert: who (the owner or workflow), what happened, how much, since when. It never holds
 * prompt or completion text: only names, tag values from configuration or spans, and figures.
 *
 * @param kind what kind of alert
 * @param dedupKey identifies the alert: the same key is sent once (per period for budgets)
 * @param who who it concerns, e.g. {@code team=payments} or a workflow id
 * @param what one sentence saying what happened
 * @param amountUsd how much (spend), as a plain decimal string
 * @param since when the cause started (the period's start, the window's start, …)
 * @param at when the alert was raised
 * @param fields further figures, by name (limit, threshold, period, …), all strings
 */
public record Alert(Kind kind, String dedupKey, String who, String what, String amountUsd,
    Instant since, Instant at, Map<String, String> fields) {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** Alert kinds; their labels are the {@code kind} field of the JSON form. */
  public enum Kind {
    /** An owner's spend reached 80% of its budget. */
    BUDGET_80,
    /** An owner's spend reached 100% of its budget. */
    BUDGET_100,
    /** An intent's spend in a 5-minute window is far above its usual. */
    BURN_RATE,
    /** A workflow still running spent far more than its intent usually does. */
    RUNAWAY,
    /** A per-workflow cap was crossed (agent-side caps). */
    CAP_BREACH;

    /** {@code budget_80}, … */
    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  public Alert {
    fields = Map.copyOf(fields);
  }

  /** One line for humans (Slack's {@code text}). */
  public String text() {
    return "[flowcost] " + what + " (" + who + ", $" + amountUsd + ", since " + since + ")";
  }

  /** The generic JSON form. */
  public String json(String collector) {
    ObjectNode n = JSON.createObjectNode();
    n.put("kind", kind.label());
    n.put("dedup_key", dedupKey);
    n.put("who", who);
    n.put("what", what);
    n.put("amount_usd", amountUsd);
    n.put("since", since.toString());
    n.put("at", at.toString());
    n.put("collector", collector);
    ObjectNode f = n.putObject("fields");
    new java.util.TreeMap<>(fields).forEach(f::put);
    n.put("text", text());
    return n.toString();
  }

  /** The Slack incoming-webhook form: {@code {"text": …}}. */
  public String slackJson() {
    ObjectNode n = JSON.createObjectNode();
    n.put("text", text());
    return n.toString();
  }
}
