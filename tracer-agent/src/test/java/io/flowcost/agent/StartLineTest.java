package io.flowcost.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.flowcost.agent.http.HttpSettings;
import io.flowcost.agent.instrumentation.InstrumentationModule;
import io.flowcost.agent.instrumentation.Instrumentations;
import java.net.MalformedURLException;
import java.net.URL;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
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
        .contains("Spring AI").contains("OpenAI/Anthropic/Bedrock/Gemini SDKs")
        .doesNotContain("http.capture=all").doesNotContain("found:")
        .contains("FLOWCOST_DEBUG=true").doesNotContain("\n");
    assertThat(line.length()).as(line).isLessThan(256); // one line, even with every hook group named
    String everything = AgentInstaller.startLine("0.1.0", config, http,
        List.copyOf(AgentInstaller.NAMED_WHEN_FOUND.values()));
    assertThat(everything).contains("; found: LangChain4j, Spring AI, OpenAI SDK, Anthropic SDK,"
        + " Bedrock SDK, Google Gen AI SDK (").doesNotContain("\n");
    assertThat(everything.length()).as(everything).isLessThan(320);
    assertThat(config.serviceUnset()).isFalse();
    HttpSettings all = HttpSettings.from(Map.of("flowcost.http.capture", "all")::get,
        name -> null, config.endpoint());
    assertThat(AgentInstaller.startLine("0.1.0", config, all))
        .contains("all HTTP in workflows recorded (http.capture=all)");
  }

  @Test
  void namesTheFrameworksAndSdksItFindsOnTheClassPath() {
    AgentConfig config = AgentConfig.from(Map.of("flowcost.service", "claims-bot")::get, n -> null);
    // a loader with the Google Gen AI SDK and the Bedrock Runtime SDK, nothing else
    ClassLoader both = loaderWith("com/google/genai/RetryInterceptor.class",
        "software/amazon/awssdk/services/bedrockruntime/BedrockRuntimeClient.class");
    assertThat(AgentInstaller.detected(both, config))
        .containsExactly("Bedrock SDK", "Google Gen AI SDK");
    HttpSettings http = HttpSettings.from(name -> null, name -> null, config.endpoint());
    assertThat(AgentInstaller.startLine("0.1.0", config, http,
        AgentInstaller.detected(both, config)))
        .contains("; found: Bedrock SDK, Google Gen AI SDK (FLOWCOST_DEBUG");
    assertThat(AgentInstaller.detected(loaderWith(), config)).isEmpty();
    // a unit switched off is not named as found (the line lists it as disabled)
    AgentConfig off = AgentConfig.from(Map.of("flowcost.service", "claims-bot",
        "flowcost.instrumentation.google-genai.enabled", "false")::get, n -> null);
    assertThat(AgentInstaller.detected(both, off)).containsExactly("Bedrock SDK");
    assertThat(AgentInstaller.startLine("0.1.0", off, http, AgentInstaller.detected(both, off)))
        .contains("; found: Bedrock SDK; disabled: google-genai");
  }

  @Test
  void everyUnitNamedWhenFoundIsAUnitThatNamesItsLibrary() {
    Map<String, InstrumentationModule> units = Instrumentations.all().stream()
        .collect(Collectors.toMap(InstrumentationModule::name, m -> m));
    assertThat(units.keySet()).containsAll(AgentInstaller.NAMED_WHEN_FOUND.keySet());
    AgentInstaller.NAMED_WHEN_FOUND.keySet().forEach(name ->
        assertThat(units.get(name).libraryCheck().namesLibrary()).as(name).isTrue());
  }

  /** A class loader that sees exactly these class files (empty ones) and nothing else. */
  private static ClassLoader loaderWith(String... classFiles) {
    Set<String> files = Set.of(classFiles);
    return new ClassLoader(null) {
      @Override
      public URL getResource(String name) {
        if (!files.contains(name)) {
          return null;
        }
        try {
          return new URL("file:/nonexistent/" + name);
        } catch (MalformedURLException e) {
          throw new IllegalStateException(e);
        }
      }
    };
  }

  @Test
  void anUnsetServiceIsDetectedAndOtelServiceNameCounts() {
    assertThat(AgentConfig.from(name -> null, name -> null).serviceUnset()).isTrue();
    assertThat(AgentConfig.from(name -> null,
        Map.of("OTEL_SERVICE_NAME", "billing")::get).serviceUnset()).isFalse();
  }
}
