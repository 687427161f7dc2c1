package io.flowcost.agent.testing;

import io.flowcost.agent.AgentConfig;
import io.flowcost.agent.context.AgentContext;
import io.flowcost.agent.export.Telemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/** Installs the agent's telemetry with an in-memory exporter for one test. */
public final class AgentTelemetryExtension implements BeforeEachCallback, AfterEachCallback {

  private final InMemorySpanExporter exporter = InMemorySpanExporter.create();

  @Override
  public void beforeEach(ExtensionContext context) {
    AgentConfig config =
        AgentConfig.from(
            Map.of("flowcost.service", "claims-bot", "flowcost.tags", "team=claims,env=test")::get,
            name -> null);
    Telemetry telemetry = Telemetry.create(config, "test", SimpleSpanProcessor.create(exporter));
    AgentContext.install(telemetry.tracer(), config);
    exporter.reset();
  }

  @Override
  public void afterEach(ExtensionContext context) {
    if (Context.current() != Context.root()) {
      throw new AssertionError("a test leaked a current context");
    }
  }

  /** Finished spans, in end order. */
  public List<SpanData> spans() {
    return exporter.getFinishedSpanItems();
  }

  /** The single finished span with the given attribute value. */
  public <T> SpanData span(AttributeKey<T> key, T value) {
    List<SpanData> matches =
        spans().stream().filter(s -> value.equals(s.getAttributes().get(key))).collect(Collectors.toList());
    if (matches.size() != 1) {
      throw new AssertionError("expected one span with " + key + "=" + value + " but got " + matches);
    }
    return matches.get(0);
  }
}
