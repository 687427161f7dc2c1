package io.flowcost.langchain4j;

import io.flowcost.contract.SpanKeys;
import dev.langchain4j.model.chat.listener.ChatModelListener;
import dev.langchain4j.observability.api.listener.AiServiceListener;
import dev.langchain4j.service.tool.ToolExecutor;
import io.flowcost.outcome.internal.Settings;
import io.flowcost.outcome.spi.AgentBridge;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporterBuilder;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * Flowcost tracing for LangChain4j applications that cannot attach the Flowcost agent: records
 * workflows, model calls (with normalised token usage) and tool calls through LangChain4j's
 * public listener APIs, and sends them as OTLP/HTTP to the Flowcost collector.
 *
 * <pre>{@code
 * FlowcostLangChain4j flowcost = FlowcostLangChain4j.builder().serviceName("claims-bot").build();
 * ChatModel model = OpenAiChatModel.builder()...listeners(List.of(flowcost.chatModelListener())).build();
 * Assistant assistant = AiServices.builder(Assistant.class).chatModel(model)
 *     .registerListeners(flowcost.aiServiceListeners()).tools(tools).build();
 * ...
 * flowcost.shutdown(); // at application exit: flushes pending spans
 * }</pre>
 *
 * <p>Workflows: an {@code outcome-api} workflow open on the calling thread ({@code
 * Flowcost.workflow(..).start()}) is the parent of everything recorded inside it; otherwise each
 * AI-service invocation is a workflow of its own, and a bare model call gets an implicit one.
 * When the agent is attached this integration records nothing, so nothing is counted twice.
 * Thread-safe; build one per application and share it.
 */
public final class FlowcostLangChain4j implements AutoCloseable {

  private static final System.Logger LOG = System.getLogger("io.flowcost.langchain4j");

  private final SdkTracerProvider tracerProvider;
  private final Recorder recorder;
  private final AiServiceTracing aiServices;
  private final boolean enabled;

  private FlowcostLangChain4j(Builder builder) {
    this.enabled = !AgentBridge.attached();
    if (!enabled) {
      LOG.log(Level.INFO, "Flowcost agent attached: flowcost-langchain4j records nothing, the agent does");
    }
    Settings defaults = Settings.fromEnvironment();
    String endpoint = builder.endpoint != null ? builder.endpoint : defaults.endpoint().toString();
    String service = builder.serviceName != null ? builder.serviceName : defaults.serviceName();
    String apiKey = builder.apiKey != null ? builder.apiKey : defaults.apiKey();
    Map<String, String> tags = new LinkedHashMap<>(defaults.tags());
    tags.putAll(builder.tags);

    SpanExporter exporter = builder.exporter;
    boolean injected = exporter != null;
    if (!injected) {
      OtlpHttpSpanExporterBuilder otlp =
          OtlpHttpSpanExporter.builder()
              .setEndpoint(new Settings(endpoint, service, null, Map.of()).resolve("/v1/traces").toString())
              .setTimeout(Duration.ofSeconds(10));
      if (apiKey != null && !apiKey.isBlank()) {
        otlp.addHeader("X-Flowcost-Api-Key", apiKey);
      }
      exporter = otlp.build();
    }
    Resource resource =
        Resource.getDefault()
            .merge(
                Resource.builder()
                    .put(AttributeKey.stringKey(SpanKeys.SERVICE_NAME), service)
                    .put(AttributeKey.stringKey(SpanKeys.LANGCHAIN4J_VERSION), "0.1.0")
                    .build());
    this.tracerProvider =
        SdkTracerProvider.builder()
            .setResource(resource)
            // Record everything whatever the app's own sampling: Flowcost sums costs.
            .setSampler(Sampler.alwaysOn())
            .addSpanProcessor(
                injected
                    ? SimpleSpanProcessor.create(exporter)
                    : BatchSpanProcessor.builder(exporter).setScheduleDelay(Duration.ofSeconds(1)).build())
            .build();
    this.recorder =
        new Recorder(tracerProvider.get("io.flowcost.langchain4j", "0.1.0"), service, tags);
    this.aiServices = new AiServiceTracing(recorder);
  }

