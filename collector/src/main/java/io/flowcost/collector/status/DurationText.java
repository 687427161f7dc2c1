package io.flowcost.collector.status;

import java.time.Duration;

/** Durations as a person reads them: {@code 250ms}, {@code 60s}, {@code 2m}, {@code 1h30m}. */
public final class DurationText {

  private DurationText() {}

  /** {@code d} in the units {@code --flush-interval} accepts, rounded down to what is shown. */
  public static String of(Duration d) {
    long ms = d.toMillis();
    if (ms < 1000) {
      return ms + "ms";
    }
    long s = ms / 1000;
    if (s < 120 || s % 60 != 0) {
      return s + "s";
    }
    long m = s / 60;
    if (m < 120 || m % 60 != 0) {
      return m + "m";
    }
    return m / 60 + "h";
  }
}
