package io.flowcost.collector;

import io.flowcost.collector.budget.LiveControl;
import io.flowcost.collector.metrics.CollectorMetrics;
import io.flowcost.collector.metrics.MetricsRegistry;
import io.flowcost.collector.metrics.MetricsSettings;
import io.flowcost.collector.pipeline.CatalogCallCoster;
import io.flowcost.collector.pipeline.Pipeline;
import io.flowcost.pricing.CallPricer;
import io.flowcost.pricing.PriceCatalog;
import io.flowcost.collector.pricing.PriceCatalogWatcher;
import io.flowcost.collector.rollup.Rollup;
import io.flowcost.collector.rollup.RollupScheduler;
import io.flowcost.collector.server.ApiKeys;
import io.flowcost.collector.server.CollectorServer;
import io.flowcost.collector.sink.CoverageCounters;
import io.flowcost.collector.sink.LakeFlusher;
import io.flowcost.collector.status.CollectorStatus;
import io.flowcost.collector.status.DurationText;
import io.flowcost.collector.wal.WriteAheadLog;
import io.flowcost.lake.LakeWriter;
import io.flowcost.lake.store.LakeStore;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * A running collector: HTTP server, write path and rollup, wired together. Used by
 * {@code serve} and by tests that embed a collector.
 */
public final class Collector implements AutoCloseable {

  private static final Logger LOG = Logger.getLogger(Collector.class.getName());

  /** Everything a collector needs to start. */
  public record Config(
      String host,
      int port,
      LakeStore store,
      String lakeUri,
      Path lakeReadRoot,
      Path dataDir,
      Path pricesFile,
      Path apiKeysFile,
      Duration flushInterval,
      Duration rollupDelay,
      long maxBodyBytes,
      long maxBufferedRows,
      int horizonDays,
      String instanceId,
      Path tlsCert,
      Path tlsKey,
      Duration requestTimeout,
      long maxInFlightBodyBytes,
      MetricsSettings metrics) {

    /** Default {@code /metrics} settings ({@link MetricsSettings#DEFAULTS}). */
    public Config(String host, int port, LakeStore store, String lakeUri, Path lakeReadRoot,
        Path dataDir, Path pricesFile, Path apiKeysFile, Duration flushInterval,
        Duration rollupDelay, long maxBodyBytes, long maxBufferedRows, int horizonDays,
        String instanceId, Path tlsCert, Path tlsKey, Duration requestTimeout,
        long maxInFlightBodyBytes) {
      this(host, port, store, lakeUri, lakeReadRoot, dataDir, pricesFile, apiKeysFile,
          flushInterval, rollupDelay, maxBodyBytes, maxBufferedRows, horizonDays, instanceId,
          tlsCert, tlsKey, requestTimeout, maxInFlightBodyBytes, MetricsSettings.DEFAULTS);
    }

    /**
     * Everything but the in-flight bound, which gets its default ({@link
     * #defaultMaxInFlightBodyBytes}), and the {@code /metrics} settings (defaults).
     */
    public Config(String host, int port, LakeStore store, String lakeUri, Path lakeReadRoot,
        Path dataDir, Path pricesFile, Path apiKeysFile, Duration flushInterval,
        Duration rollupDelay, long maxBodyBytes, long maxBufferedRows, int horizonDays,
        String instanceId, Path tlsCert, Path tlsKey, Duration requestTimeout) {
      this(host, port, store, lakeUri, lakeReadRoot, dataDir, pricesFile, apiKeysFile,
          flushInterval, rollupDelay, maxBodyBytes, maxBufferedRows, horizonDays, instanceId,
          tlsCert, tlsKey, requestTimeout, 0, MetricsSettings.DEFAULTS);
    }

    /** A plain-HTTP collector with a 30 s request timeout. */
    public Config(String host, int port, LakeStore store, String lakeUri, Path lakeReadRoot,
        Path dataDir, Path pricesFile, Path apiKeysFile, Duration flushInterval,
        Duration rollupDelay, long maxBodyBytes, long maxBufferedRows, int horizonDays,
        String instanceId) {
      this(host, port, store, lakeUri, lakeReadRoot, dataDir, pricesFile, apiKeysFile,
          flushInterval, rollupDelay, maxBodyBytes, maxBufferedRows, horizonDays, instanceId,
          null, null, Duration.ofSeconds(30), 0, MetricsSettings.DEFAULTS);
    }

    /**
     * The bound on the bytes of request bodies held at once (received, and decompressed) when
     * none is given: an eighth of the maximum heap, and at least twice {@code maxBodyBytes} so
     * that one largest request (compressed and decompressed) always fits.
     */
    public static long defaultMaxInFlightBodyBytes(long maxBodyBytes) {
      return Math.max(2 * maxBodyBytes, Runtime.getRuntime().maxMemory() / 8);
    }

    /** The in-flight bound in force: the one given, or the default. */
    public long inFlightBodyBytes() {
      return maxInFlightBodyBytes > 0 ? maxInFlightBodyBytes
          : defaultMaxInFlightBodyBytes(maxBodyBytes);
    }

    /** Defaults for a local lake in {@code lake} with its data dir in {@code dataDir}. */
    public static Config local(Path lake, Path dataDir, LakeStore store) {
      return new Config("127.0.0.1", 4318, store, lake.toAbsolutePath().toString(),
          lake.toAbsolutePath(), dataDir, null, null, Duration.ofSeconds(60),
          Duration.ofSeconds(5), 16L * 1024 * 1024, 2_000_000L, 7, null);
    }
  }

