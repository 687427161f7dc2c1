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
import io.flowcost.lake.store.LocalDirectoryStore;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.UncheckedIOException;
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

  /**
   * Everything a collector needs to start. Build one with {@link #builder()}: only the lake
   * ({@link Builder#localLake} or {@link Builder#lake}) and the {@link Builder#dataDir data dir}
   * are required; every other setting has the documented default of its {@code serve} option.
   *
   * <pre>{@code
   * Collector.Config config = Collector.Config.builder()
   *     .localLake(lake)
   *     .dataDir(dataDir)
   *     .port(0)
   *     .build();
   * }</pre>
   */
  public static final class Config {

    /** {@code --host}: loopback only, so that nothing remote reaches a collector by accident. */
    public static final String DEFAULT_HOST = "127.0.0.1";
    /** {@code --port}: the OTLP/HTTP port. */
    public static final int DEFAULT_PORT = 4318;
    /** {@code --flush-interval}. */
    public static final Duration DEFAULT_FLUSH_INTERVAL = Duration.ofSeconds(60);
    /** {@code --rollup-delay}. */
    public static final Duration DEFAULT_ROLLUP_DELAY = Duration.ofSeconds(5);
    /** {@code --max-body}: 16 MiB. */
    public static final long DEFAULT_MAX_BODY_BYTES = 16L * 1024 * 1024;
    /**
     * {@code --max-buffered-rows} at most: the default is {@link #defaultMaxBufferedRows} of the
     * heap, never more than this.
     */
    public static final long DEFAULT_MAX_BUFFERED_ROWS = 2_000_000L;
    /**
     * Heap a buffered row is budgeted at by {@link #defaultMaxBufferedRows}: a priced call row
     * waiting for the flush holds about 1 KB (its strings, maps and boxed values), plus its share
     * of the flush's Parquet buffers.
     */
    static final long BUFFERED_ROW_HEAP_BYTES = 1536;
    /** {@code --horizon-days}. */
    public static final int DEFAULT_HORIZON_DAYS = 7;
    /** {@code --request-timeout}. */
    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(30);
    /**
     * {@code --shutdown-grace}: 20 s, inside the 30 s a Kubernetes pod gets between SIGTERM and
     * SIGKILL by default, with room for the JVM's own exit.
     */
    public static final Duration DEFAULT_SHUTDOWN_GRACE = Duration.ofSeconds(20);

    private final String host;
    private final int port;
    private final LakeStore store;
    private final String lakeUri;
    private final Path lakeReadRoot;
    private final Path dataDir;
    private final Path pricesFile;
    private final Path apiKeysFile;
    private final Duration flushInterval;
    private final Duration rollupDelay;
    private final long maxBodyBytes;
    private final long maxBufferedRows;
    private final int horizonDays;
    private final String instanceId;
    private final Path tlsCert;
    private final Path tlsKey;
    private final Duration requestTimeout;
    private final long maxInFlightBodyBytes;
    private final MetricsSettings metrics;
    private final Duration shutdownGrace;

    private Config(Builder b) {
      this.host = b.host;
      this.port = b.port;
      this.store = b.store;
      this.lakeUri = b.lakeUri;
      this.lakeReadRoot = b.lakeReadRoot;
      this.dataDir = b.dataDir;
      this.pricesFile = b.pricesFile;
      this.apiKeysFile = b.apiKeysFile;
      this.flushInterval = b.flushInterval;
      this.rollupDelay = b.rollupDelay;
      this.maxBodyBytes = b.maxBodyBytes;
      this.maxBufferedRows = b.maxBufferedRows;
      this.horizonDays = b.horizonDays;
      this.instanceId = b.instanceId;
      this.tlsCert = b.tlsCert;
      this.tlsKey = b.tlsKey;
      this.requestTimeout = b.requestTimeout;
      this.maxInFlightBodyBytes = b.maxInFlightBodyBytes;
      this.metrics = b.metrics;
      this.shutdownGrace = b.shutdownGrace;
    }

    /** A builder with every default set and no lake or data dir yet. */
    public static Builder builder() {
      return new Builder();
    }

    /** A builder holding this configuration, to change a few settings of it. */
    public Builder toBuilder() {
      return new Builder(this);
    }

    /** Address the HTTP server binds. */
    public String host() {
      return host;
    }

    /** Port the HTTP server binds ({@code 0}: any free one, see {@link Collector#port()}). */
    public int port() {
      return port;
    }

    /** Where lake files are written. */
    public LakeStore store() {
      return store;
    }

    /** The lake's name as the user gave it (a path or {@code s3://} URI). */
    public String lakeUri() {
      return lakeUri;
    }

    /** A local directory DuckDB reads the lake from: the lake itself, or its local mirror. */
    public Path lakeReadRoot() {
      return lakeReadRoot;
    }

    /** Write-ahead log, spool and lock; belongs to one lake and one running collector. */
    public Path dataDir() {
      return dataDir;
    }

    /** Price overrides merged over the bundled catalog, or {@code null} for none. */
    public Path pricesFile() {
      return pricesFile;
    }

    /** API keys file, or {@code null}: no key required. */
    public Path apiKeysFile() {
      return apiKeysFile;
    }

    /** Longest time accepted rows wait before they are written to the lake. */
    public Duration flushInterval() {
      return flushInterval;
    }

    /** Quiet time after a flush before the affected days are rolled up. */
    public Duration rollupDelay() {
      return rollupDelay;
    }

    /** Largest request body accepted. */
    public long maxBodyBytes() {
      return maxBodyBytes;
    }

    /** Rows held while the lake is slow or down. */
    public long maxBufferedRows() {
      return maxBufferedRows;
    }

    /** Outcomes later than this after their workflow started count as late. */
    public int horizonDays() {
      return horizonDays;
    }

    /** Name of this collector in lake file names, or {@code null} for a random one. */
    public String instanceId() {
      return instanceId;
    }

    /** Certificate chain (PEM) of HTTPS, or {@code null} for plain HTTP. */
    public Path tlsCert() {
      return tlsCert;
    }

    /** Private key (PEM) of {@link #tlsCert()}, or {@code null} for plain HTTP. */
    public Path tlsKey() {
      return tlsKey;
    }

    /** How long a request body may take to arrive; also the idle timeout. */
    public Duration requestTimeout() {
      return requestTimeout;
    }

    /** The in-flight bound given, or {@code 0} for the default (see {@link #inFlightBodyBytes}). */
    public long maxInFlightBodyBytes() {
      return maxInFlightBodyBytes;
    }

    /** {@code /metrics} settings. */
    public MetricsSettings metrics() {
      return metrics;
    }

    /**
     * How long a stop ({@link Collector#close()}, SIGTERM) may flush and roll up; what is not
     * done by then stays in the write-ahead log and is published at the next start.
     */
    public Duration shutdownGrace() {
      return shutdownGrace;
    }

    /**
     * The default {@code --max-buffered-rows} for a heap of {@code maxHeapBytes}: as many rows as
     * fit in half of it at {@link #BUFFERED_ROW_HEAP_BYTES} each, at least 10,000 and at most
     * {@link #DEFAULT_MAX_BUFFERED_ROWS}. Why from the heap: a fixed 2,000,000 rows is ≈ 2 GB,
     * so a collector with a smaller heap ran out of memory (its write-ahead log thread died,
     * requests went unanswered) before the buffer bound could answer 503 — measured with a 512 MB heap under
     * 4 senders of 1,000-span requests while the flush fell behind (docs/benchmarks.md).
     */
    public static long defaultMaxBufferedRows(long maxHeapBytes) {
      return Math.max(10_000, Math.min(DEFAULT_MAX_BUFFERED_ROWS,
          maxHeapBytes / 2 / BUFFERED_ROW_HEAP_BYTES));
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

    @Override
    public String toString() {
      return "Collector.Config[host=" + host + ", port=" + port + ", lake=" + lakeUri
          + ", dataDir=" + dataDir + ", flushInterval=" + flushInterval + ", instanceId="
          + instanceId + "]";
    }

    /**
     * Builds a {@link Config}. Defaults are those of {@code flowcost-collector serve}'s options
     * (the {@code DEFAULT_*} constants of {@link Config}); {@link #build()} checks the whole and
     * says, naming the {@code serve} option, what is wrong. Not thread-safe.
     */
    public static final class Builder {
      private String host = DEFAULT_HOST;
      private int port = DEFAULT_PORT;
      private LakeStore store;
      /** Set by {@link #localLake}: the directory whose store {@link #build()} makes. */
      private Path localLake;
      private String lakeUri;
      private Path lakeReadRoot;
      private Path dataDir;
      private Path pricesFile;
      private Path apiKeysFile;
      private Duration flushInterval = DEFAULT_FLUSH_INTERVAL;
      private Duration rollupDelay = DEFAULT_ROLLUP_DELAY;
      private long maxBodyBytes = DEFAULT_MAX_BODY_BYTES;
      private long maxBufferedRows = defaultMaxBufferedRows(Runtime.getRuntime().maxMemory());
      private int horizonDays = DEFAULT_HORIZON_DAYS;
      private String instanceId;
      private Path tlsCert;
      private Path tlsKey;
      private Duration requestTimeout = DEFAULT_REQUEST_TIMEOUT;
      private long maxInFlightBodyBytes;
      private MetricsSettings metrics = MetricsSettings.DEFAULTS;
      private Duration shutdownGrace = DEFAULT_SHUTDOWN_GRACE;

      private Builder() {}

      private Builder(Config c) {
        host = c.host;
        port = c.port;
        store = c.store;
        lakeUri = c.lakeUri;
        lakeReadRoot = c.lakeReadRoot;
        dataDir = c.dataDir;
        pricesFile = c.pricesFile;
        apiKeysFile = c.apiKeysFile;
        flushInterval = c.flushInterval;
        rollupDelay = c.rollupDelay;
        maxBodyBytes = c.maxBodyBytes;
        maxBufferedRows = c.maxBufferedRows;
        horizonDays = c.horizonDays;
        instanceId = c.instanceId;
        tlsCert = c.tlsCert;
        tlsKey = c.tlsKey;
        requestTimeout = c.requestTimeout;
        maxInFlightBodyBytes = c.maxInFlightBodyBytes;
        metrics = c.metrics;
        shutdownGrace = c.shutdownGrace;
      }

      /** Address to bind (default {@value Config#DEFAULT_HOST}). */
      public Builder host(String host) {
        this.host = host;
        return this;
      }

      /** Port to bind (default {@value Config#DEFAULT_PORT}; {@code 0}: any free port). */
      public Builder port(int port) {
        this.port = port;
        return this;
      }

      /**
       * A lake in a local directory: written there through a {@link LocalDirectoryStore} (made by
       * {@link #build()}, which creates the directory), read there by DuckDB, named by its
       * absolute path.
       */
      public Builder localLake(Path lake) {
        Path dir = lake.toAbsolutePath();
        lake(null, dir.toString(), dir);
        this.localLake = dir;
        return this;
      }

      /**
       * Any lake: {@code store} writes it, {@code uri} names it (a path or {@code s3://} URI; a
       * data dir belongs to one), and DuckDB reads it from the local directory {@code readRoot}
       * (the lake itself, or its local mirror).
       */
      public Builder lake(LakeStore store, String uri, Path readRoot) {
        this.localLake = null;
        this.store = store;
        this.lakeUri = uri;
        this.lakeReadRoot = readRoot;
        return this;
      }

      /** Write-ahead log, spool and lock (required). */
      public Builder dataDir(Path dataDir) {
        this.dataDir = dataDir;
        return this;
      }

      /** Price overrides merged over the bundled catalog (default: none). */
      public Builder pricesFile(Path pricesFile) {
        this.pricesFile = pricesFile;
        return this;
      }

      /** Require API keys from this file (default: none required). */
      public Builder apiKeysFile(Path apiKeysFile) {
        this.apiKeysFile = apiKeysFile;
        return this;
      }

      /** Longest wait of accepted rows before the lake (default 60 s). */
      public Builder flushInterval(Duration flushInterval) {
        this.flushInterval = flushInterval;
        return this;
      }

      /** Quiet time after a flush before the roll-up (default 5 s). */
      public Builder rollupDelay(Duration rollupDelay) {
        this.rollupDelay = rollupDelay;
        return this;
      }

      /** Largest request body accepted (default 16 MiB). */
      public Builder maxBodyBytes(long maxBodyBytes) {
        this.maxBodyBytes = maxBodyBytes;
        return this;
      }

      /**
       * Rows held while the lake is slow or down (default {@link
       * Config#defaultMaxBufferedRows} of this JVM's maximum heap).
       */
      public Builder maxBufferedRows(long maxBufferedRows) {
        this.maxBufferedRows = maxBufferedRows;
        return this;
      }

      /** Days after a workflow's start its outcome may still join it (default 7). */
      public Builder horizonDays(int horizonDays) {
        this.horizonDays = horizonDays;
        return this;
      }

      /** Name in lake file names (default: a random one at start). */
      public Builder instanceId(String instanceId) {
        this.instanceId = instanceId;
        return this;
      }

      /** Serve HTTPS only with this certificate chain and key (PEM; default: plain HTTP). */
      public Builder tls(Path cert, Path key) {
        this.tlsCert = cert;
        this.tlsKey = key;
        return this;
      }

      /** How long a request body may take to arrive, and the idle timeout (default 30 s). */
      public Builder requestTimeout(Duration requestTimeout) {
        this.requestTimeout = requestTimeout;
        return this;
      }

      /**
       * Bytes of request bodies held at once (default {@code 0}: {@link
       * Config#defaultMaxInFlightBodyBytes}); at least twice {@link #maxBodyBytes}.
       */
      public Builder maxInFlightBodyBytes(long maxInFlightBodyBytes) {
        this.maxInFlightBodyBytes = maxInFlightBodyBytes;
        return this;
      }

      /**
       * How long a stop may flush and roll up before it leaves the rest to the write-ahead log
       * (default 20 s; zero: flush nothing at the stop).
       */
      public Builder shutdownGrace(Duration shutdownGrace) {
        this.shutdownGrace = shutdownGrace;
        return this;
      }

      /** {@code /metrics} settings (default {@link MetricsSettings#DEFAULTS}). */
      public Builder metrics(MetricsSettings metrics) {
        this.metrics = metrics;
        return this;
      }

      /**
       * The configuration.
       *
       * @throws IllegalArgumentException naming the first setting that is missing or out of
       *     range (and its {@code serve} option)
       * @throws UncheckedIOException if the directory of a {@link #localLake} cannot be created
       */
      public Config build() {
        if ((store == null && localLake == null) || lakeUri == null || lakeReadRoot == null) {
          throw new IllegalArgumentException(
              "no lake: call localLake(dir) or lake(store, uri, readRoot) (--lake)");
        }
        if (dataDir == null) {
          throw new IllegalArgumentException("no data dir: call dataDir(dir) (--data-dir)");
        }
        if (host == null || host.isBlank()) {
          throw new IllegalArgumentException("--host must name an address to bind");
        }
        if (port < 0 || port > 65_535) {
          throw new IllegalArgumentException(
              "--port must be from 0 (any free port) to 65535, not " + port);
        }
        positive(flushInterval, "--flush-interval");
        positive(rollupDelay, "--rollup-delay");
        positive(requestTimeout, "--request-timeout");
        if (shutdownGrace == null || shutdownGrace.isNegative()) {
          throw new IllegalArgumentException("--shutdown-grace must be zero or a positive"
              + " duration, not " + shutdownGrace);
        }
        if (maxBodyBytes <= 0) {
          throw new IllegalArgumentException("--max-body must be at least 1 byte, not "
              + maxBodyBytes);
        }
        if (maxBufferedRows <= 0) {
          throw new IllegalArgumentException("--max-buffered-rows must be at least 1, not "
              + maxBufferedRows);
        }
        if (horizonDays < 1) {
          throw new IllegalArgumentException("--horizon-days must be at least 1, not "
              + horizonDays);
        }
        if ((tlsCert == null) != (tlsKey == null)) {
          throw new IllegalArgumentException(
              "TLS needs both --tls-cert and --tls-key (PEM files)");
        }
        if (maxInFlightBodyBytes < 0
            || maxInFlightBodyBytes != 0 && maxInFlightBodyBytes < 2 * maxBodyBytes) {
          throw new IllegalArgumentException("--max-inflight-bytes must be at least twice"
              + " --max-body (" + 2 * maxBodyBytes + "), so that one largest request,"
              + " compressed and decompressed, always fits");
        }
        if (metrics == null) {
          throw new IllegalArgumentException(
              "no /metrics settings: leave the default (MetricsSettings.DEFAULTS)");
        }
        if (localLake != null) {
          try {
            store = new LocalDirectoryStore(localLake);
          } catch (IOException e) {
            throw new UncheckedIOException("cannot create the lake directory " + localLake, e);
          }
          localLake = null;
        }
        return new Config(this);
      }

      private static void positive(Duration d, String option) {
        if (d == null || d.isNegative() || d.isZero()) {
          throw new IllegalArgumentException(option + " must be a positive duration, not " + d);
        }
      }
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
  private final Duration shutdownGrace;
  private boolean closed;

  private Collector(Vertx vertx, Pipeline pipeline, CollectorMetrics metrics,
      RollupScheduler rollups, CollectorServer server, PriceCatalogWatcher prices, int port,
      DataDirLock dataDirLock, Path dataDir, LiveControl live, Duration shutdownGrace) {
    this.shutdownGrace = shutdownGrace;
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
    RollupScheduler rollups = new RollupScheduler(rollup, config.rollupDelay(),
        config.dataDir().resolve("rollup.pending"));
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
    rollups.resume(); // what the last stop could not roll up in its grace

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
        config.dataDir(), live, config.shutdownGrace());
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
   * Stops accepting, group-commits the requests in flight, flushes what is accepted to the lake
   * and rolls up the affected days — within {@link Config#shutdownGrace()}, and stops. This is
   * what SIGTERM does.
   *
   * <p>Why bounded: a stop that flushed and rolled up everything, however long it took, outlasted
   * the 30–60 s an orchestrator waits before SIGKILL (a full rollup of a lake of 28 million spans
   * takes minutes). What the grace does not cover is not lost: rows not flushed stay in the
   * write-ahead log, whose segments are kept, and the next start replays them to the lake; a
   * rollup not done is written to the data dir's {@code rollup.pending} and runs after the next
   * start. The log says which.
   */
  @Override
  public synchronized void close() throws Exception {
    if (closed) {
      return;
    }
    closed = true;
    long t0 = System.nanoTime();
    long deadline = t0 + shutdownGrace.toNanos();
    LOG.info("stopping: no new requests; flushing what is accepted to the lake and rolling up,"
        + " for at most " + DurationText.of(shutdownGrace) + " (--shutdown-grace)");
    awaitQuietly("the HTTP server's stop", server.stop(), deadline);
    long left = pipeline.close(deadline);
    live.close();
    boolean rolledUp = rollups.stop(deadline);
    if (prices != null) {
      prices.close();
    }
    awaitQuietly("Vert.x's stop", vertx.close(), deadline);
    CollectorStatus.remove(dataDir);
    // Released last: until the lake has everything, the data dir still matters.
    dataDirLock.close();
    long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    if (left > 0) {
      LOG.warning("stopped in " + ms + " ms, cut short by --shutdown-grace "
          + DurationText.of(shutdownGrace) + ": " + left + " accepted rows left in the"
          + " write-ahead log in " + dataDir.toAbsolutePath().normalize() + "; the next start"
          + " with this --data-dir publishes them to the lake first (nothing acknowledged is"
          + " lost)");
    } else {
      LOG.info("stopped: everything accepted is in the lake (" + ms + " ms)"
          + (rolledUp ? "" : "; its rollup was deferred to the next start"));
    }
  }

  /**
   * Waits for {@code step} until the deadline, and at least a second (a step of the stop that
   * publishes nothing: the server's and Vert.x's); a step that does not end in time is logged and
   * left behind, so that the flush still runs.
   */
  private static void awaitQuietly(String what, io.vertx.core.Future<Void> step, long deadline) {
    long wait = Math.max(TimeUnit.SECONDS.toNanos(1), deadline - System.nanoTime());
    try {
      step.toCompletionStage().toCompletableFuture().get(Math.min(wait,
          TimeUnit.SECONDS.toNanos(10)), TimeUnit.NANOSECONDS);
    } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
      LOG.warning(what + " did not finish (" + e + "); going on with the stop");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
