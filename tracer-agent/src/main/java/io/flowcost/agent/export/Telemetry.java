package io.flowcost.agent.export;

import io.flowcost.agent.AgentConfig;
import io.flowcost.agent.AgentLog;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporterBuilder;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.SdkTracerProviderBuilder;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The agent's own OpenTelemetry SDK: never the global one, so that the application's APM (or the
 * OpenTelemetry Java agent) is left alone.
 */
public final class Telemetry {

  /** Instrumentation scope of every span the agent makes. */
  public static final String SCOPE = "io.flowcost.agent";

  private static final AttributeKey<String> SERVICE_NAME = AttributeKey.stringKey("service.name");
  private static final AttributeKey<String> AGENT_VERSION =
      AttributeKey.stringKey("flowcost.agent.version");

  // JUL holds loggers weakly: keep the one whose level we set
  private static Logger quietedLogger;

  private final SdkTracerProvider tracerProvider;
  private final Tracer tracer;
  private final long shutdownTimeoutMillis;

  private Telemetry(SdkTracerProvider tracerProvider, long shutdownTimeoutMillis) {
    this.tracerProvider = tracerProvider;
    this.tracer = tracerProvider.get(SCOPE);
    this.shutdownTimeoutMillis = shutdownTimeoutMillis;
  }

  /** Builds the SDK: always-on sampling, batch export over OTLP/HTTP protobuf. */
  public static Telemetry create(AgentConfig config, String agentVersion) {
    quietSdkLogging(config.debug());
    OtlpHttpSpanExporterBuilder exporter =
        OtlpHttpSpanExporter.builder()
            .setEndpoint(config.tracesEndpoint())
            .setComponentLoader(new SenderComponentLoader())
            .setTimeout(Duration.ofSeconds(10));
    if (config.apiKey() != null) {
      exporter.addHeader("X-Flowcost-Api-Key", config.apiKey());
    }
    return create(config, agentVersion, BatchSpanProcessor.builder(exporter.build()).build());
  }

  /** Builds the SDK with a given span processor (tests). */
  public static Telemetry create(AgentConfig config, String agentVersion, SpanProcessor processor) {
    Resource resource =
        Resource.getDefault()
            .merge(
                Resource.builder()
                    .put(SERVICE_NAME, config.serviceName())
                    .put(AGENT_VERSION, agentVersion == null ? "unknown" : agentVersion)
                    .build());
    SdkTracerProviderBuilder builder =
        SdkTracerProvider.builder()
            .setResource(resource)
            .setSampler(Sampler.alwaysOn())
            .addSpanProcessor(processor);
    if (config.debug()) {
      builder.addSpanProcessor(new DebugSpanPrinter());
    }
    return new Telemetry(builder.build(), config.shutdownTimeoutMillis());
  }

  private static void quietSdkLogging(boolean debug) {
    // The SDK logs every failed export; with no collector running that would flood the app's
    // stderr. Our sender logs the first failure itself.
    String sdkPackage = SdkTracerProvider.class.getName();
    String root = sdkPackage.substring(0, sdkPackage.indexOf(".sdk.trace."));
    quietedLogger = Logger.getLogger(root);
    quietedLogger.setLevel(debug ? Level.WARNING : Level.OFF);
  }

  /** The tracer every instrumentation uses. */
  public Tracer tracer() {
    return tracer;
  }

  /** Flushes and shuts the SDK down, waiting at most the configured timeout. */
  public void shutdown() {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(shutdownTimeoutMillis);
    CompletableResultCode flush = tracerProvider.forceFlush();
    flush.join(shutdownTimeoutMillis, TimeUnit.MILLISECONDS);
    long left = Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
    tracerProvider.shutdown().join(left, TimeUnit.MILLISECONDS);
    AgentLog.debug("telemetry shut down (flushed=" + flush.isSuccess() + ")");
  }

  /** Registers a JVM shutdown hook that flushes pending spans. */
  public void installShutdownHook() {
    Thread hook = new Thread(this::shutdown, "flowcost-shutdown");
    hook.setDaemon(true);
    Runtime.getRuntime().addShutdownHook(hook);
  }
}
