package io.flowcost.agent;

import io.flowcost.agent.caps.BudgetSettings;
import io.flowcost.agent.caps.CapsSettings;
import io.flowcost.agent.instrumentation.InstrumentationModule;
import io.flowcost.agent.methods.WorkflowMethod;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;

/**
 * The agent's settings, read once at start-up from system properties and environment variables.
 *
 * <p>Each setting is looked up as a system property first ({@code flowcost.endpoint}) and then as an
 * environment variable ({@code FLOWCOST_ENDPOINT}). {@code OTEL_*} variables belong to the
 * application's own APM and are never read, except {@code OTEL_SERVICE_NAME} as the last fallback
 * for the service name.
 */
public final class AgentConfig {

  /** Default OTLP/HTTP endpoint of the Flowcost collector. */
  public static final String DEFAULT_ENDPOINT = "http://127.0.0.1:4318";

  /** Service name used when none is configured. */
  public static final String DEFAULT_SERVICE = "unknown_service:java";

  /** Default time the shutdown hook waits for the last spans to leave. */
  public static final long DEFAULT_SHUTDOWN_TIMEOUT_MILLIS = 3000;

  private final String endpoint;
  private final String serviceName;
  private final Map<String, String> tags;
  private final String apiKey;
  private final boolean debug;
  private final long shutdownTimeoutMillis;
  private final Set<String> brokenInstrumentations;
  private final CapsSettings caps;
  private final BudgetSettings budgets;
  private final Function<String, String> reader;
  private final List<WorkflowMethod> workflowMethods;

  private AgentConfig(
      String endpoint,
      String serviceName,
      Map<String, String> tags,
      String apiKey,
      boolean debug,
      long shutdownTimeoutMillis,
      Set<String> brokenInstrumentations,
      CapsSettings caps,
      BudgetSettings budgets,
      Function<String, String> reader,
      List<WorkflowMethod> workflowMethods) {
    this.workflowMethods = workflowMethods;
    this.caps = caps;
    this.budgets = budgets;
    this.reader = reader;
    this.endpoint = endpoint;
    this.serviceName = serviceName;
    this.tags = tags;
    this.apiKey = apiKey;
    this.debug = debug;
    this.shutdownTimeoutMillis = shutdownTimeoutMillis;
    this.brokenInstrumentations = brokenInstrumentations;
  }

  /** Reads the settings of this JVM: system properties, then environment variables. */
  public static AgentConfig fromEnvironment() {
    return from(System::getProperty, System::getenv);
  }

  /**
   * Reads settings from the given lookups.
   *
   * @param properties looks up a system property by its name ({@code flowcost.endpoint})
   * @param environment looks up an environment variable by its name ({@code FLOWCOST_ENDPOINT})
   */
  public static AgentConfig from(
      Function<String, String> properties, Function<String, String> environment) {
    Objects.requireNonNull(properties, "properties");
    Objects.requireNonNull(environment, "environment");
    String endpoint = setting(properties, environment, "flowcost.endpoint");
    String service = setting(properties, environment, "flowcost.service");
    if (service == null) {
      service = blankToNull(environment.apply("OTEL_SERVICE_NAME"));
    }
    String timeout = setting(properties, environment, "flowcost.shutdown.timeout.ms");
    Function<String, String> reader = name -> setting(properties, environment, name);
    return new AgentConfig(
        stripTrailingSlashes(endpoint == null ? DEFAULT_ENDPOINT : endpoint),
        service == null ? DEFAULT_SERVICE : service,
        parseTags(setting(properties, environment, "flowcost.tags")),
        setting(properties, environment, "flowcost.api-key"),
        Boolean.parseBoolean(setting(properties, environment, "flowcost.debug")),
        parseMillis(timeout),
        BrokenInstrumentation.parse(
            setting(properties, environment, "flowcost.testing.break-instrumentation")),
        // per-workflow keys are read lazily through the same reader, when a workflow opens
        CapsSettings.read(reader, line -> AgentLog.once("caps:" + line, line)),
        BudgetSettings.read(reader, line -> AgentLog.once("budgets:" + line, line)),
        reader,
        WorkflowMethod.parse(setting(properties, environment, WorkflowMethod.SETTING),
            line -> AgentLog.once("workflow-methods:" + line, line)));
  }

  /**
   * One setting of this JVM through the agent's settings reader: the system property {@code
   * name}, else the environment variable named like it ({@code flowcost.a-b} → {@code
   * FLOWCOST_A_B}); {@code null} when neither is set or blank.
   */
  public static String lookup(String name) {
    return setting(System::getProperty, System::getenv, name);
  }

  /**
   * Parses {@code k=v,k=v}. Blank entries and entries without a key are ignored; keys and values
   * are trimmed; a later duplicate key wins.
   */
  public static Map<String, String> parseTags(String text) {
    if (text == null || text.isBlank()) {
      return Collections.emptyMap();
    }
    Map<String, String> tags = new LinkedHashMap<>();
    for (String entry : text.split(",")) {
      int eq = entry.indexOf('=');
      String key = (eq < 0 ? entry : entry.substring(0, eq)).trim();
      if (key.isEmpty() || eq < 0) {
        continue;
      }
      tags.put(key, entry.substring(eq + 1).trim());
    }
    return Collections.unmodifiableMap(tags);
  }

