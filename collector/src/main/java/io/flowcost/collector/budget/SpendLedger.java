package io.flowcost.collector.budget;

import io.flowcost.collector.ingest.CallRecord;
import io.flowcost.collector.ingest.LakeRecord;
import io.flowcost.collector.ingest.WorkflowHint;
import io.flowcost.collector.ingest.WorkflowSpanRecord;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.logging.Logger;

/**
 * Live spend per budget owner and period, from the rows the collector accepts.
 *
 * <p><b>Attribution.</b> A call row carries its workflow id, not the workflow's tags: those are on
 * the workflow's root span, which the agent exports when the workflow ends, after its calls. The
 * agent also copies the name and tags onto each call span ({@link #hinted}), so a running
 * workflow's calls are credited to its owners when they arrive. A call whose workflow's tags are
 * not known yet (another producer, an older agent, or spend rebuilt from the lake after a restart
 * for a workflow still running) waits here (per workflow and period, bounded) and is credited
 * when the first hint or root span of its workflow arrives. The first of them decides the owners,
 * and each call is credited once whichever comes first, so nothing is counted twice.
 *
 * <p><b>Exactly once.</b> The ledger is fed only the rows the pipeline newly accepted (after its
 * de-duplication and the write-ahead log append), the rows replayed from the log at start, and
 * the lake's rows at start ({@link LakeSpendLoader}), so a retried or duplicate span never counts
 * twice and a restart forgets nothing.
 *
 * <p>Money is kept as integer nano-dollars (the lake's {@code DECIMAL(18,9)}), so sums are exact.
 * Thread-safe.
 */
public final class SpendLedger {

  private static final Logger LOG = Logger.getLogger(SpendLedger.class.getName());

  /** Receives every live credit, e.g. a shared store ({@code --budget-store}). */
  public interface CreditListener {
    /**
     * The call span {@code spanId} added {@code nanos} nano-dollars to each of {@code counters}.
     * Credits rebuilt from the lake at start are not reported (they were reported when live).
     */
    void credited(String spanId, List<OwnerPeriod> counters, long nanos);
  }

  private final Set<String> ownerKeys;
  private final Set<String> budgeted;
  private final int maxWorkflows;
  /** Hears of live spend per intent (burn-rate alerts). */
  public interface IntentListener {
    /** A call of a workflow named {@code intent}, started at {@code start}, cost {@code nanos}. */
    void spent(String intent, Instant start, long nanos);
  }

  /** What the root span of a workflow says: its owners (budgeted tag keys only) and intent. */
  private record Known(Map<String, String> owners, String intent) {}

  private final Map<OwnerPeriod, Long> spend = new HashMap<>();
  /** Workflows whose root span was seen; least recently used first. */
  private final LinkedHashMap<String, Known> owners;
  private volatile IntentListener intents = (i, s, n) -> {};
  /** Cost of calls whose workflow's root span has not arrived yet, per call start instant. */
  private final LinkedHashMap<String, List<Pending>> pending;
  private volatile CreditListener listener = (s, c, n) -> {};
  private boolean warnedPendingFull;
  /** Calls held in {@link #pending}, all workflows together; at most {@code maxWorkflows}. */
  private int pendingCalls;

  private record Pending(Instant start, long nanos, String spanId) {}

  /** Most workflows remembered (owners, and pending cost each), whatever the heap. */
  public static final int MAX_WORKFLOWS = 1_000_000;
  /**
   * Heap one remembered workflow takes, about: a map entry, its 32-character id, what its root
   * said (owners, intent) or its first pending call, and the table slot.
   */
  static final long WORKFLOW_HEAP_BYTES = 256;

