package io.flowcost.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.flowcost.agent.http.HttpSettings;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The line the agent prints when it attaches, and the unset-service warning's trigger. */
class StartLineTest {

  @Test
  void namesVersionServiceTracesUrlAndHooks() {
    AgentConfig config = AgentConfig.from(
        Map.of("flowcost.service", "claims-bot", "flowcost.endpoint", "http://10.0.0.5:4318/")::get,
        name -> null);
    HttpSettings http = HttpSettings.from(name -> null, name -> null, config.endpoint());

    String line = AgentInstaller.startLine("0.1.0", config, http);

    assertThat(line).startsWith("agent 0.1.0 attached: service claims-bot, spans to"
        + " http://10.0.0.5:4318/v1/traces; hooks: LangChain4j")
        .contains("Spring AI").contains("OpenAI/Anthropic SDKs").contains("Bedrock SDK").doesNotContain("http.capture=all")
        .contains("FLOWCOST_DEBUG=true").doesNotContain("\n");
    assertThat(line.length()).as(line).isLessThan(256); // one line, even with every hook group named
    assertThat(config.serviceUnset()).isFalse();
    HttpSettings all = HttpSettings.from(Map.of("flowcost.http.capture", "all")::get,
        name -> null, config.endpoint());
    assertThat(AgentInstaller.startLine("0.1.0", config, all))
        .contains("all HTTP in workflows recorded (http.capture=all)");
  }

  @Test
  void anUnsetServiceIsDetectedAndOtelServiceNameCounts() {
    assertThat(AgentConfig.from(name -> null, name -> null).serviceUnset()).isTrue();
    assertThat(AgentConfig.from(name -> null,
        Map.of("OTEL_SERVICE_NAME", "billing")::get).serviceUnset()).isFalse();
  }
}
