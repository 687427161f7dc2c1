package io.flowcost.agent.http;

import java.net.URI;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * Settings of the HTTP-client instrumentation, read once at start-up like {@code AgentConfig}
 * (system property first, then the environment variable of the same name in upper case):
 *
 * <ul>
 *   <li>{@code flowcost.llm-endpoints}: comma-separated base URLs whose requests are model calls
 *       (an internal gateway, a local server), beside the well-known provider hosts;
 *   <li>{@code flowcost.http.capture}: {@code llm-only} (default) or {@code all} — other requests
 *       made inside a workflow become {@code http} calls;
 *   <li>{@code flowcost.propagation.hosts}: comma-separated hosts ({@code *.example.com} allowed)
 *       that receive the workflow id and tags in W3C baggage.
 * </ul>
 */
public final class HttpSettings {

  private static volatile HttpSettings current =
      from(name -> null, name -> null, "http://127.0.0.1:4318");

  private final List<BaseUrl> llmEndpoints;
  private final boolean captureAll;
  private final List<String> propagationHosts;
  private final String collectorHost;
  private final int collectorPort;

  private HttpSettings(
      List<BaseUrl> llmEndpoints,
      boolean captureAll,
      List<String> propagationHosts,
      String collectorHost,
      int collectorPort) {
    this.llmEndpoints = llmEndpoints;
    this.captureAll = captureAll;
    this.propagationHosts = propagationHosts;
    this.collectorHost = collectorHost;
    this.collectorPort = collectorPort;
  }

  /** The settings in force. */
  public static HttpSettings current() {
    return current;
  }

  /** Installs the settings every HTTP instrumentation reads. */
  public static void install(HttpSettings settings) {
    current = settings;
  }

  /** Reads this JVM's settings; {@code collectorEndpoint} is the agent's {@code flowcost.endpoint}. */
  public static HttpSettings fromEnvironment(String collectorEndpoint) {
    return from(System::getProperty, System::getenv, collectorEndpoint);
  }

  /**
   * Reads settings from the given lookups.
   *
   * @param properties system property by name
   * @param environment environment variable by name
   * @param collectorEndpoint the collector's base URL: requests to it are never recorded
   */
  public static HttpSettings from(
      Function<String, String> properties,
      Function<String, String> environment,
      String collectorEndpoint) {
    List<BaseUrl> endpoints = new ArrayList<>();
    for (String url : list(setting(properties, environment, "flowcost.llm-endpoints"))) {
      BaseUrl base = BaseUrl.parse(url);
      if (base != null) {
        endpoints.add(base);
      }
    }
    String capture = setting(properties, environment, "flowcost.http.capture");
    List<String> hosts = new ArrayList<>();
    for (String host : list(setting(properties, environment, "flowcost.propagation.hosts"))) {
      hosts.add(host.toLowerCase(Locale.ROOT));
    }
    BaseUrl collector = BaseUrl.parse(collectorEndpoint);
    return new HttpSettings(
        Collections.unmodifiableList(endpoints),
        "all".equalsIgnoreCase(capture),
        Collections.unmodifiableList(hosts),
        collector == null ? null : collector.host,
        collector == null ? -1 : collector.port);
  }

  /** Whether non-LLM requests inside a workflow become {@code http} calls. */
  public boolean captureAll() {
    return captureAll;
  }

  /** Whether a request goes to the Flowcost collector (the agent's or outcome-api's traffic). */
  public boolean isCollector(String scheme, String host, int port) {
    // the port first: every request is checked (twice), and a model API on the collector's host
    // (a local fake, a gateway) differs only by its port, after a whole case-blind comparison
    return collectorHost != null
        && collectorPort == portOf(scheme, port)
        && collectorHost.equalsIgnoreCase(host);
  }

  /** Whether a request goes under one of the configured {@code flowcost.llm-endpoints}. */
  public boolean isConfiguredLlmEndpoint(String scheme, String host, int port, String path) {
    for (BaseUrl base : llmEndpoints) {
      if (base.covers(scheme, host, port, path)) {
        return true;
      }
    }
    return false;
  }

  /** Host patterns that receive the workflow as W3C baggage ({@code flowcost.propagation.hosts}). */
  public List<String> propagationHosts() {
    return propagationHosts;
  }

  /** Whether baggage (workflow id, tags) may be sent to this host. */
  public boolean mayReceiveBaggage(String host) {
    if (host == null) {
      return false;
    }
    String h = host.toLowerCase(Locale.ROOT);
    for (String pattern : propagationHosts) {
      if (pattern.equals(h)
          || pattern.equals("*")
          || (pattern.startsWith("*.") && h.endsWith(pattern.substring(1)))) {
        return true;
      }
    }
    return false;
  }

  private static List<String> list(String text) {
    List<String> out = new ArrayList<>();
    if (text != null) {
      for (String item : text.split(",")) {
        if (!item.isBlank()) {
          out.add(item.trim());
        }
      }
    }
    return out;
  }

  private static String setting(
      Function<String, String> properties, Function<String, String> environment, String name) {
    String value = properties.apply(name);
    if (value == null || value.isBlank()) {
      value = environment.apply(name.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_'));
    }
    return value == null || value.isBlank() ? null : value.trim();
  }

  @Override
  public String toString() {
    return "HttpSettings{llmEndpoints="
        + llmEndpoints.size()
        + ", capture="
        + (captureAll ? "all" : "llm-only")
        + ", propagationHosts="
        + propagationHosts
        + '}';
  }

  /** A base URL: scheme, host, port (default filled in) and path prefix. */
  static final class BaseUrl {
    final String scheme;
    final String host;
    final int port;
    final String pathPrefix;

    private BaseUrl(String scheme, String host, int port, String pathPrefix) {
      this.scheme = scheme;
      this.host = host;
      this.port = port;
      this.pathPrefix = pathPrefix;
    }

    static BaseUrl parse(String url) {
      try {
        URI uri = URI.create(url.trim());
        if (uri.getHost() == null || uri.getScheme() == null) {
          return null;
        }
        String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
        String path = uri.getRawPath() == null ? "" : uri.getRawPath();
        while (path.endsWith("/")) {
          path = path.substring(0, path.length() - 1);
        }
        return new BaseUrl(scheme, uri.getHost(), portOf(scheme, uri.getPort()), path);
      } catch (RuntimeException e) {
        return null;
      }
    }

    boolean covers(String reqScheme, String reqHost, int reqPort, String reqPath) {
      if (reqHost == null || !host.equalsIgnoreCase(reqHost)) {
        return false;
      }
      String s = reqScheme == null ? scheme : reqScheme.toLowerCase(Locale.ROOT);
      if (!scheme.equals(s) || port != portOf(s, reqPort)) {
        return false;
      }
      String p = reqPath == null ? "" : reqPath;
      return pathPrefix.isEmpty()
          || p.equals(pathPrefix)
          || p.startsWith(pathPrefix + "/");
    }
  }

  static int portOf(String scheme, int port) {
    if (port > 0) {
      return port;
    }
    return "https".equalsIgnoreCase(scheme) ? 443 : 80;
  }
}
