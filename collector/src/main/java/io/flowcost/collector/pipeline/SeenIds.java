package io.flowcost.collector.pipeline;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A bounded memory of the row keys (span ids, outcome ids) whose rows are durable — in the
 * write-ahead log or the lake — so a sender's retry of an acknowledged request is not counted
 * twice. Filled at start from {@link PublishedIds} and the log, so it lasts across restarts;
 * duplicates older than its reach are removed by the lake views, which de-duplicate on the same
 * keys.
 *
 * <p>Each key may carry a content fingerprint (outcomes), so a repeated key with other content is
 * recognised as a conflict rather than a retry. Span keys without one — nearly all keys — are
 * kept compactly ({@link RecentSpanKeys}, about 20 bytes a key instead of about 115); the others
 * in a map. Each part forgets its oldest keys beyond {@code capacity}. Only the write-ahead-log
 * thread and start-up use it; it is not thread-safe.
 */
final class SeenIds {

  /** Stands for "content unknown" (a key recovered from the lake): any content matches. */
  static final String UNKNOWN = "";

  private final Map<String, String> ids;
  private final RecentSpanKeys spans;

  SeenIds(int capacity) {
    this.spans = new RecentSpanKeys(capacity);
    this.ids = new LinkedHashMap<>(1024, 0.75f, false) {
      private static final long serialVersionUID = 1L;

      @Override
      protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
        return size() > capacity;
      }
    };
  }

  /**
   * Remembers {@code id} as durable, with its content {@code fingerprint} ({@code null} or
   * {@link #UNKNOWN} when not known); a known fingerprint is never replaced by an unknown one.
   */
  void remember(String id, String fingerprint) {
    String fp = fingerprint == null ? UNKNOWN : fingerprint;
    // spans.add remembers only span keys (and says so); a known fingerprint the map may hold
    // for such a key stays there: fingerprintOf asks the map first
    if (fp.equals(UNKNOWN) && spans.add(id)) {
      return;
    }
    ids.merge(id, fp, (old, now) -> now.equals(UNKNOWN) ? old : now);
  }

  /** Remembers {@code id} with unknown content. */
  void remember(String id) {
    remember(id, UNKNOWN);
  }

  /**
   * The fingerprint remembered for {@code id}: {@code null} when the key was not seen,
   * {@link #UNKNOWN} when it was seen without one.
   */
  String fingerprintOf(String id) {
    String fp = ids.get(id);
    if (fp == null && spans.contains(id)) {
      return UNKNOWN;
    }
    return fp;
  }

  /** True when {@code id} was seen. */
  boolean contains(String id) {
    return fingerprintOf(id) != null;
  }
}