  /** Starts a builder; unset values come from the same settings as the agent. */
  public static Builder builder() {
    return new Builder();
  }

  /** The listener to add to every {@code ChatModel} ({@code .listeners(List.of(..))}). */
  public ChatModelListener chatModelListener() {
    return enabled ? new ModelCallListener(recorder, false) : new ChatModelListener() {};
  }

  /**
   * The listener to add to every {@code StreamingChatModel}: as {@link #chatModelListener()}, and
   * marks the calls {@code gen_ai.request.stream = true}.
   */
  public ChatModelListener streamingChatModelListener() {
    return enabled ? new ModelCallListener(recorder, true) : new ChatModelListener() {};
  }

  /**
   * The listeners to register on every AI service ({@code
   * AiServices.builder(..).registerListeners(..)}): they record invocations as workflow or step
   * spans and executed tools as tool calls.
   */
  public List<AiServiceListener<?>> aiServiceListeners() {
    return enabled ? aiServices.listeners() : List.of();
  }

  /**
   * Wraps a tool executor so that its tool calls are recorded with their exact duration (the
   * AI-service listeners alone only know when a tool finished).
   */
  public ToolExecutor wrap(ToolExecutor executor) {
    Objects.requireNonNull(executor, "executor");
    return enabled ? new TracingToolExecutor(executor, recorder, aiServices) : executor;
  }

  /** Sends the spans ended so far; waits at most {@code timeout}. */
  public boolean flush(Duration timeout) {
    return tracerProvider.forceFlush().join(timeout.toMillis(), TimeUnit.MILLISECONDS).isSuccess();
  }

  /** Flushes pending spans (up to 5 s) and stops the exporter. Idempotent. */
  public void shutdown() {
    CompletableResultCode result = tracerProvider.shutdown();
    result.join(5, TimeUnit.SECONDS);
  }

  /** Same as {@link #shutdown()}. */
  @Override
  public void close() {
    shutdown();
  }

  /** Configures a {@link FlowcostLangChain4j}. */
  public static final class Builder {

    private String endpoint;
    private String serviceName;
    private String apiKey;
    private final Map<String, String> tags = new LinkedHashMap<>();
    private SpanExporter exporter;

    private Builder() {}

    /** The collector base URL; default {@code flowcost.endpoint}, else {@code http://127.0.0.1:4318}. */
    public Builder endpoint(String endpoint) {
      this.endpoint = Objects.requireNonNull(endpoint, "endpoint");
      return this;
    }

    /** The {@code service.name}; default {@code flowcost.service}, else {@code OTEL_SERVICE_NAME}. */
    public Builder serviceName(String serviceName) {
      this.serviceName = Objects.requireNonNull(serviceName, "serviceName");
      return this;
    }

    /** The collector API key, sent as {@code X-Flowcost-Api-Key}; default {@code flowcost.api-key}. */
    public Builder apiKey(String apiKey) {
      this.apiKey = Objects.requireNonNull(apiKey, "apiKey");
      return this;
    }

    /** Tags for the workflows this integration opens; they override {@code flowcost.tags}. */
    public Builder tags(Map<String, String> tags) {
      this.tags.putAll(Objects.requireNonNull(tags, "tags"));
      return this;
    }

    /** Exports to {@code exporter} synchronously instead of OTLP (tests). */
    Builder spanExporter(SpanExporter exporter) {
      this.exporter = Objects.requireNonNull(exporter, "exporter");
      return this;
    }

    /** Builds the integration and its tracer provider. */
    public FlowcostLangChain4j build() {
      return new FlowcostLangChain4j(this);
    }
  }
}