  /**
   * Live cost control (docs/budgets-and-alerts.md); {@link #NONE} turns it off.
   *
   * @param budgetsFile the budgets file ({@code --budgets}), or {@code null} for none
   * @param alertWebhooks {@code --alert-webhook} values ({@code slack:URL}, {@code json:URL} or
   *     a plain URL for generic JSON)
   * @param budgetStore {@code redis://host:port[/db]} shared by several collectors, or
   *     {@code null}: this collector's counts alone
   * @param evaluateEvery how often budgets are checked for alerts (at most 15 s)
   * @param clock the clock of periods and alerts (tests simulate time with it)
   * @param runawayMultiple how many times its intent's p99 spend or call count a running
   *     workflow must pass to raise a runaway alert ({@code --runaway-multiple}, default
   *     {@link #DEFAULT_RUNAWAY_MULTIPLE})
   */
  public record Live(Path budgetsFile, List<String> alertWebhooks, String budgetStore,
      Duration evaluateEvery, Clock clock, java.math.BigDecimal runawayMultiple) {

    /** The default {@code --runaway-multiple}: 3. */
    public static final java.math.BigDecimal DEFAULT_RUNAWAY_MULTIPLE =
        java.math.BigDecimal.valueOf(3);

    /** No budgets, no alerts. */
    public static final Live NONE = new Live(null, List.of(), null, Duration.ofSeconds(10),
        Clock.systemUTC());

    /** With the default runaway multiple. */
    public Live(Path budgetsFile, List<String> alertWebhooks, String budgetStore,
        Duration evaluateEvery, Clock clock) {
      this(budgetsFile, alertWebhooks, budgetStore, evaluateEvery, clock,
          DEFAULT_RUNAWAY_MULTIPLE);
    }

    public Live {
      if (runawayMultiple == null || runawayMultiple.compareTo(java.math.BigDecimal.ONE) < 0) {
        throw new IllegalArgumentException("--runaway-multiple must be a number >= 1");
      }
      alertWebhooks = List.copyOf(alertWebhooks);
      if (evaluateEvery.compareTo(Duration.ofSeconds(15)) > 0 || evaluateEvery.isNegative()
          || evaluateEvery.isZero()) {
        throw new IllegalArgumentException("budgets are evaluated at least every 15 s");
      }
    }

    /** Budgets from {@code file}, alerts to {@code webhooks}, checked every 10 s. */
    public static Live of(Path file, List<String> webhooks, String budgetStore) {
      return new Live(file, webhooks, budgetStore, Duration.ofSeconds(10), Clock.systemUTC());
    }

    /** As {@link #of(Path, List, String)} with a runaway multiple. */
    public static Live of(Path file, List<String> webhooks, String budgetStore,
        java.math.BigDecimal runawayMultiple) {
      return new Live(file, webhooks, budgetStore, Duration.ofSeconds(10), Clock.systemUTC(),
          runawayMultiple);
    }
  }

