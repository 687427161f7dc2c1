package io.flowcost.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class AgentConfigTest {

  private static AgentConfig config(Map<String, String> properties, Map<String, String> env) {
    return AgentConfig.from(properties::get, env::get);
  }

  @Test
  void defaultsWhenNothingIsSet() {
    AgentConfig config = config(Map.of(), Map.of());

    assertThat(config.endpoint()).isEqualTo("http://127.0.0.1:4318");
    assertThat(config.tracesEndpoint()).isEqualTo("http://127.0.0.1:4318/v1/traces");
    assertThat(config.serviceName()).isEqualTo("unknown_service:java");
    assertThat(config.tags()).isEmpty();
    assertThat(config.apiKey()).isNull();
    assertThat(config.debug()).isFalse();
    assertThat(config.shutdownTimeoutMillis()).isEqualTo(3000);
  }

  @Test
  void systemPropertyWinsOverEnvironment() {
    AgentConfig config =
        config(
            Map.of("flowcost.endpoint", "http://collector:9000/", "flowcost.service", "claims-bot"),
            Map.of(
                "FLOWCOST_ENDPOINT", "http://env:1",
                "FLOWCOST_SERVICE", "env-service",
                "FLOWCOST_API_KEY", "k-123"));

    assertThat(config.endpoint()).isEqualTo("http://collector:9000");
    assertThat(config.tracesEndpoint()).isEqualTo("http://collector:9000/v1/traces");
    assertThat(config.serviceName()).isEqualTo("claims-bot");
    assertThat(config.apiKey()).isEqualTo("k-123");
  }

  @Test
  void serviceFallsBackToOtelServiceNameButNoOtherOtelSettingIsRead() {
    AgentConfig config =
        config(
            Map.of(),
            Map.of(
                "OTEL_SERVICE_NAME", "from-otel",
                "OTEL_EXPORTER_OTLP_ENDPOINT", "http://apm:4318"));

    assertThat(config.serviceName()).isEqualTo("from-otel");
    assertThat(config.endpoint()).isEqualTo(AgentConfig.DEFAULT_ENDPOINT);
  }

  @Test
  void flowcostServiceWinsOverOtelServiceName() {
    AgentConfig config =
        config(Map.of(), Map.of("OTEL_SERVICE_NAME", "otel", "FLOWCOST_SERVICE", "flowcost"));

    assertThat(config.serviceName()).isEqualTo("flowcost");
  }

  @Test
  void parsesTagsTrimmingAndSkippingMalformedEntries() {
    AgentConfig config =
        config(Map.of("flowcost.tags", " team = claims ,env=prod,,novalue,=x,feature=a=b,team=core"), Map.of());

    assertThat(config.tags())
        .containsExactly(
            Map.entry("team", "core"), Map.entry("env", "prod"), Map.entry("feature", "a=b"));
  }

  @Test
  void readsDebugAndShutdownTimeoutIgnoringGarbage() {
    assertThat(
            config(
                    Map.of("flowcost.debug", "true", "flowcost.shutdown.timeout.ms", "750"),
                    Map.of())
                .shutdownTimeoutMillis())
        .isEqualTo(750);
    assertThat(config(Map.of("flowcost.shutdown.timeout.ms", "soon"), Map.of()).shutdownTimeoutMillis())
        .isEqualTo(3000);
    assertThat(config(Map.of(), Map.of("FLOWCOST_DEBUG", "TRUE")).debug()).isTrue();
  }

  @Test
  void toStringNeverShowsTheApiKey() {
    AgentConfig config = config(Map.of("flowcost.api-key", "super-secret"), Map.of());

    assertThat(config.toString()).doesNotContain("super-secret").contains("apiKey=set");
  }
}
