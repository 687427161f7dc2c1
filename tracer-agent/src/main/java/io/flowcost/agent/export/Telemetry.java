package io.flowcost.agent.export;

import io.flowcost.contract.SpanKeys;
import io.flowcost.agent.AgentConfig;
import io.flowcost.agent.AgentLog;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.resources.Resource;
import io.flowcost.agent.trace.AgentTracer;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The agent's own tracing: never the global OpenTelemetry, so that the application's APM (or the
 * OpenTelemetry Java agent) is left alone. Spans are recorded by {@link AgentTracer} (flat records,
 * not the SDK's spans), queued by the agent's {@link SpanBatcher}, encoded by its own OTLP
 * encoder and sent by a {@link SpanShipper}. Nothing of the export runs or is loaded on the
 * application's thread before the first span ends or {@link #startExport()} is called.
 */
public final class Telemetry {

  /** Instrumentation scope of every span the agent makes. */
  public static final String SCOPE = "io.flowcost.agent";

  private static final AttributeKey<String> SERVICE_NAME = AttributeKey.stringKey(SpanKeys.SERVICE_NAME);
  private static final AttributeKey<String> AGENT_VERSION =
      AttributeKey.stringKey(SpanKeys.AGENT_VERSION);

  // JUL holds loggers weakly: keep the one whose level we set
  private static Logger quietedLogger;

  private final AgentTracer tracer;
  private final long shutdownTimeoutMillis;
  private final SpanShipper shipper;
  /** The export queue, or {@code null} when a test supplied its own processor. */
  private final SpanBatcher batcher;

  private Telemetry(AgentTracer tracer, long shutdownTimeoutMillis, SpanShipper shipper,
      SpanBatcher batcher) {
    this.tracer = tracer;
    this.shutdownTimeoutMillis = shutdownTimeoutMillis;
    this.shipper = shipper;
    this.batcher = batcher;
  }

  /**
   * Builds the tracer: every span recorded (always sampled), batches encoded as OTLP/HTTP protobuf and sent by a
   * {@link SpanShipper} that retries, honours {@code Retry-After}, and spools to disk while the
   * collector is unreachable.
   */
  public static Telemetry create(AgentConfig config, String agentVersion) {
    quietSdkLogging(config.debug());
    ExportSettings settings = ExportSettings.fromEnvironment(config);
    Transport transport;
    try {
      transport = new HttpTransport(settings.tracesEndpoint(), settings.apiKey());
    } catch (IOException | RuntimeException e) {
      AgentLog.info("span export is off: flowcost.endpoint is not a valid URL ("
          + e.getClass().getName() + "). The application is not affected.");
      return create(config, agentVersion, SimpleSpanProcessor.create(SpanExporter.composite()));
    }
    return create(config, agentVersion, settings, transport);
  }

  /** Builds the tracer exporting through {@code transport} (tests use a recording one). */
  static Telemetry create(AgentConfig config, String agentVersion, ExportSettings settings,
      Transport transport) {
    SpanShipper shipper;
    try {
      Spool spool = Spool.open(settings.spoolRoot(), settings.spoolMaxBytes(),
          settings.legacySpoolParent());
      if (spool.adoptedFolders() > 0) {
        AgentLog.info("replaying " + spool.size() + " span batches spooled by "
            + spool.adoptedFolders() + " earlier process(es)");
      }
      // started by the export thread: no thread and no network before the first span or
      // startExport()
      shipper = new SpanShipper(transport, spool, settings.memoryMaxBytes(),
          settings.serviceName());
    } catch (IOException | RuntimeException e) {
      AgentLog.info("span export is off: cannot open the spool under " + settings.spoolRoot()
          + " (" + e.getClass().getName() + "); set flowcost.spool.dir to a writable directory."
          + " The application is not affected.");
      return create(config, agentVersion, SimpleSpanProcessor.create(SpanExporter.composite()));
    }
    SpanBatcher batcher = new SpanBatcher(new SpoolingSpanExporter(shipper), shipper,
        settings.batch());
    return create(config, agentVersion, batcher, shipper, batcher);
  }

  /** Builds the tracer with a given span processor (tests). */
  public static Telemetry create(AgentConfig config, String agentVersion, SpanProcessor processor) {
    return create(config, agentVersion, processor, null, null);
  }

  /**
   * The agent's export queue in front of {@code exporter} (benchmarks: the application thread's
   * share of the export path without the network).
   */
  public static SpanProcessor batching(SpanExporter exporter) {
    return new SpanBatcher(exporter, null);
  }

  private static Telemetry create(AgentConfig config, String agentVersion,
      SpanProcessor processor, SpanShipper shipper, SpanBatcher batcher) {
    Resource resource =
        Resource.getDefault()
            .merge(
                Resource.builder()
                    .put(SERVICE_NAME, config.serviceName())
                    .put(AGENT_VERSION, agentVersion == null ? "unknown" : agentVersion)
                    .build());
    SpanProcessor all =
        config.debug() ? SpanProcessor.composite(processor, new DebugSpanPrinter()) : processor;
    return new Telemetry(new AgentTracer(SCOPE, resource, all), config.shutdownTimeoutMillis(),
        shipper, batcher);
  }

  private static void quietSdkLogging(boolean debug) {
    // The SDK logs every failed export; with no collector running that would flood the app's
    // stderr. Our sender logs the first failure itself.
    String sdkPackage = SpanProcessor.class.getName();
    String root = sdkPackage.substring(0, sdkPackage.indexOf(".sdk.trace."));
    quietedLogger = Logger.getLogger(root);
    quietedLogger.setLevel(debug ? Level.WARNING : Level.OFF);
  }

  /** The shipper, or {@code null} when a test supplied its own processor. */
  SpanShipper shipper() {
    return shipper;
  }

  /**
   * Starts the export threads now rather than at the first span: called once the agent is
   * installed, so that the classes they load (the network's among them) are loaded after the
   * agent's transformer is in place, off the application's thread, and spans spooled by earlier
   * processes are sent even if this one records none.
   */
  public void startExport() {
    if (batcher != null) {
      batcher.start();
    }
  }

  /** The tracer every instrumentation uses. */
  public Tracer tracer() {
    return tracer;
  }

  /**
   * Sends pending spans to the collector for at most the configured timeout, spools what could
   * not be sent (the next process replays it), and shuts the tracer down: first the export queue
   * exports everything queued on its own thread (spans that end meanwhile too), then the shipper
   * sends or spools it. Spans the queue dropped are counted and named in one log line.
   */
  public void shutdown() {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(shutdownTimeoutMillis);
    if (shipper != null) {
      shipper.start(); // if no span ever started it: what it holds is sent or spooled
    }
    boolean flushed;
    if (batcher != null) {
      // the tracer still records while the queue drains: a span ending now is exported, or
      // counted as dropped once the queue has closed
      CompletableResultCode stopped = batcher.shutdown();
      stopped.join(shutdownTimeoutMillis, TimeUnit.MILLISECONDS);
      flushed = stopped.isSuccess();
      batcher.abandon(); // what is still queued (a stuck exporter) is counted, not lost silently
      batcher.reportDrops();
    } else {
      CompletableResultCode flush = tracer.forceFlush();
      flush.join(shutdownTimeoutMillis, TimeUnit.MILLISECONDS);
      flushed = flush.isSuccess();
    }
    boolean sent = true;
    if (shipper != null) {
      sent = shipper.shutdown(millisLeft(deadline));
    }
    tracer.shutdown().join(millisLeft(deadline), TimeUnit.MILLISECONDS);
    String drops = batcher == null ? null : batcher.dropSummary();
    if (drops != null) {
      AgentLog.info(drops);
    }
    AgentLog.debug("telemetry shut down (flushed=" + flushed + ", all sent=" + sent + ")");
  }

  private static long millisLeft(long deadline) {
    return Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
  }

  /** Registers a JVM shutdown hook that flushes pending spans. */
  public void installShutdownHook() {
    Thread hook = new Thread(this::shutdown, "flowcost-shutdown");
    hook.setDaemon(true);
    Runtime.getRuntime().addShutdownHook(hook);
  }
}
