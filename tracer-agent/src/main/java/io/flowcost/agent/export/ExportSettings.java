package io.flowcost.agent.export;

import io.flowcost.agent.AgentConfig;
import io.flowcost.agent.AgentLog;
import java.nio.file.Path;
import java.util.Locale;
import java.util.function.Function;

/**
 * How spans leave the process: where to, how much may wait in memory, and where and how much may
 * wait on disk while the collector is unreachable.
 *
 * @param tracesEndpoint the collector's {@code /v1/traces} URL
 * @param apiKey sent as {@code X-Flowcost-Api-Key}, or {@code null}
 * @param serviceName {@code service.name} of the dropped-span reports
 * @param spoolRoot parent of the per-process spool folders ({@code flowcost.spool.dir}; by default
 *     a folder per service under the temp dir, see {@link #defaultSpoolRoot})
 * @param spoolMaxBytes bound of this process's spool; the oldest batches go first
 * @param memoryMaxBytes bound of encoded batches waiting in memory before they are spooled
 * @param shutdownTimeoutMillis how long JVM shutdown waits for pending spans to be sent
 * @param legacySpoolParent where the old endpoint-keyed default roots lie, whose orphaned spools
 *     are adopted too; {@code null} when {@code flowcost.spool.dir} is set
 * @param batch how ended spans are queued and batched for the export thread ({@code
 *     flowcost.bsp.*})
 */
public record ExportSettings(
    String tracesEndpoint,
    String apiKey,
    String serviceName,
    Path spoolRoot,
    long spoolMaxBytes,
    long memoryMaxBytes,
    long shutdownTimeoutMillis,
    Path legacySpoolParent,
    BatchSettings batch) {

  /** Default {@code flowcost.spool.max-bytes}: 64 MiB. */
  public static final long DEFAULT_SPOOL_MAX_BYTES = 64L * 1024 * 1024;
  /** Default {@code flowcost.queue.max-bytes}: 4 MiB of encoded spans. */
  public static final long DEFAULT_MEMORY_MAX_BYTES = 4L * 1024 * 1024;

  /** Reads the export settings beside {@code config}, from system properties then environment. */
  public static ExportSettings from(AgentConfig config, Function<String, String> properties,
      Function<String, String> environment) {
    String dir = setting(properties, environment, "flowcost.spool.dir");
    Path root = dir != null ? Path.of(dir) : defaultSpoolRoot(config.serviceName());
    return new ExportSettings(config.tracesEndpoint(), config.apiKey(), config.serviceName(), root,
        bytes(setting(properties, environment, "flowcost.spool.max-bytes"),
            DEFAULT_SPOOL_MAX_BYTES),
        bytes(setting(properties, environment, "flowcost.queue.max-bytes"),
            DEFAULT_MEMORY_MAX_BYTES),
        config.shutdownTimeoutMillis(),
        dir != null ? null : defaultSpoolParent(),
        // a bad value is logged once, naming the setting and its range, and its default used
        BatchSettings.read(name -> setting(properties, environment, name),
            line -> AgentLog.once("setting:" + line, line)));
  }

  /**
   * {@code <java.io.tmpdir>/flowcost-spool/services/<service>-<hash>}: one root per service, not
   * per endpoint, so what a process spooled is replayed by the next process of the same service
   * to the collector that one is configured for (a spool written while the endpoint was wrong
   * reaches the corrected one), and one service never replays another's spans under its own API
   * key. The outcome API spools into {@code outcomes/} of the same root; its
   * {@code Settings.defaultSpoolRoot} must stay equal to this ({@code ExportSettingsTest} checks).
   */
  static Path defaultSpoolRoot(String serviceName) {
    String readable = serviceName.replaceAll("[^A-Za-z0-9._-]", "_");
    if (readable.length() > 40) {
      readable = readable.substring(0, 40);
    }
    String hash = Integer.toHexString(serviceName.hashCode());
    return defaultSpoolParent().resolve("services").resolve(readable + "-" + hash);
  }

  /** {@code <java.io.tmpdir>/flowcost-spool}, where the old endpoint-keyed roots lie. */
  static Path defaultSpoolParent() {
    return Path.of(System.getProperty("java.io.tmpdir"), "flowcost-spool");
  }

  /** {@link #from} with this JVM's system properties and environment. */
  public static ExportSettings fromEnvironment(AgentConfig config) {
    return from(config, System::getProperty, System::getenv);
  }

  private static String setting(Function<String, String> properties,
      Function<String, String> environment, String name) {
    String value = properties.apply(name);
    if (value == null || value.isBlank()) {
      value = environment.apply(name.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_'));
    }
    return value == null || value.isBlank() ? null : value.trim();
  }

  private static long bytes(String text, long fallback) {
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
}
