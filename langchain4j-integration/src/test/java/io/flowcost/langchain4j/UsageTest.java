package io.flowcost.langchain4j;

import static org.assertj.core.api.Assertions.assertThat;

import dev.langchain4j.model.anthropic.AnthropicTokenUsage;
import dev.langchain4j.model.output.FinishReason;
import dev.langchain4j.model.output.TokenUsage;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import org.junit.jupiter.api.Test;

class UsageTest {

  private final InMemorySpanExporter exporter = InMemorySpanExporter.create();
  private final SdkTracerProvider provider =
      SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(exporter)).build();

  @Test
  void anthropicInputIncludesCacheReadsAndWrites() {
    SpanData span =
        record(
            AnthropicTokenUsage.builder()
                .inputTokenCount(50)
                .cacheReadInputTokens(1000)
                .cacheCreationInputTokens(200)
                .outputTokenCount(30)
                .build());
    assertThat(span.getAttributes().get(Attributes.INPUT_TOKENS)).isEqualTo(1250L);
    assertThat(span.getAttributes().get(Attributes.CACHE_READ_TOKENS)).isEqualTo(1000L);
    assertThat(span.getAttributes().get(Attributes.CACHE_CREATION_TOKENS)).isEqualTo(200L);
    assertThat(span.getAttributes().get(Attributes.OUTPUT_TOKENS)).isEqualTo(30L);
    assertThat(span.getAttributes().get(Attributes.REASONING_TOKENS)).isNull();
  }

  @Test
  void plainUsageIsTakenAsReportedAndMissingUsageWritesNothing() {
    SpanData plain = record(new TokenUsage(12, 3));
    assertThat(plain.getAttributes().get(Attributes.INPUT_TOKENS)).isEqualTo(12L);
    assertThat(plain.getAttributes().get(Attributes.OUTPUT_TOKENS)).isEqualTo(3L);
    assertThat(plain.getAttributes().get(Attributes.CACHE_READ_TOKENS)).isNull();

    SpanData none = record(new TokenUsage());
    assertThat(none.getAttributes().asMap().keySet())
        .noneMatch(k -> k.getKey().startsWith("gen_ai.usage."));
  }

  @Test
  void mapsProvidersAndFinishReasons() {
    assertThat(ProviderNames.of(dev.langchain4j.model.ModelProvider.OPEN_AI)).isEqualTo("openai");
    assertThat(ProviderNames.of(dev.langchain4j.model.ModelProvider.AZURE_OPEN_AI)).isEqualTo("azure.ai.openai");
    assertThat(ProviderNames.of(dev.langchain4j.model.ModelProvider.OTHER)).isNull();
    assertThat(ModelCallListener.finishReason(FinishReason.TOOL_EXECUTION)).isEqualTo("tool_calls");
    assertThat(ModelCallListener.finishReason(FinishReason.LENGTH)).isEqualTo("length");
    assertThat(AiServiceTracing.simpleName("com.acme.Outer$Assistant")).isEqualTo("Assistant");
  }

  private SpanData record(TokenUsage usage) {
    exporter.reset();
    Span span = provider.get("test").spanBuilder("s").startSpan();
    Usage.record(span, usage);
    span.end();
    return exporter.getFinishedSpanItems().get(0);
  }

}
