package io.flowcost.outcome.internal;

import java.net.URI;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * Where and as whom the API reports: endpoint, service name, API key and default tags.
 *
 * <p>Internal to Flowcost; not an API. {@link #fromEnvironment()} reads the same settings as the
 * agent: system property first, then environment variable ({@code flowcost.endpoint} /
 * {@code FLOWCOST_ENDPOINT}, {@code flowcost.service} / {@code FLOWCOST_SERVICE} falling back to
 * {@code OTEL_SERVICE_NAME}, {@code flowcost.api-key} / {@code FLOWCOST_API_KEY},
 * {@code flowcost.tags} / {@code FLOWCOST_TAGS} as {@code k=v,k=v}). {@code OTEL_EXPORTER_*} is
 * never read: it belongs to the application's own APM.
 */
public final class Settings {

  /** The collector's default address. */
  public static final String DEFAULT_ENDPOINT = "http://127.0.0.1:4318";

  private final URI endpoint;
  private final String serviceName;
  private final String apiKey;
  private final Map<String, String> tags;

  /**
   * Creates settings.
   *
   * @param endpoint the collector base URL, e.g. {@code http://127.0.0.1:4318}
   * @param serviceName the {@code service.name} of spans this API sends
   * @param apiKey the collector API key, or {@code null}
   * @param tags default workflow tags (lowest precedence)
   */
  public Settings(String endpoint, String serviceName, String apiKey, Map<String, String> tags) {
    String base = Objects.requireNonNull(endpoint, "endpoint").trim();
    while (base.endsWith("/")) {
      base = base.substring(0, base.length() - 1);
    }
    URI uri = URI.create(base);
    if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())) {
      throw new IllegalArgumentException("flowcost endpoint must be an http(s) URL");
    }
    this.endpoint = uri;
    this.serviceName = Objects.requireNonNull(serviceName, "serviceName");
    this.apiKey = apiKey == null || apiKey.isBlank() ? null : apiKey.trim();
    this.tags = Collections.unmodifiableMap(new LinkedHashMap<>(tags));
  }

  /** Reads the settings from system properties and the environment. */
  public static Settings fromEnvironment() {
    return from(System::getProperty, System::getenv);
  }

  static Settings from(Function<String, String> properties, Function<String, String> env) {
    String endpoint = first(properties.apply("flowcost.endpoint"), env.apply("FLOWCOST_ENDPOINT"));
    String service =
        first(
            properties.apply("flowcost.service"),
            env.apply("FLOWCOST_SERVICE"),
            env.apply("OTEL_SERVICE_NAME"));
    String apiKey = first(properties.apply("flowcost.api-key"), env.apply("FLOWCOST_API_KEY"));
    String tags = first(properties.apply("flowcost.tags"), env.apply("FLOWCOST_TAGS"));
    return new Settings(
        endpoint == null ? DEFAULT_ENDPOINT : endpoint,
        service == null ? "unknown_service:java" : service,
        apiKey,
        parseTags(tags));
  }

  /**
   * Parses {@code k=v,k=v}; entries without {@code =} or with an empty key are ignored.
   *
   * @param spec the tag list, may be {@code null}
   */
  public static Map<String, String> parseTags(String spec) {
    Map<String, String> tags = new LinkedHashMap<>();
    if (spec == null) {
      return tags;
    }
    for (String entry : spec.split(",")) {
      int eq = entry.indexOf('=');
      if (eq <= 0) {
        continue;
      }
      String key = entry.substring(0, eq).trim();
      if (!key.isEmpty()) {
        tags.put(key, entry.substring(eq + 1).trim());
      }
    }
    return tags;
  }

  /** The collector base URL without a trailing slash. */
  public URI endpoint() {
    return endpoint;
  }

  /** Resolves a path such as {@code /v1/outcomes} against the endpoint. */
  public URI resolve(String path) {
    return URI.create(endpoint + path);
  }

  /** The {@code service.name} resource attribute. */
  public String serviceName() {
    return serviceName;
  }

  /** The API key sent as {@code X-Flowcost-Api-Key}, or {@code null}. */
  public String apiKey() {
    return apiKey;
  }

  /** Default workflow tags from {@code flowcost.tags}. */
  public Map<String, String> tags() {
    return tags;
  }

  private static String first(String... values) {
    for (String v : values) {
      if (v != null && !v.isBlank()) {
        return v.trim();
      }
    }
    return null;
  }
}
