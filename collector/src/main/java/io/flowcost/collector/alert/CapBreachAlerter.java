package io.flowcost.collector.alert;

import io.flowcost.collector.budget.SpendLedger;
import io.flowcost.collector.ingest.CapBreachRecord;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.logging.Logger;

/**
 * One alert per cap breach (a {@code cap_breaches} row the agent sent, warned or enforced),
 * de-duplicated by workflow and cap ({@code cap|<workflow id>|<cap kind>}): the agent records
 * the first breach of each cap per workflow, and a resent or replayed breach row, or a second
 * breach span of the same cap, does not alert again.
 *
 * <p>Rows are queued by the write path ({@link #breached}, never blocking) and alerted by
 * {@link #tick} on the evaluation thread (claims may need a round trip to a shared store). At
 * most {@value #MAX_QUEUED} wait; beyond that a breach is not alerted (logged once; its row is
 * still in the lake).
 */
public final class CapBreachAlerter {

  private static final Logger LOG = Logger.getLogger(CapBreachAlerter.class.getName());
  static final int MAX_QUEUED = 10_000;

  private final Clock clock;
  private final AlertClaims claims;
  private final Consumer<Alert> sink;
  private final RunawayDetector running;
  private final ArrayDeque<CapBreachRecord> queue = new ArrayDeque<>();
  private boolean warnedFull;

  /**
   * @param running what the collector has seen the workflow spend so far (the amount of a
   *     breach of a cap that is not in USD)
   */
  public CapBreachAlerter(Clock clock, AlertClaims claims, Consumer<Alert> sink,
      RunawayDetector running) {
    this.clock = clock;
    this.claims = claims;
    this.sink = sink;
    this.running = running;
  }

  /** Queues a newly accepted breach row for alerting. */
  public synchronized void breached(CapBreachRecord b) {
    if (queue.size() >= MAX_QUEUED) {
      if (!warnedFull) {
        warnedFull = true;
        LOG.warning("more than " + MAX_QUEUED + " cap breaches wait to be alerted; further"
            + " ones are not alerted (their rows are in the lake)");
      }
      return;
    }
    queue.addLast(b);
  }

  /** Alerts the queued breaches not alerted before. */
  public void tick() {
    List<CapBreachRecord> due;
    synchronized (this) {
      due = new ArrayList<>(queue);
      queue.clear();
    }
    for (CapBreachRecord b : due) {
      String key = "cap|" + b.workflowId() + "|" + b.capKind();
      if (!claims.claim(key, b.breachedAt().plus(Duration.ofDays(2)))) {
        continue;
      }
      sink.accept(alert(b, key));
    }
  }

  private Alert alert(CapBreachRecord b, String key) {
    String name = b.workflowName() == null ? "(unnamed)" : b.workflowName();
    String unit = b.unit() == null ? "" : " " + b.unit();
    String limit = b.capLimit() == null ? "?" : b.capLimit().toPlainString();
    String spent = b.spent() == null ? "?" : b.spent().toPlainString();
    // the amount: the cost at the breach for a cost cap, else what the collector saw so far
    long seen = running.spendOf(b.workflowId());
    BigDecimal amount = "USD".equals(b.unit()) && b.spent() != null ? b.spent()
        : SpendLedger.usd(Math.max(seen, 0));
    Instant since = running.since(b.workflowId());
    if (since == null || since.isAfter(b.breachedAt())) {
      since = b.breachedAt();
    }
    String verdict = b.enforced() ? "the call was refused (enforce)"
        : "mode " + (b.mode() == null ? "unknown" : b.mode()) + ", the call went ahead";
    Map<String, String> fields = new HashMap<>();
    fields.put("workflow_id", b.workflowId());
    fields.put("workflow_name", name);
    fields.put("cap", b.capKind());
    fields.put("limit", limit);
    fields.put("spent", spent);
    fields.put("unit", b.unit() == null ? "" : b.unit());
    fields.put("mode", b.mode() == null ? "" : b.mode());
    fields.put("enforced", Boolean.toString(b.enforced()));
    fields.put("breached_at", b.breachedAt().toString());
    if (b.service() != null) {
      fields.put("service", b.service());
    }
    if (b.modelCalls() != null) {
      fields.put("model_calls", Long.toString(b.modelCalls()));
    }
    if (b.toolCalls() != null) {
      fields.put("tool_calls", Long.toString(b.toolCalls()));
    }
    return new Alert(Alert.Kind.CAP_BREACH, key,
        "workflow " + b.workflowId() + " (" + name + ")",
        "workflow " + b.workflowId() + " (" + name + ") crossed its " + b.capKind() + " cap of "
            + limit + unit + " at " + spent + unit + "; " + verdict,
        amount.toPlainString(), since, clock.instant(), fields);
  }
}
