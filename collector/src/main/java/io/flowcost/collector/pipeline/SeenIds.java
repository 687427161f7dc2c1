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

  /**
   * Heap one key of the map takes, allowing for client outcome ids of a few dozen characters:
   * the entry, the key and its 16-character fingerprint (two strings and their arrays), the table
   * slot. Measured ≈ 160 bytes for the soak's 14-character keys (1,000,000 outcome keys,
   * docs/benchmarks.md, the 10-minute soak); a UUID outcome id adds 24.
   */
  static final long KEYED_HEAP_BYTES = 256;

  /** Both parts keep up to {@code capacity} keys. */
  SeenIds(int capacity) {
    this(capacity, capacity);
  }

  /**
   * Span keys up to {@code spanCapacity} (about 20 bytes each), the other keys (outcomes, with
   * their fingerprints) up to {@code keyedCapacity}.
   */
  SeenIds(int spanCapacity, int keyedCapacity) {
    this.spans = new RecentSpanKeys(spanCapacity);
    this.ids = new LinkedHashMap<>(1024, 0.75f, false) {
      private static final long serialVersionUID = 1L;

      @Override
      protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
        return size() > keyedCapacity;
      }
    };
  }

  /**
   * How many keys the map part keeps for a heap of {@code maxHeapBytes}: as many as fit in an
   * eighth of it at {@link #KEYED_HEAP_BYTES} each, at least 10,000 and at most {@code capacity}
   * (262,144 at 512 MB). Why from the heap: at the collector's 2,000,000, outcome keys alone
   * would take 320–500 MB once that many outcomes arrived within the keys' reach — most of a
   * 512 MB heap, half of which is for rows waiting for the lake flush; span keys are compact and
   * keep the full capacity. An outcome retried beyond this reach is still de-duplicated by the
   * lake views (same key); only a conflicting resend that old is no longer refused with 409.
   */
  static int keyedCapacity(int capacity, long maxHeapBytes) {
    return (int) Math.max(Math.min(10_000, capacity),
        Math.min(capacity, maxHeapBytes / 8 / KEYED_HEAP_BYTES));
  }

  /** Keys the map part holds (tests). */
  int keyedSize() {
    return ids.size();
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

  /**
   * Parses {@code id} as a span key (a letter, ':' and 16 lowercase hex) for the checks below;
   * {@code false} when it has another form (it then takes the string path: {@link
   * #fingerprintOf}, {@link #remember}).
   */
  boolean parseSpanKey(String id) {
    return spans.parse(id);
  }

  /** The tag of the span key {@link #parseSpanKey} last accepted. */
  byte parsedTag() {
    return spans.parsedTag();
  }

  /** The value of the span key {@link #parseSpanKey} last accepted. */
  long parsedValue() {
    return spans.parsedValue();
  }

  /**
   * Whether {@code id}, the span key {@link #parseSpanKey} last accepted, was seen: the same
   * answer as {@code fingerprintOf(id) != null}, with the key parsed once.
   */
  boolean containsParsedSpanKey(String id) {
    return (!ids.isEmpty() && ids.containsKey(id)) || spans.containsParsed();
  }

  /**
   * Remembers a span key without fingerprint that {@link #containsParsedSpanKey} found absent
   * (only other span keys added this way since): what {@code remember(id)} does, without a
   * second parse and probe.
   */
  void rememberAbsentSpanKey(byte tag, long value) {
    spans.addAbsent(tag, value);
  }

  /** True when {@code id} was seen. */
  boolean contains(String id) {
    return fingerprintOf(id) != null;
  }
}
