package io.flowcost.agent.caps;

import io.flowcost.contract.SpanKeys;
import io.flowcost.agent.AgentLog;
import io.flowcost.agent.context.AgentContext;
import io.flowcost.agent.context.SpanAttributes;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Refuses new workflows of an owner at its hard budget. Reads only the status {@link
 * BudgetPoller} last fetched (held in memory): runs on the application's thread, never touches the
 * network, never blocks.
 *
 * <p>The owner of a workflow is each of its tags ({@code flowcost.tags}, the outcome API's tags):
 * a budget on {@code team=payments} applies to every workflow whose tag {@code team} is {@code
 * payments}, as the collector credits spend. In {@code flowcost.caps.mode=enforce} a new workflow
 * of an owner at its hard cap is refused; in {@code warn} mode the agent logs once per owner and
 * period and lets it run. Workflows already running are never stopped by a budget. A status older
 * than {@code flowcost.budgets.max-age} refuses nothing (logged once): stale data never blocks the
 * application.
 */
public final class BudgetGate {

  /** The owner ({@code team=payments}) on a {@code budget-usd} breach span. */
  public static final AttributeKey<String> OWNER = AttributeKey.stringKey(SpanKeys.CAP_OWNER);
  /** The budget period ({@code 2026-12}) on a {@code budget-usd} breach span. */
  public static final AttributeKey<String> PERIOD = AttributeKey.stringKey(SpanKeys.CAP_PERIOD_ID);

  /** Keys remembered for "once" logging and recording; owners come from a bounded budgets file. */
  private static final int MAX_KEYS = 10_000;

  private static volatile BudgetStatus status = BudgetStatus.NONE;
  private static final Set<String> LOGGED = ConcurrentHashMap.newKeySet();
  private static final Set<String> RECORDED = ConcurrentHashMap.newKeySet();

  private BudgetGate() {}

  /** Installs a status the poller fetched (or confirmed). */
  static void update(BudgetStatus fetched) {
    status = fetched == null ? BudgetStatus.NONE : fetched;
  }

  /** The status in force. */
  static BudgetStatus status() {
    return status;
  }

  /** Forgets the status and the once-per-owner memory (tests). */
  static void reset() {
    status = BudgetStatus.NONE;
    LOGGED.clear();
    RECORDED.clear();
  }

  /**
   * Before a new workflow opens. Never throws.
   *
   * @param workflowName the workflow's name
   * @param tags the workflow's tags (configured and its own)
   * @param appLoader the class loader to create the exception from, may be {@code null}
   * @return a refusal in enforce mode when an owner of the workflow is at its hard cap, else
   *     {@code null}
   */
  public static CapRefusal beforeWorkflow(
      String workflowName, Map<String, String> tags, ClassLoader appLoader) {
    BudgetStatus s = status;
    if (s.hardOwners().isEmpty()) {
      return null; // the common case: one volatile read
    }
    try {
      BudgetStatus.HardOwner owner = s.hardOwnerOf(tags, Instant::now);
      if (owner == null) {
        return null;
      }
      long maxAgeNanos = TimeUnit.MILLISECONDS.toNanos(AgentContext.config().budgets().maxAgeMillis());
      if (System.nanoTime() - s.fetchedNanos() > maxAgeNanos) {
        AgentLog.once("budgets-stale", "the collector's budget status is older than "
            + BudgetSettings.MAX_AGE_KEY + ": no workflow is refused on budgets until it answers"
            + " again");
        return null;
      }
      boolean enforce = AgentContext.config().caps().mode() == CapMode.ENFORCE;
      String ownerPeriod = owner.label() + '|' + owner.periodId();
      if (remember(LOGGED, ownerPeriod)) {
        AgentLog.info("budget: " + Printable.of(owner.label()) + " spent "
            + owner.spendUsd().toPlainString() + " USD of its hard budget "
            + owner.hardLimitUsd().toPlainString() + " USD (period "
            + Printable.of(owner.periodId()) + ")" + (enforce ? "; new workflows of this owner refused until "
                + owner.periodEnd() + " (flowcost.caps.mode=enforce)"
            : "; workflows go on (flowcost.caps.mode=warn; logged once per owner and period)"));
        if (!enforce) {
          record(workflowName, owner, false);
        }
      }
      if (!enforce) {
        return null;
      }
      // one breach row per owner, period and workflow name: a retry loop does not flood the lake
      if (remember(RECORDED, ownerPeriod + '|' + workflowName)) {
        record(workflowName, owner, true);
      }
      return new CapRefusal(CapExceptions.budget(appLoader, workflowName, owner.label(),
          owner.hardLimitUsd(), owner.spendUsd()));
    } catch (Throwable t) {
      AgentLog.failure("budget check", t);
      return null;
    }
  }

  private static boolean remember(Set<String> set, String key) {
    if (set.contains(key)) {
      return false;
    }
    return set.size() < MAX_KEYS && set.add(key);
  }

  /**
   * Records the refusal as a breach span: a trace of its own (the workflow never opened), so the
   * collector's {@code cap_breaches} row has {@code cap_kind = budget-usd} and a workflow id no
   * workflow has.
   */
  private static void record(String workflowName, BudgetStatus.HardOwner owner, boolean enforce) {
    Span span =
        AgentContext.tracer()
            .spanBuilder("cap_breach " + Cap.BUDGET_USD.key())
            .setNoParent()
            .setAttribute(CapGuard.BREACH, true)
            .setAttribute(SpanAttributes.WORKFLOW_NAME, workflowName)
            .setAttribute(CapGuard.KIND, Cap.BUDGET_USD.key())
            .setAttribute(CapGuard.LIMIT, owner.hardLimitUsd().toPlainString())
            .setAttribute(CapGuard.SPENT, owner.spendUsd().toPlainString())
            .setAttribute(CapGuard.UNIT, Cap.BUDGET_USD.unit())
            .setAttribute(CapGuard.MODE, enforce ? "enforce" : "warn")
            .setAttribute(CapGuard.ENFORCED, enforce)
            .setAttribute(CapGuard.MODEL_CALLS, 0L)
            .setAttribute(CapGuard.TOOL_CALLS, 0L)
            .setAttribute(OWNER, owner.label())
            .setAttribute(PERIOD, owner.periodId())
            .startSpan();
    span.end();
  }
}
