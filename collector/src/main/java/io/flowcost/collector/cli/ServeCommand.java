package io.flowcost.collector.cli;

import io.flowcost.collector.Collector;
import io.flowcost.collector.metrics.MetricsSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code serve}: run the collector until SIGTERM/SIGINT, then flush and roll up (bounded). */
@Command(name = "serve", mixinStandardHelpOptions = true,
    description = {"Receive OTLP spans and outcomes over HTTP, price calls, write the lake.",
        "SIGTERM (or Ctrl-C) flushes what is accepted to the lake and rolls up before"
            + " exiting, for at most --shutdown-grace; the rest stays in the write-ahead log"
            + " (--data-dir) and is published at the next start. A crash loses nothing"
            + " acknowledged either."})
final class ServeCommand implements Callable<Integer> {

  @picocli.CommandLine.Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Option(names = "--host", defaultValue = "127.0.0.1", paramLabel = "ADDR",
      description = "Address to bind (default: ${DEFAULT-VALUE}; use 0.0.0.0 to accept remote"
          + " agents, ideally with --api-keys).")
  String host;

  @Option(names = "--port", defaultValue = "4318", paramLabel = "PORT",
      description = "HTTP port, the OTLP/HTTP default (default: ${DEFAULT-VALUE}; 0 = any free port).")
  int port;

  @Mixin
  LakeOptions lake;

  @Option(names = "--data-dir", defaultValue = "./flowcost-data", paramLabel = "DIR",
      description = "Write-ahead log and spool; belongs to one lake and, while it runs, to this"
          + " collector alone: a second one on it refuses to start (default: ${DEFAULT-VALUE}).")
  Path dataDir;

  @Option(names = "--prices", paramLabel = "FILE",
      description = "Price overrides (Flowcost catalog or LiteLLM model-cost-map JSON) merged over"
          + " the bundled catalog; reloaded when the file changes.")
  Path prices;

  @Option(names = "--api-keys", paramLabel = "FILE",
      description = "Require an API key (X-Flowcost-Api-Key header); file lines are"
          + " 'KEY = tag=value,…', whose tags are pinned on what is sent with the key.")
  Path apiKeys;

  @Option(names = "--flush-interval", defaultValue = "60s", paramLabel = "DURATION",
      converter = DurationConverter.class,
      description = "Longest time accepted rows wait before they are written to the lake"
          + " (default: ${DEFAULT-VALUE}).")
  Duration flushInterval;

  @Option(names = "--rollup-delay", defaultValue = "5s", paramLabel = "DURATION",
      converter = DurationConverter.class,
      description = "Quiet time after a flush before the affected days are rolled up"
          + " (default: ${DEFAULT-VALUE}).")
  Duration rollupDelay;

  @Option(names = "--shutdown-grace", defaultValue = "20s", paramLabel = "DURATION",
      converter = DurationConverter.class,
      description = "Longest time a stop (SIGTERM) flushes and rolls up; what is not done by"
          + " then stays in the write-ahead log and is published at the next start, so set it"
          + " below your orchestrator's kill timeout (Kubernetes: 30 s) (default:"
          + " ${DEFAULT-VALUE}; 0s: flush nothing at the stop).")
  Duration shutdownGrace;

  @Option(names = "--max-body", defaultValue = "16777216", paramLabel = "BYTES",
      description = "Largest request body accepted; larger ones get 413 (default: ${DEFAULT-VALUE}).")
  long maxBody;

  // the default follows the heap (Collector.Config.defaultMaxBufferedRows): a fixed 2,000,000
  // rows needed ~2 GB, so a smaller heap ran out of memory before the bound answered 503
  @Option(names = "--max-buffered-rows", paramLabel = "N",
      description = "Rows held while the lake is slow or down; beyond it requests get 503 with"
          + " Retry-After (default: as many as fit in half the heap at 1.5 KB a row, at most"
          + " 2,000,000; with this heap ${DEFAULT-VALUE}).")
  long maxBufferedRows = Collector.Config.defaultMaxBufferedRows(Runtime.getRuntime().maxMemory());

  @Mixin
  OutcomeHorizon horizon;

  @Option(names = "--instance-id", paramLabel = "ID",
      description = "Name of this collector in lake file names (default: random).")
  String instanceId;

  @Option(names = "--tls-cert", paramLabel = "PEM",
      description = "Certificate chain (PEM); with --tls-key the collector serves HTTPS only.")
  Path tlsCert;

  @Option(names = "--tls-key", paramLabel = "PEM",
      description = "Private key (PEM, PKCS#8 or PKCS#1) of --tls-cert.")
  Path tlsKey;

  @Option(names = "--request-timeout", defaultValue = "30s", paramLabel = "DURATION",
      converter = DurationConverter.class,
      description = "A request whose body has not arrived this long after its headers gets 408"
          + " and its connection is closed; also the idle timeout (default: ${DEFAULT-VALUE}).")
  Duration requestTimeout;

