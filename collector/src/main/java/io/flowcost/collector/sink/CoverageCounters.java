package io.flowcost.collector.sink;

import java.time.LocalDate;
import java.util.HashMap;
import java.util.Map;

/**
 * Per (day, service) counters of what the collector received and rejected since the last flush.
 * They are appended to the {@code coverage} table as increments; the view sums them.
 */
public final class CoverageCounters {

  /** Counter key. */
  public record Key(LocalDate day, String service) {}

  /**
   * Counter values.
   *
   * @param rowsQuarantined accepted rows the lake could not store, moved to the data dir's
   *     {@code quarantine/} directory instead (see {@code docs/reliability.md})
   */
  public record Counts(long spansReceived, long spansRejected, long callsWritten,
      long outcomesReceived, long outcomesRejected, long agentDroppedSpans,
      long rowsQuarantined) {

    /** Counts without quarantined rows. */
    public Counts(long spansReceived, long spansRejected, long callsWritten,
        long outcomesReceived, long outcomesRejected, long agentDroppedSpans) {
      this(spansReceived, spansRejected, callsWritten, outcomesReceived, outcomesRejected,
          agentDroppedSpans, 0);
    }

    /** Only {@code n} quarantined rows. */
    public static Counts quarantined(long n) {
      return new Counts(0, 0, 0, 0, 0, 0, n);
    }

    Counts plus(Counts o) {
      return new Counts(spansReceived + o.spansReceived, spansRejected + o.spansRejected,
          callsWritten + o.callsWritten, outcomesReceived + o.outcomesReceived,
          outcomesRejected + o.outcomesRejected, agentDroppedSpans + o.agentDroppedSpans,
          rowsQuarantined + o.rowsQuarantined);
    }
  }

  private final Object lock = new Object();
  private Map<Key, Counts> counts = new HashMap<>();

  /** Adds {@code delta} to the counters of {@code key}. */
  public void add(Key key, Counts delta) {
    synchronized (lock) {
      counts.merge(key, delta, Counts::plus);
    }
  }

  /** True when nothing was counted since the last drain. */
  public boolean isEmpty() {
    synchronized (lock) {
      return counts.isEmpty();
    }
  }

  /** Returns and resets the counters. */
  public Map<Key, Counts> drain() {
    synchronized (lock) {
      Map<Key, Counts> out = counts;
      counts = new HashMap<>();
      return out;
    }
  }

  /** Puts counters back after a failed flush. */
  public void restore(Map<Key, Counts> drained) {
    synchronized (lock) {
      drained.forEach((k, v) -> counts.merge(k, v, Counts::plus));
    }
  }
}
