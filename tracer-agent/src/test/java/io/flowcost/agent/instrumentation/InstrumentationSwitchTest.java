package io.flowcost.agent.instrumentation;

import static org.assertj.core.api.Assertions.assertThat;

import io.flowcost.agent.AgentConfig;
import io.flowcost.agent.AgentInstallerAccess;
import io.flowcost.agent.http.HttpSettings;
import io.flowcost.agent.http.TestLlmServer;
import io.flowcost.agent.testing.AgentTelemetryExtension;
import io.flowcost.agent.testing.OkHttpLoader;
import java.io.IOException;
import java.lang.instrument.ClassFileTransformer;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code flowcost.instrumentation.<name>.enabled}: a switched-off unit is not installed — its
 * classes load untransformed — and so records nothing, while the same request through the unit
 * switched on is recorded. The classes are transformed as the JVM would hand them to the agent:
 * through the installer's own {@code ClassFileTransformer}, into a fresh class loader.
 */
class InstrumentationSwitchTest {

  @RegisterExtension final AgentTelemetryExtension telemetry = new AgentTelemetryExtension();

  @AfterEach
  void reset() {
    HttpSettings.install(HttpSettings.from(n -> null, n -> null, "http://127.0.0.1:4318"));
  }

  private static AgentConfig config(Map<String, String> properties, Map<String, String> env) {
    return AgentConfig.from(properties::get, env::get);
  }

  @Test
  void everyUnitIsOnByDefaultAndEachSwitchTurnsOffOnlyItsOwn() {
    List<String> all = Instrumentations.all().stream().map(InstrumentationModule::name).toList();
    assertThat(new HashSet<>(all)).as("names are unique").hasSameSizeAs(all);
    assertThat(names(AgentInstallerAccess.enabled(config(Map.of(), Map.of())))).isEqualTo(all);

    AgentConfig offByProperty =
        config(Map.of("flowcost.instrumentation.okhttp.enabled", "false"), Map.of());
    AgentConfig offByEnv =
        config(Map.of(), Map.of("FLOWCOST_INSTRUMENTATION_APACHE_HTTPCLIENT_5_ENABLED", "FALSE"));
    assertThat(names(AgentInstallerAccess.enabled(offByProperty)))
        .doesNotContain("okhttp").hasSize(all.size() - 1);
    assertThat(names(AgentInstallerAccess.enabled(offByEnv)))
        .doesNotContain("apache-httpclient-5").hasSize(all.size() - 1);
    // a value that is neither true nor false never silently drops data
    assertThat(config(Map.of("flowcost.instrumentation.okhttp.enabled", "no"), Map.of())
        .instrumentationEnabled("okhttp")).isTrue();
  }

  @Test
  void theReadmeListsEveryUnitByName() throws IOException {
    String readme = Files.readString(Path.of("README.md"), StandardCharsets.UTF_8);
    for (InstrumentationModule unit : Instrumentations.all()) {
      assertThat(readme).as(unit.name()).contains("| `" + unit.name() + "` |");
    }
  }

  @Test
  void theStartLineNamesTheUnitsSwitchedOff() {
    AgentConfig config = config(Map.of("flowcost.instrumentation.okhttp.enabled", "false",
        "flowcost.instrumentation.servlet.enabled", "false"), Map.of());
    assertThat(AgentInstallerAccess.startLine(config)).contains("; disabled: okhttp, servlet");
    assertThat(AgentInstallerAccess.startLine(config(Map.of(), Map.of()))).doesNotContain("disabled");
  }

  @Test
  void theLibraryCheckRejectsAClassLoaderWithoutTheLibrary() throws IOException {
    InstrumentationModule okhttp = unit("okhttp");
    try (URLClassLoader empty = new URLClassLoader(new URL[0], null)) {
      assertThat(okhttp.libraryCheck().matches(empty)).isFalse();
    }
    assertThat(okhttp.libraryCheck().matches(getClass().getClassLoader())).isTrue();
    assertThat(unit("jdk-http-client").libraryCheck().matches(null)).as("JDK: no check").isTrue();
  }

