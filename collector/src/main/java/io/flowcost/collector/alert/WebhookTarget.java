package io.flowcost.collector.alert;

import java.net.URI;
import java.util.Locale;

/**
 * Where alerts go ({@code --alert-webhook}): {@code slack:https://hooks.slack.com/…} sends
 * Slack-compatible {@code {"text": …}}; a plain {@code https://…} (or {@code json:https://…})
 * sends the generic JSON form ({@link Alert#json}).
 */
public record WebhookTarget(URI uri, boolean slack) {

  /** Parses a {@code --alert-webhook} value; a bad one is an error naming it. */
  public static WebhookTarget parse(String value) {
    boolean slack = false;
    String url = value.strip();
    String lower = url.toLowerCase(Locale.ROOT);
    if (lower.startsWith("slack:")) {
      slack = true;
      url = url.substring(6);
    } else if (lower.startsWith("json:")) {
      url = url.substring(5);
    }
    URI uri;
    try {
      uri = URI.create(url);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--alert-webhook: not a URL (" + e.getMessage() + ")");
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null) {
      throw new IllegalArgumentException("--alert-webhook must be an http(s) URL, optionally"
          + " prefixed with slack: or json:");
    }
    return new WebhookTarget(uri, slack);
  }

  /** The URL without its path and query, for logs (a Slack hook's path is its secret). */
  public String safeName() {
    return (slack ? "slack:" : "") + uri.getScheme() + "://" + uri.getHost()
        + (uri.getPort() >= 0 ? ":" + uri.getPort() : "");
  }
}