  private final Vertx vertx;
  private final Pipeline pipeline;
  private final CollectorMetrics metrics;
  private final RollupScheduler rollups;
  private final CollectorServer server;
  private final PriceCatalogWatcher prices;
  private final int port;
  private final DataDirLock dataDirLock;
  private final Path dataDir;
  private final LiveControl live;
  private boolean closed;

  private Collector(Vertx vertx, Pipeline pipeline, CollectorMetrics metrics,
      RollupScheduler rollups, CollectorServer server, PriceCatalogWatcher prices, int port,
      DataDirLock dataDirLock, Path dataDir, LiveControl live) {
    this.metrics = metrics;
    this.live = live;
    this.dataDirLock = dataDirLock;
    this.dataDir = dataDir;
    this.vertx = vertx;
    this.pipeline = pipeline;
    this.rollups = rollups;
    this.server = server;
    this.prices = prices;
    this.port = port;
  }

  /** Starts a collector and blocks until it listens. */
  public static Collector start(Config config) throws Exception {
    return start(config, Live.NONE);
  }

  /** Starts a collector with budgets and alerts and blocks until it listens. */
  public static Collector start(Config config, Live live) throws Exception {
    Clock clock = Clock.systemUTC();
    // a bad budgets file or webhook is refused before anything starts
    LiveControl.Plan plan = LiveControl.plan(live);
    // Taken first and held until close (or until the OS ends the process): nothing else may
    // touch the write-ahead log of a data dir another collector owns.
    DataDirLock dataDirLock = DataDirLock.acquire(config.dataDir(), config.port());
    try {
      Collector collector = start(config, dataDirLock, clock, plan);
      dataDirLock.listening(collector.port());
      return collector;
    } catch (Exception | Error e) {
      dataDirLock.close();
      throw e;
    }
  }

  private static Collector start(Config config, DataDirLock dataDirLock, Clock clock,
      LiveControl.Plan plan) throws Exception {
    claimDataDir(config.dataDir(), config.lakeUri());
    String instanceId = config.instanceId() != null ? config.instanceId()
        : UUID.randomUUID().toString().substring(0, 8);

    PriceCatalogWatcher prices = null;
    Supplier<CallPricer> pricer;
    if (config.pricesFile() != null) {
      prices = new PriceCatalogWatcher(config.pricesFile(), PriceCatalog.bundled())
          .start(Duration.ofSeconds(2));
      pricer = prices::pricer;
    } else {
      CallPricer fixed = new CallPricer(PriceCatalog.bundled());
      pricer = () -> fixed;
    }
    ApiKeys keys = config.apiKeysFile() == null ? ApiKeys.none() : ApiKeys.load(config.apiKeysFile());

    Rollup rollup = new Rollup(config.lakeReadRoot(), config.store(), instanceId,
        config.horizonDays(), clock);
    RollupScheduler rollups = new RollupScheduler(rollup, config.rollupDelay());
    WriteAheadLog wal = new WriteAheadLog(config.dataDir().resolve("wal"));
    LakeFlusher flusher = new LakeFlusher(new LakeWriter(config.store(), instanceId), instanceId,
        clock);
    Pipeline pipeline = new Pipeline(
        new Pipeline.Settings(config.flushInterval(), 50_000, config.maxBufferedRows(), 2_000_000),
        wal, flusher, new CatalogCallCoster(pricer), rollups, new CoverageCounters(), clock,
        new Pipeline.Durability(config.dataDir(), config.store()));
    MetricsSettings metricsSettings = config.metrics() == null ? MetricsSettings.DEFAULTS
        : config.metrics();
    CollectorMetrics metrics = new CollectorMetrics(
        new MetricsRegistry(metricsSettings.maxLabelValues()), metricsSettings, clock);
    metrics.registerHealth(pipeline, config.dataDir(), config.maxBufferedRows());
    pipeline.onAccepted(metrics);
    LiveControl live = LiveControl.start(plan, rollup, config.dataDir(), instanceId);
    pipeline.onAccepted(live);
    live.registerMetrics(metrics.registry());
    int replayed;
    try {
      replayed = pipeline.start();
    } catch (IOException | RuntimeException e) {
      live.close();
      throw e;
    }
    if (replayed > 0) {
      pipeline.flush();
    }

    Vertx vertx = Vertx.vertx();
    CollectorServer server = new CollectorServer(vertx,
        new CollectorServer.Settings(config.host(), config.port(), config.maxBodyBytes(), 5,
            config.requestTimeout() == null ? Duration.ofSeconds(30) : config.requestTimeout(),
            config.tlsCert(), config.tlsKey(), config.inFlightBodyBytes()),
        pipeline, keys, metrics, clock);
    server.budgets(live);
    server.prices(pricer);
    int port;
    try {
      port = server.start().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      vertx.close();
      pipeline.close();
      live.close();
      throw new IOException("cannot start the HTTP server on " + config.host() + ":"
          + config.port() + " (" + rootMessage(e) + "); if the port is in use, choose another"
          + " --port or stop the process using it", e);
    }
    // report reads this to say when rows not yet in the lake will be flushed
    CollectorStatus.ofThisProcess(clock.instant(), config.flushInterval(), config.lakeUri())
        .write(config.dataDir());
    LOG.info("listening on " + (config.tlsCert() != null ? "https" : "http") + "://"
        + config.host() + ":" + port + " (OTLP/HTTP /v1/traces,"
        + " /v1/outcomes, /health, /metrics); lake " + config.lakeUri() + "; data dir "
        + config.dataDir().toAbsolutePath().normalize() + "; rows reach the lake every "
        + DurationText.of(config.flushInterval()) + " (--flush-interval) and at shutdown;"
        + " catalog " + pricer.get().catalog().version());
    return new Collector(vertx, pipeline, metrics, rollups, server, prices, port, dataDirLock,
        config.dataDir(), live);
  }