  @Option(names = "--budgets", paramLabel = "FILE",
      description = "Budgets per owner and period: lines 'TAG=VALUE day|month soft=USD hard=USD'"
          + " (docs/budgets-and-alerts.md); served to agents at GET /v1/budgets. A malformed"
          + " file stops the collector from starting, naming the line.")
  Path budgets;

  @Option(names = "--alert-webhook", paramLabel = "URL",
      description = "Send alerts (budget 80%%/100%%, burn rate, runaway workflow, cap breach) to"
          + " URL as JSON; 'slack:URL' sends Slack-compatible {\"text\": …}. Repeatable.")
  java.util.List<String> alertWebhooks = new java.util.ArrayList<>();

  @Option(names = "--runaway-multiple", defaultValue = "3", paramLabel = "X",
      description = "Runaway-workflow alert: a workflow still running whose spend or call count"
          + " passes X times its intent's p99 (over its last 200 finished workflows, at least"
          + " 20) (default: ${DEFAULT-VALUE}).")
  java.math.BigDecimal runawayMultiple;

  @Option(names = "--max-inflight-bytes", paramLabel = "BYTES",
      description = "Bytes of request bodies held at once, received and decompressed; a request"
          + " beyond it gets 503 with Retry-After instead of exhausting the heap (default: an"
          + " eighth of the maximum heap, at least twice --max-body).")
  long maxInFlightBytes;

  @Option(names = "--metrics-max-label-values", defaultValue = "20", paramLabel = "N",
      description = "GET /metrics: distinct values each label (intent, model, team, service) keeps;"
          + " later ones are counted as 'other' (default: ${DEFAULT-VALUE}).")
  int metricsMaxLabelValues;

  @Option(names = "--metrics-team-tag", defaultValue = "team", paramLabel = "TAG",
      description = "GET /metrics: the workflow tag shown as the 'team' label"
          + " (default: ${DEFAULT-VALUE}).")
  String metricsTeamTag;

  @Option(names = "--metrics-token-file", paramLabel = "FILE",
      description = "GET /metrics requires 'Authorization: Bearer' with the token in this file"
          + " (Prometheus bearer_token_file); with --api-keys an API key works too, and without"
          + " either /metrics is open like /health.")
  Path metricsTokenFile;

  @Option(names = "--metrics-attribution-wait", defaultValue = "10m", paramLabel = "DURATION",
      converter = DurationConverter.class,
      description = "GET /metrics: how long spend waits for its workflow's root span (which names"
          + " the intent) before it is counted as intent 'unattributed' (default: ${DEFAULT-VALUE}).")
  Duration metricsAttributionWait;

  @Option(names = "--budget-store", paramLabel = "URI",
      description = "Share budget counters with other collectors through Redis or Valkey:"
          + " redis://host:port[/db]. Down: each collector enforces on its own counts and"
          + " catches up when it is back (default: this collector's counts alone).")
  String budgetStore;

  @Override
  public Integer call() throws Exception {
    String token = null;
    if (metricsTokenFile != null) {
      try {
        token = java.nio.file.Files.readString(metricsTokenFile).strip();
      } catch (java.io.IOException e) {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(),
            "cannot read --metrics-token-file " + metricsTokenFile + " (" + e + ")");
      }
    }
    MetricsSettings metrics;
    try {
      metrics = new MetricsSettings(metricsMaxLabelValues, metricsTeamTag, token,
          metricsAttributionWait);
    } catch (IllegalArgumentException e) {
      throw new picocli.CommandLine.ParameterException(spec.commandLine(),
          e.getMessage());
    }
    Collector.Config.Builder settings = Collector.Config.builder()
        .host(host)
        .port(port)
        .dataDir(dataDir)
        .pricesFile(prices)
        .apiKeysFile(apiKeys)
        .flushInterval(flushInterval)
        .rollupDelay(rollupDelay)
        .shutdownGrace(shutdownGrace)
        .maxBodyBytes(maxBody)
        .maxBufferedRows(maxBufferedRows)
        .horizonDays(horizon.days)
        .instanceId(instanceId)
        .tls(tlsCert, tlsKey)
        .requestTimeout(requestTimeout)
        .maxInFlightBodyBytes(maxInFlightBytes)
        .metrics(metrics);
    Collector.Config config;
    try {
      config = settings.lake(lake.store(), lake.lake, lake.localRoot()).build();
    } catch (IllegalArgumentException e) {
      throw new picocli.CommandLine.ParameterException(spec.commandLine(), e.getMessage());
    }
    Collector.Live live;
    try {
      live = Collector.Live.of(budgets, alertWebhooks, budgetStore, runawayMultiple);
    } catch (IllegalArgumentException e) {
      throw new picocli.CommandLine.ParameterException(spec.commandLine(), e.getMessage());
    }
    Collector collector = Collector.start(config, live);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        collector.close();
      } catch (Exception e) {
        System.err.println("flowcost-collector: shutdown did not finish cleanly: " + e
            + "; accepted rows are still in the write-ahead log and are replayed at next start");
      } finally {
        stopped.countDown();
      }
    }, "flowcost-shutdown"));
    stopped.await();
    return 0;
  }
}
