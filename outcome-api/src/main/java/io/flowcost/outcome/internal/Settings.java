package io.flowcost.outcome.internal;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * Where and as whom the API reports: endpoint, service name, API key and default tags; where
 * undeliverable reports wait and how long JVM exit waits for them.
 *
 * <p>Internal to Flowcost; not an API. {@link #fromEnvironment()} reads the same settings as the
 * agent: system property first, then environment variable ({@code flowcost.endpoint} /
 * {@code FLOWCOST_ENDPOINT}, {@code flowcost.service} / {@code FLOWCOST_SERVICE} falling back to
 * {@code OTEL_SERVICE_NAME}, {@code flowcost.api-key} / {@code FLOWCOST_API_KEY},
 * {@code flowcost.tags} / {@code FLOWCOST_TAGS} as {@code k=v,k=v}, {@code flowcost.spool.dir} /
 * {@code FLOWCOST_SPOOL_DIR}, {@code flowcost.spool.max-bytes} / {@code FLOWCOST_SPOOL_MAX_BYTES},
 * {@code flowcost.shutdown.timeout.ms} / {@code FLOWCOST_SHUTDOWN_TIMEOUT_MS}).
 * {@code OTEL_EXPORTER_*} is never read: it belongs to the application's own APM.
 */
public final class Settings {

  /** The collector's default address. */
  public static final String DEFAULT_ENDPOINT = "http://127.0.0.1:4318";
  /** Default {@code flowcost.spool.max-bytes}, as the agent's: 64 MiB. */
  public static final long DEFAULT_SPOOL_MAX_BYTES = 64L * 1024 * 1024;
  /** Default {@code flowcost.shutdown.timeout.ms}, as the agent's: 3 s. */
  public static final Duration DEFAULT_SHUTDOWN_TIMEOUT = Duration.ofMillis(3000);
  /** The sub-folder of the spool root that holds reports (the agent's span folders are beside it). */
  public static final String SPOOL_FOLDER = "outcomes";

  private final URI endpoint;
  private final String serviceName;
  private final String apiKey;
  private final Map<String, String> tags;
  private final Path spoolDir;
  private final long spoolMaxBytes;
  private final Duration shutdownTimeout;

  /**
   * Creates settings with the default spool (see {@link #defaultSpoolRoot}) and shutdown wait.
   *
   * @param endpoint the collector base URL, e.g. {@code http://127.0.0.1:4318}
   * @param serviceName the {@code service.name} of spans this API sends
   * @param apiKey the collector API key, or {@code null}
   * @param tags default workflow tags (lowest precedence)
   */
  public Settings(String endpoint, String serviceName, String apiKey, Map<String, String> tags) {
    this(endpoint, serviceName, apiKey, tags, null, DEFAULT_SPOOL_MAX_BYTES,
        DEFAULT_SHUTDOWN_TIMEOUT);
  }

  /**
   * Creates settings.
   *
   * @param endpoint the collector base URL, e.g. {@code http://127.0.0.1:4318}
   * @param serviceName the {@code service.name} of spans this API sends
   * @param apiKey the collector API key, or {@code null}
   * @param tags default workflow tags (lowest precedence)
   * @param spoolRoot {@code flowcost.spool.dir}: reports wait in its {@code outcomes/} folder;
   *     {@code null} for the default, {@link #defaultSpoolRoot}
   * @param spoolMaxBytes bound of the report spool; beyond it the oldest reports are dropped
   * @param shutdownTimeout how long JVM exit waits for pending reports before it spools them
   */
  public Settings(String endpoint, String serviceName, String apiKey, Map<String, String> tags,
      Path spoolRoot, long spoolMaxBytes, Duration shutdownTimeout) {
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
    this.spoolDir = (spoolRoot != null ? spoolRoot : defaultSpoolRoot(this.serviceName))
        .resolve(SPOOL_FOLDER);
    this.spoolMaxBytes = spoolMaxBytes;
    this.shutdownTimeout = Objects.requireNonNull(shutdownTimeout, "shutdownTimeout");
  }

  /**
   * {@code <java.io.tmpdir>/flowcost-spool/services/<service>-<hash>}: the agent's default span
   * spool root (its {@code ExportSettings.defaultSpoolRoot}, kept equal by its test), keyed by
   * service and not by endpoint, so reports spooled while the endpoint was wrong are replayed to
   * the corrected one by the next process of the same service.
   */
  public static Path defaultSpoolRoot(String serviceName) {
    String readable = serviceName.replaceAll("[^A-Za-z0-9._-]", "_");
    if (readable.length() > 40) {
      readable = readable.substring(0, 40);
    }
    String hash = Integer.toHexString(serviceName.hashCode());
    return Path.of(System.getProperty("java.io.tmpdir"), "flowcost-spool", "services",
        readable + "-" + hash);
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
    String spool = first(properties.apply("flowcost.spool.dir"), env.apply("FLOWCOST_SPOOL_DIR"));
    long spoolMax = number(first(properties.apply("flowcost.spool.max-bytes"),
        env.apply("FLOWCOST_SPOOL_MAX_BYTES")), DEFAULT_SPOOL_MAX_BYTES);
    long shutdownMillis = number(first(properties.apply("flowcost.shutdown.timeout.ms"),
        env.apply("FLOWCOST_SHUTDOWN_TIMEOUT_MS")), DEFAULT_SHUTDOWN_TIMEOUT.toMillis());
    return new Settings(
        endpoint == null ? DEFAULT_ENDPOINT : endpoint,
        service == null ? "unknown_service:java" : service,
        apiKey,
        parseTags(tags),
        spool == null ? null : Path.of(spool),
        spoolMax,
        Duration.ofMillis(shutdownMillis));
  }

  /** A non-negative whole number, or {@code fallback} when absent or not one. */
  private static long number(String text, long fallback) {
    if (text == null) {
      return fallback;
    }
    try {
      long n = Long.parseLong(text);
      return n >= 0 ? n : fallback;
    } catch (NumberFormatException e) {
      return fallback;
    }
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

  /** The directory whose per-process folders hold undeliverable reports. */
  public Path spoolDir() {
    return spoolDir;
  }

  /** Bound of the report spool in bytes. */
  public long spoolMaxBytes() {
    return spoolMaxBytes;
  }

  /** How long JVM exit waits for pending reports before spooling them. */
  public Duration shutdownTimeout() {
    return shutdownTimeout;
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