  /** A data dir belongs to one lake: refuse to mix two lakes' write-ahead logs. */
  private static void claimDataDir(Path dataDir, String lakeUri) throws IOException {
    Path marker = dataDir.resolve("lake.id");
    if (Files.exists(marker)) {
      String owner = Files.readString(marker, StandardCharsets.UTF_8).strip();
      if (!owner.equals(lakeUri)) {
        throw new IllegalStateException("data dir " + dataDir.toAbsolutePath() + " belongs to lake "
            + owner + ", not " + lakeUri + ": use another --data-dir for this lake");
      }
    } else {
      Files.writeString(marker, lakeUri + "\n", StandardCharsets.UTF_8);
    }
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null) {
      t = t.getCause();
    }
    return t.getClass().getSimpleName() + ": " + t.getMessage();
  }

  /**
   * The registry behind {@code GET /metrics}: collector features register their own figures
   * here ({@link MetricsRegistry#counter}, {@link MetricsRegistry#gauge}).
   */
  public MetricsRegistry metrics() {
    return metrics.registry();
  }

  /** The port the server listens on. */
  public int port() {
    return port;
  }

  /** Flushes buffered rows to the lake now. */
  public void flush() throws IOException {
    pipeline.flush();
  }

  /** Budgets and alerts of this collector. */
  public LiveControl live() {
    return live;
  }

  /** Runs the pending rollup now, on the calling thread. */
  public void rollupNow() throws Exception {
    rollups.runNow();
  }

  /**
   * Stops accepting, flushes everything accepted to the lake, rolls up the affected days, and
   * stops. This is what SIGTERM does.
   */
  @Override
  public synchronized void close() throws Exception {
    if (closed) {
      return;
    }
    closed = true;
    LOG.info("stopping: no new requests; flushing everything accepted to the lake, then rolling up");
    server.stop().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    pipeline.close();
    live.close();
    rollups.close();
    rollups.runNow();
    if (prices != null) {
      prices.close();
    }
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    CollectorStatus.remove(dataDir);
    // Released last: until the lake has everything, the data dir still matters.
    dataDirLock.close();
    LOG.info("stopped: everything accepted is in the lake");
  }
}
