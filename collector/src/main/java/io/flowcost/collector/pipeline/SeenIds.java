package io.flowcost.collector.pipeline;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A bounded memory of recently accepted row keys (span ids, outcome ids), so a sender's retry of
 * an acknowledged request is not counted twice. Filled at start from {@link PublishedIds} and the
 * log, so it lasts across restarts; duplicates older than its reach are removed by the lake
 * views, which de-duplicate on the same keys.
 */
final class SeenIds {

  private final Map<String, Boolean> ids;

  SeenIds(int capacity) {
    this.ids = new LinkedHashMap<>(1024, 0.75f, false) {
      private static final long serialVersionUID = 1L;

      @Override
      protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
        return size() > capacity;
      }
    };
  }

  /** Remembers {@code id} as seen (loaded from the data dir or the lake at start). */
  void remember(String id) {
    ids.put(id, Boolean.TRUE);
  }

  /** Returns {@code true} when {@code id} was not seen before, and remembers it. */
  boolean firstTime(String id) {
    return ids.putIfAbsent(id, Boolean.TRUE) == null;
  }
}
