package io.flowcost.collector.ingest;

import java.time.Instant;

/**
 * The window of instants the collector accepts in any timestamp a request carries (span start
 * and end, an outcome's {@code reported_at}). Anything outside is a broken clock or a hostile
 * value: it would land in an absurd lake partition, and at the extremes it cannot even be
 * written (the lake stores microseconds since 1970 in a 64-bit integer). Decoders reject such a
 * value with a message naming the field; the lake flusher still quarantines any row that slips
 * through.
 */
public final class TimeBounds {

  /** Earliest accepted instant, inclusive. */
  public static final Instant EARLIEST = Instant.parse("2000-01-01T00:00:00Z");
  /** Latest accepted instant, exclusive. */
  public static final Instant LATEST = Instant.parse("2200-01-01T00:00:00Z");

  private TimeBounds() {}

  /** True when {@code t} lies in [{@link #EARLIEST}, {@link #LATEST}). */
  public static boolean contains(Instant t) {
    return !t.isBefore(EARLIEST) && t.isBefore(LATEST);
  }

  /** The window as text for error messages. */
  public static String describe() {
    return "between 2000-01-01 and 2200-01-01 (UTC)";
  }
}
