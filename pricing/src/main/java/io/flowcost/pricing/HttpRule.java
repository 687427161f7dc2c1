package io.flowcost.pricing;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Per-request price of plain HTTP calls whose host and path match glob patterns, in USD.
 *
 * <p>In both globs {@code *} matches any run of characters (dots and slashes included) and
 * {@code ?} one character. The host is matched case-insensitively; the path as given.
 *
 * @param host host glob, e.g. {@code *.tavily.com}
 * @param path path glob, e.g. {@code /search*}; {@code *} matches every path
 * @param perRequest USD per request
 * @param effectiveFrom first instant in force, inclusive, or {@code null}
 * @param effectiveTo first instant no longer in force, exclusive, or {@code null}
 * @param source pricing page URL, or {@code null}
 */
public record HttpRule(String host, String path, BigDecimal perRequest, Instant effectiveFrom,
    Instant effectiveTo, String source) {

  /** Validates the rule. */
  public HttpRule {
    if (host == null || host.isBlank()) {
      throw new IllegalArgumentException("http rule host is required");
    }
    host = host.trim().toLowerCase(Locale.ROOT);
    path = path == null || path.isBlank() ? "*" : path.trim();
    Objects.requireNonNull(perRequest, "per_request");
    if (perRequest.signum() < 0) {
      throw new IllegalArgumentException("per_request must be >= 0");
    }
  }

  /** Whether the rule is in force at {@code at} and matches {@code host} and {@code path}. */
  public boolean matches(String host, String path, Instant at) {
    if ((effectiveFrom != null && at.isBefore(effectiveFrom))
        || (effectiveTo != null && !at.isBefore(effectiveTo))) {
      return false;
    }
    String h = host == null ? "" : host.trim().toLowerCase(Locale.ROOT);
    String p = path == null || path.isEmpty() ? "/" : path;
    int q = p.indexOf('?');
    if (q >= 0) {
      p = p.substring(0, q);
    }
    return glob(this.host).matcher(h).matches() && glob(this.path).matcher(p).matches();
  }

  /** Short description used in price keys, e.g. {@code http/api.tavily.com/search}. */
  public String key() {
    return "http/" + host + ("*".equals(path) ? "" : path);
  }

  /** Compiled globs; bounded by the number of distinct globs in the loaded catalogs. */
  private static final Map<String, Pattern> GLOBS = new ConcurrentHashMap<>();

  private static Pattern glob(String glob) {
    return GLOBS.computeIfAbsent(glob, HttpRule::compile);
  }

  private static Pattern compile(String glob) {
    StringBuilder re = new StringBuilder();
    for (char c : glob.toCharArray()) {
      if (c == '*') {
        re.append(".*");
      } else if (c == '?') {
        re.append('.');
      } else {
        re.append(Pattern.quote(String.valueOf(c)));
      }
    }
    return Pattern.compile(re.toString());
  }
}
