package io.flowcost.collector.metrics;

import java.time.Duration;

/**
 * Settings of {@code GET /metrics}.
 *
 * @param maxLabelValues distinct values each label keeps before later ones are counted as
 *     {@code other} (default {@value MetricsRegistry#DEFAULT_MAX_VALUES_PER_LABEL})
 * @param teamTag the workflow tag whose value is the {@code team} label (default {@code team})
 * @param scrapeToken when set, {@code /metrics} also accepts {@code Authorization: Bearer TOKEN}
 *     and, with no API keys configured, requires it; {@code null} = none (default)
 * @param attributionWait how long spend of a workflow whose root span has not arrived yet waits
 *     to be counted under its intent before it is counted as intent {@code unattributed}
 *     (default 10 minutes)
 */
public record MetricsSettings(int maxLabelValues, String teamTag, String scrapeToken,
    Duration attributionWait) {

  /** The defaults documented on each component. */
  public static final MetricsSettings DEFAULTS = new MetricsSettings(
      MetricsRegistry.DEFAULT_MAX_VALUES_PER_LABEL, "team", null, Duration.ofMinutes(10));

  public MetricsSettings {
    if (maxLabelValues < 1) {
      throw new IllegalArgumentException("--metrics-max-label-values must be at least 1");
    }
    if (teamTag == null || teamTag.isBlank()) {
      throw new IllegalArgumentException("--metrics-team-tag must name a tag");
    }
    if (scrapeToken != null && scrapeToken.isBlank()) {
      throw new IllegalArgumentException("the metrics scrape token file is empty");
    }
    if (attributionWait == null || attributionWait.isNegative()) {
      throw new IllegalArgumentException("the attribution wait must be zero or more");
    }
  }
}
