package io.flowcost.collector.budget;

import static org.assertj.core.api.Assertions.assertThat;

import io.flowcost.collector.ingest.IngestBatch;
import io.flowcost.collector.metrics.CollectorMetrics;
import io.flowcost.collector.metrics.MetricsRegistry;
import io.flowcost.collector.metrics.MetricsSettings;
import io.flowcost.collector.ingest.SpanInterpreter;
import io.flowcost.collector.otlp.OtlpTraceDecoder;
import io.flowcost.collector.pipeline.CatalogCallCoster;
import io.flowcost.collector.pipeline.Pipeline;
import io.flowcost.pricing.CallPricer;
import io.flowcost.pricing.PriceCatalog;
import io.flowcost.collector.sink.CoverageCounters;
import io.flowcost.collector.sink.LakeFlusher;
import io.flowcost.collector.wal.WriteAheadLog;
import io.flowcost.lake.LakeWriter;
import io.flowcost.lake.store.LocalDirectoryStore;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Spend accepted but not yet in the lake when the collector dies is rebuilt from the write-ahead
 * log: the next run's ledger, fed by the replay, has the same spend.
 */
class LedgerReplayTest {

  @TempDir Path tmp;
  private final Clock clock = Clock.systemUTC();
  private final Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
  private final List<Budget> budgets = BudgetFile.parse("b",
      List.of("team=payments month hard=10", "team=payments day hard=5"));

  @Test
  void aCrashBeforeTheFlushLosesNoBudgetSpend() throws Exception {
    Path data = tmp.resolve("data");
    Path lake = tmp.resolve("lake");
    SpendLedger before = new SpendLedger(budgets, 1000);
    Pipeline first = pipeline(data, lake);
    first.onAccepted(before::accepted);
    first.start();
    // one workflow complete, one whose root span arrives in a later request
    accept(first, Otlp.root(now, "a1", "1111111111111100", "payments"));
    accept(first, Otlp.call(now, "a1", "1111111111111101"));
    accept(first, Otlp.call(now, "b1", "2222222222222201"));
    accept(first, Otlp.root(now, "b1", "2222222222222200", "payments"));
    accept(first, Otlp.call(now, "b1", "2222222222222201")); // a resend: counted once
    OwnerPeriod month = new OwnerPeriod("team", "payments", BudgetPeriod.MONTH,
        BudgetPeriod.MONTH.idOf(now));
    OwnerPeriod day = new OwnerPeriod("team", "payments", BudgetPeriod.DAY,
        BudgetPeriod.DAY.idOf(now));
    assertThat(SpendLedger.usd(before.spend(month))).isEqualByComparingTo("0.90");
    assertThat(SpendLedger.usd(before.spend(day))).isEqualByComparingTo("0.90");
    // killed: never closed, nothing flushed to the lake

    SpendLedger after = new SpendLedger(budgets, 1000);
    Pipeline second = pipeline(data, lake);
    second.onAccepted(after::accepted);
    assertThat(second.start()).isEqualTo(4);
    assertThat(after.spend(month)).isEqualTo(before.spend(month));
    assertThat(after.spend(day)).isEqualTo(SpendLedger.nanos(new java.math.BigDecimal("0.9")));
    assertThat(after.pendingWorkflows()).isZero();
    second.close();
  }

  /**
   * /metrics counts each row in the process that accepted it: the run after a crash does not
   * count the replayed rows again, so what the two runs' counters added (what Prometheus's
   * increase() over the counter reset sums) equals what reaches the lake, $0.45 per call.
   */
  @Test
  void metricsOfTheRunsBeforeAndAfterACrashAddUpToTheLake() throws Exception {
    Path data = tmp.resolve("data");
    Path lake = tmp.resolve("lake");
    MetricsRegistry firstRegistry = new MetricsRegistry(20);
    Pipeline first = pipeline(data, lake);
    first.onAccepted(new CollectorMetrics(firstRegistry, MetricsSettings.DEFAULTS, clock));
    first.start();
    accept(first, Otlp.call(now, "a1", "1111111111111101"));
    accept(first, Otlp.root(now, "a1", "1111111111111100", "payments"));
    accept(first, Otlp.call(now, "b1", "2222222222222201"));
    assertThat(spend(firstRegistry, "flowcost_spend_usd_total")).isEqualTo(0.90);
    // killed: never closed, nothing flushed to the lake

    MetricsRegistry secondRegistry = new MetricsRegistry(20);
    Pipeline second = pipeline(data, lake);
    second.onAccepted(new CollectorMetrics(secondRegistry, MetricsSettings.DEFAULTS, clock));
    assertThat(second.start()).isEqualTo(3);
    assertThat(secondRegistry.render()).doesNotContain("flowcost_spend_usd_total{");
    // b1's root arrives after the restart: the replayed call was counted by the first run
    accept(second, Otlp.root(now, "b1", "2222222222222200", "payments"));
    accept(second, Otlp.call(now, "b1", "2222222222222202"));
    assertThat(spend(secondRegistry, "flowcost_spend_usd_total")).isEqualTo(0.45);
    // a replayed root still names its workflow for calls after the restart
    accept(second, Otlp.call(now, "a1", "1111111111111102"));
    assertThat(spend(secondRegistry,
        "flowcost_intent_spend_usd_total{intent=\"answer\",team=\"payments\",service=\"bot\"")
    ).isEqualTo(0.90);
    second.close(); // flushes all four calls to the lake

    try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:duckdb:");
        java.sql.Statement st = c.createStatement();
        java.sql.ResultSet rs = st.executeQuery("SELECT sum(cost_usd) FROM read_parquet('"
            + lake.resolve("calls").toString().replace("'", "''") + "/**/*.parquet')")) {
      rs.next();
      BigDecimal inLake = rs.getBigDecimal(1);
      assertThat(inLake).isEqualByComparingTo("1.80");
      assertThat(spend(firstRegistry, "flowcost_spend_usd_total")
          + spend(secondRegistry, "flowcost_spend_usd_total"))
          .isCloseTo(inLake.doubleValue(), org.assertj.core.api.Assertions.within(1e-9));
    }
  }

  /** The sum of a family's samples in a registry's exposition. */
  private static double spend(MetricsRegistry registry, String family) {
    String prefix = family.contains("{") ? family : family + "{";
    return registry.render().lines().filter(l -> l.startsWith(prefix))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
  }

  private static void accept(Pipeline p, String json) throws Exception {
    IngestBatch batch = new SpanInterpreter(Clock.systemUTC()).interpret(
        OtlpTraceDecoder.decode(json.getBytes(StandardCharsets.UTF_8), "application/json"));
    p.acceptSpans(batch).get(10, TimeUnit.SECONDS);
  }

  private Pipeline pipeline(Path data, Path lake) throws Exception {
    Files.createDirectories(lake);
    LocalDirectoryStore store = new LocalDirectoryStore(lake);
    CallPricer pricer = new CallPricer(PriceCatalog.bundled());
    return new Pipeline(new Pipeline.Settings(Duration.ofHours(1), 1_000_000, 1_000_000, 100_000),
        new WriteAheadLog(data.resolve("wal")),
        new LakeFlusher(new LakeWriter(store, "t"), "t", clock),
        new CatalogCallCoster(() -> pricer), (ids, keys, days) -> { }, new CoverageCounters(),
        clock, new Pipeline.Durability(data, store));
  }
}