  private static String setting(
      Function<String, String> properties, Function<String, String> environment, String name) {
    String value = blankToNull(properties.apply(name));
    if (value == null) {
      value =
          blankToNull(
              environment.apply(name.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_')));
    }
    return value;
  }

  private static long parseMillis(String text) {
    if (text == null) {
      return DEFAULT_SHUTDOWN_TIMEOUT_MILLIS;
    }
    try {
      long millis = Long.parseLong(text.trim());
      return millis >= 0 ? millis : DEFAULT_SHUTDOWN_TIMEOUT_MILLIS;
    } catch (NumberFormatException e) {
      return DEFAULT_SHUTDOWN_TIMEOUT_MILLIS;
    }
  }

  private static String blankToNull(String value) {
    return value == null || value.isBlank() ? null : value.trim();
  }

  private static String stripTrailingSlashes(String url) {
    String result = url;
    while (result.endsWith("/")) {
      result = result.substring(0, result.length() - 1);
    }
    return result;
  }

  /** Base URL of the collector, without a trailing slash. */
  public String endpoint() {
    return endpoint;
  }

  /** URL spans are posted to: {@code <endpoint>/v1/traces}. */
  public String tracesEndpoint() {
    return endpoint + "/v1/traces";
  }

  /**
   * True when no service name was configured ({@code flowcost.service}, {@code FLOWCOST_SERVICE},
   * {@code OTEL_SERVICE_NAME}) and spans carry {@link #DEFAULT_SERVICE}.
   */
  public boolean serviceUnset() {
    return DEFAULT_SERVICE.equals(serviceName);
  }

  /** The {@code service.name} resource attribute. */
  public String serviceName() {
    return serviceName;
  }

  /** Tags put on every workflow span as {@code flowcost.tag.<key>}; unmodifiable. */
  public Map<String, String> tags() {
    return tags;
  }

  /** API key sent as {@code X-Flowcost-Api-Key}, or {@code null}. */
  public String apiKey() {
    return apiKey;
  }

  /** Whether the agent logs its decisions and every finished span to stderr. */
  public boolean debug() {
    return debug;
  }

  /** How long the shutdown hook waits for pending spans to be exported. */
  public long shutdownTimeoutMillis() {
    return shutdownTimeoutMillis;
  }

  /** Per-workflow caps: {@code flowcost.caps}, {@code flowcost.caps.<name>}, {@code flowcost.caps.mode}. */
  public CapsSettings caps() {
    return caps;
  }

  /** How the collector's budgets are followed: {@code flowcost.budgets.*}. */
  public BudgetSettings budgets() {
    return budgets;
  }

  /** The collector's budget status URL: {@code <endpoint>/v1/budgets}. */
  public String budgetsEndpoint() {
    return endpoint + "/v1/budgets";
  }

  /**
   * Whether the instrumentation unit {@code name} is on: {@code
   * flowcost.instrumentation.<name>.enabled} ({@code FLOWCOST_INSTRUMENTATION_<NAME>_ENABLED}),
   * default {@code true}. Only {@code false} (any case) turns it off; any other value than {@code
   * true} is reported once and leaves it on, so a typo never silently drops data.
   */
  public boolean instrumentationEnabled(String name) {
    String key = InstrumentationModule.settingName(name);
    String value = reader.apply(key);
    if (value == null || value.equalsIgnoreCase("true")) {
      return true;
    }
    if (value.equalsIgnoreCase("false")) {
      return false;
    }
    // the value itself is not echoed: it is the user's text, and the key says enough
    AgentLog.once("setting:" + key, key + " is neither true nor false; the instrumentation stays"
        + " enabled");
    return true;
  }

  /**
   * The entry points of {@code flowcost.workflow.methods} ({@code FLOWCOST_WORKFLOW_METHODS}):
   * {@code com.acme.Batch#run,com.acme.Listener#onMessage}; empty by default. Unparsable entries
   * are reported once and skipped.
   */
  public List<WorkflowMethod> workflowMethods() {
    return workflowMethods;
  }

  /**
   * Test-only: instrumentations whose helpers throw at every entry
   * ({@code flowcost.testing.break-instrumentation}); empty normally. See {@link
   * BrokenInstrumentation}.
   */
  public Set<String> brokenInstrumentations() {
    return brokenInstrumentations;
  }

  @Override
  public String toString() {
    // never prints the api key
    return "AgentConfig{endpoint="
        + endpoint
        + ", service="
        + serviceName
        + ", tags="
        + tags.keySet()
        + ", apiKey="
        + (apiKey == null ? "unset" : "set")
        + ", debug="
        + debug
        + ", shutdownTimeoutMillis="
        + shutdownTimeoutMillis
        + (brokenInstrumentations.isEmpty() ? "" : ", brokenInstrumentations=" + brokenInstrumentations)
        + '}';
  }
}