  @Test
  void aDisabledInstrumentationIsNotInstalledAndRecordsNothing() throws Exception {
    try (TestLlmServer server = TestLlmServer.start()) {
      HttpSettings.install(HttpSettings.from(
          Map.of("flowcost.llm-endpoints", server.baseUrl())::get, n -> null, "http://127.0.0.1:4318"));

      ClassFileTransformer off = transformer(
          config(Map.of("flowcost.instrumentation.okhttp.enabled", "false"), Map.of()));
      try (OkHttpLoader loader = new OkHttpLoader(off)) {
        assertThat(loader.transformed).as("no class transformed").isEmpty();
        assertThat(chat(loader, server.baseUrl())).isEqualTo(TestLlmServer.JSON_REPLY);
        assertThat(loader.transformed).as("no class transformed").isEmpty();
      }
      assertThat(telemetry.spans()).as("nothing recorded").isEmpty();

      // the same request with the unit on: recorded, so the empty result above means something
      ClassFileTransformer on = transformer(config(Map.of(), Map.of()));
      try (OkHttpLoader loader = new OkHttpLoader(on)) {
        assertThat(chat(loader, server.baseUrl())).isEqualTo(TestLlmServer.JSON_REPLY);
        // the builder (its interceptor) and the async call (its enqueuer's context), which the
        // JVM loads to verify RealCall even for a blocking call
        assertThat(loader.transformed).containsExactlyInAnyOrder(
            "okhttp3.OkHttpClient$Builder", "okhttp3.internal.connection.RealCall$AsyncCall");
      }
      assertThat(telemetry.spans()).hasSize(3); // workflow, call, attempt
    }
  }

  private static ClassFileTransformer transformer(AgentConfig config) {
    return AgentInstallerAccess.transformer(config);
  }

  private static InstrumentationModule unit(String name) {
    return Instrumentations.all().stream().filter(m -> m.name().equals(name)).findFirst().orElseThrow();
  }

  private static List<String> names(List<InstrumentationModule> modules) {
    return modules.stream().map(InstrumentationModule::name).collect(Collectors.toList());
  }

  /** A bare chat request through a client built with {@code OkHttpClient.Builder.build()}. */
  private static String chat(OkHttpLoader loader, String baseUrl) throws Exception {
    Object builder = loader.type("okhttp3.OkHttpClient$Builder").getConstructor().newInstance();
    Object client = builder.getClass().getMethod("build").invoke(builder);
    Class<?> mediaType = loader.type("okhttp3.MediaType");
    Class<?> requestBody = loader.type("okhttp3.RequestBody");
    Object body = requestBody.getMethod("create", String.class, mediaType).invoke(null,
        "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
        mediaType.getMethod("get", String.class).invoke(null, "application/json"));
    Class<?> requestBuilder = loader.type("okhttp3.Request$Builder");
    Object request = requestBuilder.getConstructor().newInstance();
    requestBuilder.getMethod("url", String.class).invoke(request, baseUrl + "/chat/completions");
    requestBuilder.getMethod("post", requestBody).invoke(request, body);
    Object built = requestBuilder.getMethod("build").invoke(request);
    Class<?> clientType = loader.type("okhttp3.OkHttpClient");
    Object call = clientType.getMethod("newCall", loader.type("okhttp3.Request")).invoke(client, built);
    Object response = loader.type("okhttp3.Call").getMethod("execute").invoke(call);
    try {
      Object responseBody = loader.type("okhttp3.Response").getMethod("body").invoke(response);
      return (String) loader.type("okhttp3.ResponseBody").getMethod("string").invoke(responseBody);
    } finally {
      ((AutoCloseable) response).close();
      Object dispatcher = clientType.getMethod("dispatcher").invoke(client);
      ((java.util.concurrent.ExecutorService) dispatcher.getClass().getMethod("executorService")
          .invoke(dispatcher)).shutdown();
      Object pool = clientType.getMethod("connectionPool").invoke(client);
      pool.getClass().getMethod("evictAll").invoke(pool);
    }
  }
}
