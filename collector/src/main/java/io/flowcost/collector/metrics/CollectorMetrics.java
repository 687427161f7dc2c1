package io.flowcost.collector.metrics;

import io.flowcost.collector.ingest.CallRecord;
import io.flowcost.collector.ingest.LakeRecord;
import io.flowcost.collector.ingest.OutcomeRecord;
import io.flowcost.collector.ingest.Usage;
import io.flowcost.collector.ingest.WorkflowHint;
import io.flowcost.collector.ingest.WorkflowSpanRecord;
import io.flowcost.collector.metrics.MetricsRegistry.Counter;
import io.flowcost.collector.metrics.MetricsRegistry.Sample;
import io.flowcost.collector.pipeline.Pipeline;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The collector's own metrics (docs/metrics.md lists each one): what it accepts and prices,
 * attributed to intents and teams once a workflow's root span is known, and its health.
 *
 * <p>Business figures are counted from the rows the pipeline accepted (priced, de-duplicated,
 * durable: {@link Pipeline.AcceptListener}), so they add up to what the lake receives. Rows
 * replayed from the write-ahead log at start are not counted again: the process that accepted
 * them counted them, and Prometheus's {@code increase()} across the restart's counter reset
 * already holds what it scraped; counting them twice would make the sum exceed the lake's. A
 * replayed root span still names its workflow for later calls.
 * Spend is counted in nano-dollars (the lake's DECIMAL(18,9)) and written in USD with nine
 * decimals.
 *
 * <p>The agent copies its workflow's name and tags onto call spans ({@code hinted}), so a
 * call's spend is counted under its intent and team when it arrives. Calls without them (other
 * producers, older agents) wait, per workflow, until the root span arrives (then they are
 * counted under the root's intent and team) or until {@code attributionWait} passes (then they
 * are counted as intent {@value #UNATTRIBUTED}). A workflow is counted under the first name it
 * was given (hint or root), so its spend is never counted twice. The per-model families do not
 * wait.
 */
public final class CollectorMetrics implements Pipeline.AcceptListener {

  /** The intent of spend whose workflow's root span did not arrive in time. */
  public static final String UNATTRIBUTED = "unattributed";
  /** Workflows whose intent is remembered for later calls, and workflows held pending. */
  static final int MAX_TRACKED_WORKFLOWS = 100_000;
  private static final long NANOS_PER_USD = 1_000_000_000L;

  /** A workflow's labels, from its root span. */
  private record Attribution(String intent, String team, String service) {}

  /** Spend of one workflow waiting for its root span. */
  private static final class Held {
    final long since;
    final String service;
    long spendNanos;
    long calls;
    long wasteNanos;
    long unpriced;

    Held(long since, String service) {
      this.since = since;
      this.service = service;
    }
  }

  private final MetricsRegistry registry;
  private final MetricsSettings settings;
  private final Clock clock;

  private final Counter spend;
  private final Counter tokens;
  private final Counter calls;
  private final Counter unpriced;
  private final Counter usageMissing;
  private final Counter waste;
  private final Counter intentSpend;
  private final Counter intentCalls;
  private final Counter intentWaste;
  private final Counter intentUnpriced;
  private final Counter workflows;
  private final Counter outcomes;
  private final Counter requests;
  private final Counter rejectedRequests;
  private final Counter rejectedSpans;

  private final Object lock = new Object();
  private final LinkedHashMap<String, Attribution> known =
      new LinkedHashMap<>(1024, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Attribution> e) {
          return size() > MAX_TRACKED_WORKFLOWS;
        }
      };
  private final LinkedHashMap<String, Held> held = new LinkedHashMap<>();

  /** Registers the business and request metrics in {@code registry}. */
  public CollectorMetrics(MetricsRegistry registry, MetricsSettings settings, Clock clock) {
    this.registry = registry;
    this.settings = settings;
    this.clock = clock;
    spend = registry.scaledCounter("flowcost_spend_usd_total",
        "Cost of accepted calls in USD (exact to 1e-9 as written), by service, model and kind",
        NANOS_PER_USD, "service", "model", "kind");
    tokens = registry.counter("flowcost_tokens_total",
        "Tokens of accepted calls by type: input (includes cache_read and cache_write), output"
            + " (includes reasoning), cache_read, cache_write",
        "service", "model", "type");
    calls = registry.counter("flowcost_calls_total",
        "Accepted call attempts by service, model, kind (model, embedding, tool, retrieval,"
            + " http) and status (ok, error)",
        "service", "model", "kind", "status");
    unpriced = registry.counter("flowcost_unpriced_calls_total",
        "Accepted calls the price catalog could not price (cost unknown, not zero)",
        "service", "model");
    usageMissing = registry.counter("flowcost_usage_missing_calls_total",
        "Answered model and embedding calls whose producer reported no usage and no estimate"
            + " (e.g. an OpenAI stream without stream_options.include_usage reported by another"
            + " producer than the Flowcost agent): unpriced, their cost unknown, by service and model",
        "service", "model");
    waste = registry.scaledCounter("flowcost_waste_usd_total",
        "Failure waste known at ingest, USD: cost of discarded attempts and failed steps by"
            + " cause (a failed outcome's waste is known only at rollup, in the lake)",
        NANOS_PER_USD, "service", "model", "cause");
    intentSpend = registry.scaledCounter("flowcost_intent_spend_usd_total",
        "Cost of accepted calls in USD by their workflow's intent and team (counted when the"
            + " call arrives when the agent named its workflow on it, else once the workflow's"
            + " root span is known; intent=\"unattributed\" when neither came)",
        NANOS_PER_USD, "intent", "team", "service");
    intentCalls = registry.counter("flowcost_intent_calls_total",
        "Accepted call attempts by their workflow's intent and team", "intent", "team", "service");
    intentWaste = registry.scaledCounter("flowcost_intent_waste_usd_total",
        "Failure waste known at ingest (discarded attempts, failed steps) in USD by intent and"
            + " team", NANOS_PER_USD, "intent", "team", "service");
    intentUnpriced = registry.counter("flowcost_intent_unpriced_calls_total",
        "Unpriced calls by their workflow's intent and team", "intent", "team", "service");
    workflows = registry.counter("flowcost_workflows_total",
        "Workflow root spans accepted (workflows ended) by intent and team",
        "intent", "team", "service");
    outcomes = registry.counter("flowcost_outcomes_total",
        "Outcome reports accepted by status (success, failure, partial, …)", "status");
    requests = registry.counter("flowcost_http_requests_total",
        "HTTP requests answered by route and status code", "route", "code");
    rejectedRequests = registry.counter("flowcost_rejected_requests_total",
        "HTTP requests refused, by route and reason (bad_input, unauthorized, too_large,"
            + " timeout, conflict, overloaded, storage_error, shutting_down, not_found)",
        "route", "reason");
    rejectedSpans = registry.counter("flowcost_rejected_spans_total",
        "Spans refused inside otherwise accepted requests, by reason", "reason");
    registry.gauge("flowcost_attribution_pending_workflows",
        "Workflows with accepted calls whose root span has not arrived yet", List.of(),
        () -> {
          synchronized (lock) {
            expire();
            return List.of(Sample.of(held.size()));
          }
        });
    registry.gauge("flowcost_attribution_pending_usd",
        "Spend of those workflows in USD, not yet in flowcost_intent_spend_usd_total", List.of(),
        () -> {
          synchronized (lock) {
            expire();
            long n = 0;
            for (Held h : held.values()) {
              n += h.spendNanos;
            }
            return List.of(Sample.of(n / (double) NANOS_PER_USD));
          }
        });
  }

  /**
   * Registers the collector's health gauges, read at scrape time.
   *
   * @param dataDir the collector's data dir (write-ahead log in {@code wal/}, quarantine in
   *     {@code quarantine/})
   */
  public void registerHealth(Pipeline pipeline, Path dataDir, long maxBufferedRows) {
    registry.gauge("flowcost_buffered_rows",
        "Rows accepted (durable in the write-ahead log) and not yet published to the lake",
        pipeline::bufferedRows);
    registry.gauge("flowcost_buffered_rows_limit",
        "Buffered rows at which requests are refused with 503 (--max-buffered-rows)",
        () -> maxBufferedRows);
    registry.gauge("flowcost_wal_queue_requests",
        "Requests waiting for the write-ahead log's next group commit",
        pipeline::queuedRequests);
    registry.gauge("flowcost_wal_bytes", "Bytes of write-ahead log segments in the data dir",
        () -> DirectorySize.of(dataDir.resolve("wal")));
    registry.gauge("flowcost_quarantine_bytes",
        "Bytes of quarantined rows (rows the lake can never store) in the data dir",
        () -> DirectorySize.of(dataDir.resolve("quarantine")));
    registry.gauge("flowcost_last_successful_flush_timestamp_seconds",
        "When the last flush to the lake finished with nothing left to retry (Unix time)",
        () -> pipeline.lastSuccessfulFlushMillis() / 1000.0);
    registry.gauge("flowcost_flush_lag_seconds",
        "Seconds since the last successful flush to the lake (alert above twice"
            + " --flush-interval)",
        () -> Math.max(0, clock.millis() - pipeline.lastSuccessfulFlushMillis()) / 1000.0);
    registry.gauge("flowcost_flush_failures", "Flushes to the lake that failed since start"
        + " (rows are kept and retried)", pipeline::flushFailures);
    registry.gauge("flowcost_overloaded",
        "1 while the buffer is full and requests are refused with 503, else 0",
        () -> pipeline.overloaded() ? 1 : 0);
  }

  /** The registry these metrics are in. */
  public MetricsRegistry registry() {
    return registry;
  }

  /** The {@code /metrics} settings. */
  public MetricsSettings settings() {
    return settings;
  }

  /** Counts one answered request. {@code route} must come from a fixed set. */
  public void request(String route, int status) {
    requests.inc(route, Integer.toString(status));
  }

  /** Counts one refused request. {@code route} and {@code reason} come from fixed sets. */
  public void rejected(String route, String reason) {
    rejectedRequests.inc(route, reason);
  }

  /** Counts spans refused inside an accepted request, by reason code. */
  public void rejectedSpans(Map<String, Integer> byReason) {
    byReason.forEach((reason, n) -> rejectedSpans.add(n, reason));
  }

  @Override
  public void accepted(List<LakeRecord> rows) {
    synchronized (lock) {
      // roots first, so calls that arrive with their root are attributed at once
      for (LakeRecord r : rows) {
        if (r instanceof WorkflowSpanRecord w) {
          root(w);
        }
      }
      // in arrival order: label values beyond the bound become "other" in the order they came
      Map<CallLabels, PerLabels> perLabels = new LinkedHashMap<>();
      for (LakeRecord r : rows) {
        if (r instanceof CallRecord c) {
          call(c, perLabels);
        } else if (r instanceof OutcomeRecord o) {
          outcomes.inc(o.status());
        }
      }
      perLabels.forEach(this::count);
      expire();
    }
  }

  /** Roots of an earlier run name their workflows; nothing is counted again. */
  @Override
  public void replayed(List<LakeRecord> rows) {
    synchronized (lock) {
      for (LakeRecord r : rows) {
        if (r instanceof WorkflowSpanRecord w && !known.containsKey(w.workflowId())) {
          String team = w.tags().get(settings.teamTag());
          known.put(w.workflowId(),
              new Attribution(w.workflowName(), team == null ? "" : team, w.service()));
        }
      }
    }
  }

  /** Call spans named their running workflows: their spend is attributed from now on. */
  @Override
  public void hinted(List<WorkflowHint> hints) {
    synchronized (lock) {
      for (WorkflowHint h : hints) {
        if (known.containsKey(h.workflowId())) {
          continue;
        }
        String team = h.tags().get(settings.teamTag());
        Attribution a = new Attribution(h.workflowName(), team == null ? "" : team, h.service());
        known.put(h.workflowId(), a);
        Held held = this.held.remove(h.workflowId());
        if (held != null) {
          count(a, held);
        }
      }
    }
  }

  private void root(WorkflowSpanRecord w) {
    String team = w.tags().get(settings.teamTag());
    Attribution a = new Attribution(w.workflowName(), team == null ? "" : team, w.service());
    workflows.inc(a.intent(), a.team(), a.service());
    if (known.containsKey(w.workflowId())) {
      return; // a second root span (e.g. a foreign root beside ours): the first one names it
    }
    known.put(w.workflowId(), a);
    Held h = held.remove(w.workflowId());
    if (h != null) {
      count(a, h);
    }
  }

  /** The labels of the per-model families a call is counted under. */
  private record CallLabels(String service, String model, String kind, String status) {}

  /**
   * What the calls of one accepted batch with the same labels add to the per-model families:
   * counted per batch, then added once per label set, so a request of 1,000 calls of one model
   * costs one labelled-series lookup per family instead of one per call (same sums).
   */
  private static final class PerLabels {
    long calls;
    long priced;
    long spendNanos;
    long unpriced;
    long usageMissing;
    long withUsage;
    long input;
    long output;
    long cacheRead;
    long cacheWrite;
    /** Waste by cause (a call's waste cause is one of a few words). */
    Map<String, Long> waste;
  }

  private void count(CallLabels l, PerLabels n) {
    calls.add(n.calls, l.service(), l.model(), l.kind(), l.status());
    if (n.unpriced > 0) {
      unpriced.add(n.unpriced, l.service(), l.model());
    }
    if (n.usageMissing > 0) {
      usageMissing.add(n.usageMissing, l.service(), l.model());
    }
    if (n.priced > 0) {
      spend.add(n.spendNanos, l.service(), l.model(), l.kind());
    }
    if (n.waste != null) {
      n.waste.forEach((cause, nanos) -> waste.add(nanos, l.service(), l.model(), cause));
    }
    if (n.withUsage > 0) {
      tokens.add(n.input, l.service(), l.model(), "input");
      tokens.add(n.output, l.service(), l.model(), "output");
      tokens.add(n.cacheRead, l.service(), l.model(), "cache_read");
      tokens.add(n.cacheWrite, l.service(), l.model(), "cache_write");
    }
  }

  private void call(CallRecord c, Map<CallLabels, PerLabels> perLabels) {
    String model = c.responseModel() != null ? c.responseModel()
        : c.requestModel() != null ? c.requestModel() : "";
    long nanos = nanos(c.costUsd());
    long wasteNanos = c.wasted() ? nanos : 0;
    PerLabels n = perLabels.computeIfAbsent(
        new CallLabels(c.service(), model, c.kind(), c.status()), k -> new PerLabels());
    n.calls++;
    if (c.unpriced()) {
      n.unpriced++;
      if (c.usage() == null && !"error".equals(c.status())
          && ("model".equals(c.kind()) || "embedding".equals(c.kind()))) {
        n.usageMissing++;
      }
    } else {
      n.priced++;
      n.spendNanos = Math.addExact(n.spendNanos, nanos);
    }
    if (wasteNanos > 0) {
      if (n.waste == null) {
        n.waste = new HashMap<>();
      }
      n.waste.merge(c.wasteCause(), wasteNanos, Math::addExact);
    }
    Usage u = c.usage();
    if (u != null) {
      n.withUsage++;
      n.input = Math.addExact(n.input, u.input());
      n.output = Math.addExact(n.output, u.output());
      n.cacheRead = Math.addExact(n.cacheRead, u.cacheRead());
      n.cacheWrite = Math.addExact(n.cacheWrite, u.cacheWrite());
    }
    Attribution a = known.get(c.workflowId());
    Held h = new Held(clock.millis(), c.service());
    if (a == null) {
      Held earlier = held.get(c.workflowId());
      if (earlier == null) {
        if (held.size() >= MAX_TRACKED_WORKFLOWS) {
          evictOldest();
        }
        held.put(c.workflowId(), h);
      } else {
        h = earlier;
      }
    }
    h.calls++;
    h.spendNanos += nanos;
    h.wasteNanos += wasteNanos;
    h.unpriced += c.unpriced() ? 1 : 0;
    if (a != null) {
      count(a, h);
    }
  }

  private void count(Attribution a, Held h) {
    intentCalls.add(h.calls, a.intent(), a.team(), a.service());
    intentSpend.add(h.spendNanos, a.intent(), a.team(), a.service());
    if (h.wasteNanos > 0) {
      intentWaste.add(h.wasteNanos, a.intent(), a.team(), a.service());
    }
    if (h.unpriced > 0) {
      intentUnpriced.add(h.unpriced, a.intent(), a.team(), a.service());
    }
  }

  /** Counts held spend whose root did not come within the wait as unattributed. */
  private void expire() {
    long cutoff = clock.millis() - settings.attributionWait().toMillis();
    Iterator<Map.Entry<String, Held>> it = held.entrySet().iterator();
    while (it.hasNext()) {
      Held h = it.next().getValue();
      if (h.since > cutoff) {
        break; // insertion order = age order
      }
      it.remove();
      count(new Attribution(UNATTRIBUTED, "", h.service), h);
    }
  }

  private void evictOldest() {
    Iterator<Map.Entry<String, Held>> it = held.entrySet().iterator();
    Held h = it.next().getValue();
    it.remove();
    count(new Attribution(UNATTRIBUTED, "", h.service), h);
  }

  private static long nanos(BigDecimal usd) {
    if (usd == null) {
      return 0;
    }
    // the lake stores DECIMAL(18,9): nano-dollars are exact
    return usd.movePointRight(9).setScale(0, java.math.RoundingMode.HALF_EVEN).longValueExact();
  }
}
