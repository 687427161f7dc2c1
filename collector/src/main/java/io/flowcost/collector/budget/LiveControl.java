package io.flowcost.collector.budget;

import io.flowcost.collector.Collector;
import io.flowcost.collector.alert.Alert;
import io.flowcost.collector.alert.AlertClaims;
import io.flowcost.collector.alert.BurnRateDetector;
import io.flowcost.collector.alert.CapBreachAlerter;
import io.flowcost.collector.alert.FiredAlerts;
import io.flowcost.collector.alert.RunawayDetector;
import io.flowcost.collector.alert.WebhookSender;
import io.flowcost.collector.alert.WebhookTarget;
import io.flowcost.collector.ingest.CallRecord;
import io.flowcost.collector.ingest.CapBreachRecord;
import io.flowcost.collector.ingest.LakeRecord;
import io.flowcost.collector.ingest.WorkflowHint;
import io.flowcost.collector.ingest.WorkflowSpanRecord;
import io.flowcost.collector.pipeline.Pipeline;
import io.flowcost.collector.metrics.MetricsRegistry;
import io.flowcost.collector.rollup.Rollup;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The collector's live cost control: budgets ({@code --budgets}) with their spend ledger, budget
 * status for agents ({@code GET /v1/budgets}) and alerts to webhooks ({@code --alert-webhook}):
 * budget 80%/100%, burn rate, runaway workflows and cap breaches, evaluated on a thread of their
 * own every {@link Collector.Live#evaluateEvery()}.
 */
public final class LiveControl implements AutoCloseable, Pipeline.AcceptListener {

  private static final Logger LOG = Logger.getLogger(LiveControl.class.getName());

  /** Checked configuration: what {@link #start} runs. */
  public record Plan(List<Budget> budgets, List<WebhookTarget> webhooks, String budgetStore,
      Duration evaluateEvery, Clock clock, RunawayDetector.Settings runaway) {}

  private final Plan plan;
  private final SpendLedger ledger;
  private final BudgetBoard board;
  private final BudgetAlerter alerter;
  private final WebhookSender sender;
  private final ScheduledExecutorService ticker;
  private final RedisSpendStore store;

  private final BurnRateDetector burn;
  private final RunawayDetector runaway;
  private final CapBreachAlerter breaches;

  private LiveControl(Plan plan, SpendLedger ledger, BudgetBoard board, BudgetAlerter alerter,
      BurnRateDetector burn, RunawayDetector runaway, CapBreachAlerter breaches,
      WebhookSender sender, ScheduledExecutorService ticker, RedisSpendStore store) {
    this.store = store;
    this.runaway = runaway;
    this.breaches = breaches;
    this.burn = burn;
    this.plan = plan;
    this.ledger = ledger;
    this.board = board;
    this.alerter = alerter;
    this.sender = sender;
    this.ticker = ticker;
  }

  /** Reads and checks the budgets file and webhooks; an error names the line or value. */
  public static Plan plan(Collector.Live live) throws IOException {
    List<Budget> budgets = live.budgetsFile() == null ? List.of()
        : BudgetFile.load(live.budgetsFile());
    List<WebhookTarget> targets = new ArrayList<>();
    for (String w : live.alertWebhooks()) {
      targets.add(WebhookTarget.parse(w));
    }
    String store = live.budgetStore() == null ? null : RedisSpendStore.check(live.budgetStore());
    if (store != null && budgets.isEmpty()) {
      throw new IllegalArgumentException("--budget-store needs --budgets FILE");
    }
    return new Plan(budgets, targets, store, live.evaluateEvery(), live.clock(),
        RunawayDetector.Settings.withMultiple(live.runawayMultiple()));
  }

  /**
   * Builds the ledger from the lake (the write-ahead log's rows follow through
   * {@link #accepted}) and starts evaluating.
   */
  public static LiveControl start(Plan plan, Rollup lake, Path dataDir, String instanceId)
      throws IOException {
    SpendLedger ledger = new SpendLedger(plan.budgets(),
        SpendLedger.defaultMaxWorkflows(Runtime.getRuntime().maxMemory()));
    if (!plan.budgets().isEmpty()) {
      try (Connection c = lake.open()) {
        LakeSpendLoader.Loaded loaded = LakeSpendLoader.load(c, ledger, plan.clock().instant());
        LOG.info("budgets: " + plan.budgets().size() + " budget(s); spend of this month rebuilt"
            + " from the lake (" + loaded.calls() + " priced calls of " + loaded.workflows()
            + " workflow root spans)");
      } catch (java.sql.SQLException | IOException | RuntimeException e) {
        // Refusing to start would stop ingestion too; the spend shown is then a lower bound.
        LOG.log(Level.SEVERE, "budgets: could not read this month's spend from the lake ("
            + e.getClass().getSimpleName() + "); budget spend counts only what arrives from now"
            + " on until the next start", e);
      }
    }
    RedisSpendStore store = null;
    BudgetBoard board;
    FiredAlerts fired = FiredAlerts.load(dataDir.resolve("alerts-fired"), plan.clock());
    AlertClaims claims = fired;
    if (plan.budgetStore() != null) {
      RedisSpendStore shared = new RedisSpendStore(plan.budgetStore(), plan.clock(),
          Duration.ofSeconds(2));
      store = shared;
      // after the lake was read: only live credits go to the store (the lake's are there)
      ledger.onCredit(shared::credited);
      board = new BudgetBoard(plan.budgets(), c -> shared.spend(c, ledger.spend(c)),
          plan.clock());
      shared.watch(board.statuses().stream().map(BudgetBoard.Status::counter).toList());
      shared.start(Duration.ofSeconds(1));
      claims = shared.claims(fired);
    } else {
      board = new BudgetBoard(plan.budgets(), ledger::spend, plan.clock());
    }
    WebhookSender sender = new WebhookSender(plan.webhooks(), instanceId, 1000,
        Duration.ofSeconds(1));
    BudgetAlerter alerter = new BudgetAlerter(board, claims, sender::send);
    BurnRateDetector burn = new BurnRateDetector(BurnRateDetector.Settings.defaults(),
        plan.clock(), claims, sender::send);
    ledger.onIntentSpend(burn::spent);
    RunawayDetector runaway = new RunawayDetector(plan.runaway(), plan.clock(), claims,
        sender::send);
    if (!plan.budgets().isEmpty() || !plan.webhooks().isEmpty()) {
      // without either nothing is tracked (LiveControl is off), so there is nothing to judge
      loadBaselines(lake, runaway, plan.clock().instant());
    }
    CapBreachAlerter breaches = new CapBreachAlerter(plan.clock(), claims, sender::send,
        runaway);
    ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "flowcost-budgets");
      t.setDaemon(true);
      return t;
    });
    LiveControl live = new LiveControl(plan, ledger, board, alerter, burn, runaway, breaches,
        sender, ticker, store);
    if (live.active()) {
      long ms = plan.evaluateEvery().toMillis();
      ticker.scheduleWithFixedDelay(live::tickQuietly, ms, ms, TimeUnit.MILLISECONDS);
    }
    return live;
  }

  /**
   * Serves budget use on {@code GET /metrics} under the names the metrics registry declares:
   * spend, limit (the hard cap, or the soft cap without one) and their ratio, per budget.
   */
  public void registerMetrics(MetricsRegistry registry) {
    if (plan.budgets().isEmpty()) {
      return;
    }
    registry.gauge(MetricsRegistry.BUDGET_SPEND_USD, "Budget spend in the current period, USD.",
        MetricsRegistry.BUDGET_LABELS, () -> samples(s -> s.spendUsd().doubleValue()));
    registry.gauge(MetricsRegistry.BUDGET_LIMIT_USD,
        "Budget limit for the period (hard cap, else soft cap), USD.",
        MetricsRegistry.BUDGET_LABELS,
        () -> samples(s -> s.budget().alertLimit().doubleValue()));
    registry.gauge(MetricsRegistry.BUDGET_USED_RATIO,
        "Budget spend / limit in the current period (1 = limit reached).",
        MetricsRegistry.BUDGET_LABELS,
        () -> samples(s -> s.spendUsd().divide(s.budget().alertLimit(),
            java.math.MathContext.DECIMAL64).doubleValue()));
  }

  private List<MetricsRegistry.Sample> samples(
      java.util.function.ToDoubleFunction<BudgetBoard.Status> value) {
    List<MetricsRegistry.Sample> out = new ArrayList<>();
    for (BudgetBoard.Status s : board.statuses()) {
      out.add(new MetricsRegistry.Sample(List.of(s.budget().ownerKey(), s.budget().owner(),
          s.budget().period().label()), value.applyAsDouble(s)));
    }
    return out;
  }

  /** Rebuilds the runaway baselines from the lake's finished workflows; a failure is logged. */
  private static void loadBaselines(Rollup lake, RunawayDetector runaway, java.time.Instant now) {
    try (Connection c = lake.open()) {
      long n = RunawayBaselineLoader.load(c, runaway, now);
      LOG.info("runaway alerts: baselines rebuilt from " + n + " finished workflows of the"
          + " last " + RunawayBaselineLoader.DAYS + " days");
    } catch (java.sql.SQLException | IOException | RuntimeException e) {
      LOG.log(Level.WARNING, "runaway alerts: could not read finished workflows from the lake ("
          + e.getClass().getSimpleName() + "); baselines start empty and fill as workflows"
          + " finish", e);
    }
  }

  /**
   * Hears of rows the pipeline newly accepted (or replayed from its log at start): budget spend,
   * running workflows (calls first, then roots, so a workflow arriving whole counts in its
   * baseline) and cap breaches.
   */
  @Override
  public void accepted(List<LakeRecord> rows) {
    if (!active()) {
      return;
    }
    ledger.accepted(rows);
    for (LakeRecord r : rows) {
      if (r instanceof CallRecord c && !c.repeatedReport()) {
        runaway.call(c.workflowId(), c.startTime(),
            c.costUsd() == null ? 0 : SpendLedger.nanos(c.costUsd()));
      } else if (r instanceof CapBreachRecord b) {
        breaches.breached(b);
      }
    }
    for (LakeRecord r : rows) {
      if (r instanceof WorkflowSpanRecord w) {
        runaway.finished(w.workflowId(), w.workflowName());
      }
    }
  }

  /** Call spans named their running workflows: owners and intents are known from now on. */
  @Override
  public void hinted(List<WorkflowHint> hints) {
    if (!active()) {
      return;
    }
    ledger.hinted(hints);
    for (WorkflowHint h : hints) {
      runaway.named(h.workflowId(), h.workflowName());
    }
  }

  /** True with budgets or webhooks (burn-rate alerts need no budget). */
  private boolean active() {
    return !plan.budgets().isEmpty() || !plan.webhooks().isEmpty();
  }

  private void tickQuietly() {
    try {
      tick();
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "budget evaluation failed: " + e, e);
    }
  }

  /** Evaluates budgets now: sends the alerts due. Called by the ticker; tests call it directly. */
  public void tick() {
    ledger.prune(plan.clock().instant());
    if (store != null) {
      // the period may have rolled: read the new periods' counters from now on
      store.watch(board.statuses().stream().map(BudgetBoard.Status::counter).toList());
    }
    alerter.tick();
    burn.tick();
    runaway.tick();
    breaches.tick();
  }

  /**
   * Sends waiting credits to the shared store and reads its counters now (the store's thread
   * does this every second; tests call it to be deterministic). No-op without a store.
   */
  public void syncStore() {
    if (store != null) {
      store.sync();
    }
  }

  /** The state of the budget counters' store, for {@code /health}. */
  public String storeState() {
    return store == null ? "local" : store.describe();
  }

  /** True unless a shared store is configured and unreachable. */
  public boolean storeUp() {
    return store == null || store.up();
  }

  /** Budget status (what {@code /v1/budgets} serves). */
  public BudgetBoard board() {
    return board;
  }

  /** The spend ledger. */
  public SpendLedger ledger() {
    return ledger;
  }

  /** The runaway-workflow detector. */
  public RunawayDetector runaway() {
    return runaway;
  }

  /** The webhook sender (delivery counters). */
  public WebhookSender sender() {
    return sender;
  }

  /** Sends an alert raised elsewhere (e.g. a cap breach) through the webhooks. */
  public void alert(Alert alert) {
    sender.send(alert);
  }

  @Override
  public void close() {
    ticker.shutdownNow();
    if (store != null) {
      store.close();
    }
    sender.close();
  }
}