  /**
   * The bound on workflows remembered for a heap of {@code maxHeapBytes}: as many as fit in a
   * sixteenth of it at {@link #WORKFLOW_HEAP_BYTES} each (the owners and the pending calls each
   * get that much), at least 10,000 and at most {@link #MAX_WORKFLOWS}: 131,072 at 512 MB. Why
   * from the heap: a fixed 1,000,000 workflows is ≈ 250 MB each, which a collector with a 512 MB
   * heap, half of it for rows waiting for the lake flush, does not have; every workflow's root
   * span names its owners here, so a busy collector filled it within the hour (docs/benchmarks.md,
   * the 10-minute soak). The agent names the workflow on every call span (a hint), so a workflow
   * forgotten here is named again by its next call.
   */
  public static int defaultMaxWorkflows(long maxHeapBytes) {
    return (int) Math.max(10_000, Math.min(MAX_WORKFLOWS,
        maxHeapBytes / 16 / WORKFLOW_HEAP_BYTES));
  }

  /**
   * @param budgets the budgets whose owners are tracked
   * @param maxWorkflows bound on the workflows whose owners are remembered, and on the calls
   *     waiting for their workflow's root span (all workflows together);
   *     {@link #defaultMaxWorkflows} in the collector
   */
  public SpendLedger(List<Budget> budgets, int maxWorkflows) {
    Set<String> keys = new HashSet<>();
    Set<String> ids = new HashSet<>();
    for (Budget b : budgets) {
      keys.add(b.ownerKey());
      ids.add(b.ownerKey() + "\u0000" + b.owner() + "\u0000" + b.period());
    }
    this.ownerKeys = Set.copyOf(keys);
    this.budgeted = Set.copyOf(ids);
    this.maxWorkflows = maxWorkflows;
    this.owners = new LinkedHashMap<>(16, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, Known> e) {
        return size() > SpendLedger.this.maxWorkflows;
      }
    };
    this.pending = new LinkedHashMap<>();
  }

  /** Sets who hears of live spend per intent. */
  public void onIntentSpend(IntentListener l) {
    this.intents = l;
  }

  /** Sets who hears of each credit (a shared store). */
  public void onCredit(CreditListener l) {
    this.listener = l;
  }

  /** Nano-dollars in a USD amount (exact to the lake's 9 decimals). */
  public static long nanos(BigDecimal usd) {
    return usd.movePointRight(9).setScale(0, RoundingMode.HALF_EVEN).longValueExact();
  }

  /** USD of an amount of nano-dollars. */
  public static BigDecimal usd(long nanos) {
    return BigDecimal.valueOf(nanos, 9);
  }

  /** Takes newly accepted rows into account: calls add cost, root spans name owners. */
  public synchronized void accepted(List<? extends LakeRecord> rows) {
    for (LakeRecord r : rows) {
      if (r instanceof WorkflowSpanRecord w) {
        root(w.workflowId(), w.workflowName(), w.tags());
      }
    }
    for (LakeRecord r : rows) {
      // a repeated report of a response another producer's row already counted (the lake keeps
      // one of the two: docs/spans.md)
      if (r instanceof CallRecord c && !c.repeatedReport() && c.costUsd() != null
          && c.costUsd().signum() > 0) {
        call(c.workflowId(), c.startTime(), nanos(c.costUsd()), c.spanId());
      }
    }
  }

  /**
   * A call of {@code workflowId} that started at {@code start} cost {@code nanos}.
   *
   * @param spanId the call's span id, or {@code null} for spend rebuilt from the lake (not told
   *     to the {@link CreditListener})
   */
  public synchronized void call(String workflowId, Instant start, long nanos, String spanId) {
    Known known = owners.get(workflowId);
    if (known != null) {
      credit(known, start, nanos, spanId);
      return;
    }
    if (pendingCalls >= maxWorkflows) {
      // Bounded by calls, not only by workflows: one workflow of another producer that never
      // names it could otherwise hold any number of calls. The oldest workflows still without a
      // root span are forgotten until one more call fits; said once, loudly.
      Iterator<List<Pending>> oldest = pending.values().iterator();
      while (pendingCalls >= maxWorkflows && oldest.hasNext()) {
        pendingCalls -= oldest.next().size();
        oldest.remove();
      }
      if (!warnedPendingFull) {
        warnedPendingFull = true;
        LOG.warning("budget spend: more than " + maxWorkflows + " calls wait for their"
            + " workflow's root span; the oldest workflows' calls are not counted in budgets");
      }
    }
    pending.computeIfAbsent(workflowId, k -> new ArrayList<>(2))
        .add(new Pending(start, nanos, spanId));
    pendingCalls++;
  }

  /** Calls waiting for their workflow's root span (tests: memory stays bounded). */
  synchronized int pendingCalls() {
    return pendingCalls;
  }

  /** Call spans named their running workflows: each is a root span's name and tags, early. */
  public void hinted(List<WorkflowHint> hints) {
    for (WorkflowHint h : hints) {
      root(h.workflowId(), h.workflowName(), h.tags());
    }
  }

  /** The root span of {@code workflowId}, named {@code name}, arrived with {@code tags}. */
  public synchronized void root(String workflowId, String name, Map<String, String> tags) {
    if (owners.containsKey(workflowId)) {
      return;
    }
    Map<String, String> relevant = new HashMap<>();
    tags.forEach((k, v) -> {
      if (ownerKeys.contains(k)) {
        relevant.put(k, v);
      }
    });
    Known mine = new Known(Map.copyOf(relevant), name);
    owners.put(workflowId, mine);
    List<Pending> waiting = pending.remove(workflowId);
    if (waiting != null) {
      pendingCalls -= waiting.size();
      for (Pending p : waiting) {
        credit(mine, p.start(), p.nanos(), p.spanId());
      }
    }
  }

  private void credit(Known known, Instant start, long nanos, String spanId) {
    if (spanId != null && known.intent() != null) {
      // live spend only: the lake's is summed per day, which would look like one huge window
      intents.spent(known.intent(), start, nanos);
    }
    List<OwnerPeriod> counters = new ArrayList<>(2);
    for (Map.Entry<String, String> t : known.owners().entrySet()) {
      for (BudgetPeriod period : BudgetPeriod.values()) {
        if (!budgeted.contains(t.getKey() + "\u0000" + t.getValue() + "\u0000" + period)) {
          continue;
        }
        OwnerPeriod counter = new OwnerPeriod(t.getKey(), t.getValue(), period,
            period.idOf(start));
        spend.merge(counter, nanos, Long::sum);
        counters.add(counter);
      }
    }
    if (spanId != null && !counters.isEmpty()) {
      listener.credited(spanId, List.copyOf(counters), nanos);
    }
  }

  /** Nano-dollars this collector counted for {@code counter}. */
  public synchronized long spend(OwnerPeriod counter) {
    return spend.getOrDefault(counter, 0L);
  }

  /** A copy of every counter. */
  public synchronized Map<OwnerPeriod, Long> counters() {
    return Map.copyOf(spend);
  }

  /** Workflows whose owners are known (tests: memory stays bounded). */
  synchronized int knownWorkflows() {
    return owners.size();
  }

  /** Workflows with calls waiting for their root span. */
  public synchronized int pendingWorkflows() {
    return pending.size();
  }

  /** Forgets counters of periods that ended before {@code now} minus a day (bounded memory). */
  public synchronized void prune(Instant now) {
    spend.keySet().removeIf(k -> {
      String current = k.period().idOf(now);
      String previous = k.period().idOf(k.period().startOf(now).minusSeconds(1));
      return !k.periodId().equals(current) && !k.periodId().equals(previous);
    });
    Instant horizon = now.minus(java.time.Duration.ofDays(40));
    Iterator<List<Pending>> it = pending.values().iterator();
    while (it.hasNext()) {
      List<Pending> l = it.next();
      if (l.stream().allMatch(p -> p.start().isBefore(horizon))) {
        pendingCalls -= l.size();
        it.remove();
      }
    }
  }
}
