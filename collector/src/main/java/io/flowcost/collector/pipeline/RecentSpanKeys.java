package io.flowcost.collector.pipeline;

/**
 * A bounded set of span row keys that forgets the oldest first: {@code <t>:<16 lowercase hex>}
 * keys (the table's one-letter prefix and an OTLP span id) kept as a tag byte and a {@code long}
 * in flat arrays — an insertion-order ring and an open-addressing index into it — instead of a
 * {@code LinkedHashMap} entry with two strings.
 *
 * <p>Why: the collector remembers the last two million row keys to recognise a sender's retry
 * (see {@link SeenIds}); as map entries they were about 115 bytes each, most of the collector's
 * heap in a long run (docs/benchmarks.md, the 10-minute run). Here a key costs 9 bytes in the
 * ring and 8 to 16 in the index (kept between a quarter and half full). The arrays grow with the
 * keys up to {@code capacity}, so a small collector does not pay for the bound up front.
 *
 * <p>Adding a key already present does not make it younger (as a {@code LinkedHashMap} in
 * insertion order). Not thread-safe: only the write-ahead-log thread and start-up use it.
 */
final class RecentSpanKeys {

  private final int capacity;
  private long[] values = new long[16]; // ring, oldest at head
  private byte[] tags = new byte[16];
  private int head;
  private int size;
  private int[] index = new int[64]; // ring position + 1; 0 = empty; linear probing
  private int mask = 63;
  // the last key parse() accepted (see there)
  private byte parsedTag;
  private long parsedValue;

  RecentSpanKeys(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be at least 1: " + capacity);
    }
    this.capacity = capacity;
  }

  /**
   * Whether {@code key} is remembered; {@code false} too for a key not of the form this set holds
   * (a letter, ':' and 16 lowercase hex), which it never remembers.
   */
  boolean contains(String key) {
    return parse(key) && find(parsedTag, parsedValue) >= 0;
  }

  /**
   * Remembers {@code key}, forgetting the oldest key when full, if it has the form this set holds
   * (a letter, ':' and 16 lowercase hex); returns {@code false}, remembering nothing, when it has
   * not. One call both checks and parses the key: the caller needs no separate test of the form.
   */
  boolean add(String key) {
    if (!parse(key)) {
      return false;
    }
    byte tag = parsedTag;
    long value = parsedValue;
    if (find(tag, value) < 0) {
      addAbsent(tag, value);
    }
    return true;
  }

  /** The tag of the key {@link #parse} last accepted. */
  byte parsedTag() {
    return parsedTag;
  }

  /** The value of the key {@link #parse} last accepted. */
  long parsedValue() {
    return parsedValue;
  }

  /** Whether the key {@link #parse} last accepted is remembered. */
  boolean containsParsed() {
    return find(parsedTag, parsedValue) >= 0;
  }

  /**
   * Remembers a key known to be absent (checked with {@link #containsParsed} since the last
   * change to this set other than {@code addAbsent} of other keys), forgetting the oldest when
   * full. Skips the probe {@link #add} makes first: with two million keys the index and the
   * ring are far larger than the caches, and each probe is a cache miss or two.
   */
  void addAbsent(byte tag, long value) {
    if (size == capacity) {
      removeOldest();
    } else if (size == values.length) {
      growRing(); // never evicted yet, so the ring is [0, size) in order
    }
    if ((size + 1) * 2 > index.length) {
      growIndex();
    }
    int position = (head + size) % values.length;
    values[position] = value;
    tags[position] = tag;
    size++;
    insert(position);
  }

  /** How many keys are remembered. */
  int size() {
    return size;
  }

  /**
   * Checks that {@code key} is a letter, ':' and 16 lowercase hex and, if so, leaves its tag and
   * value in {@link #parsedTag} and {@link #parsedValue}: one pass over the key, no allocation
   * (fields rather than a returned pair, as the set is single-threaded anyway). The write path
   * parses each key of a group commit once this way, checks it ({@link #containsParsed}) and
   * adds it after the write ({@link #addAbsent}): no second parse or probe.
   */
  boolean parse(String key) {
    if (key.length() != 18 || key.charAt(1) != ':' || key.charAt(0) > 0x7f) {
      return false;
    }
    long v = 0;
    for (int i = 2; i < 18; i++) {
      char c = key.charAt(i);
      int digit;
      if (c >= '0' && c <= '9') {
        digit = c - '0';
      } else if (c >= 'a' && c <= 'f') {
        digit = c - 'a' + 10;
      } else {
        return false;
      }
      v = (v << 4) | digit;
    }
    parsedTag = (byte) key.charAt(0);
    parsedValue = v;
    return true;
  }

  private static int hash(byte tag, long value) {
    long h = (value ^ (tag * 0x9E3779B97F4A7C15L)) * 0xBF58476D1CE4E5B9L;
    return (int) (h ^ (h >>> 31) ^ (h >>> 47));
  }

  /** The index slot holding (tag, value), or -1. */
  private int find(byte tag, long value) {
    for (int i = hash(tag, value) & mask; ; i = (i + 1) & mask) {
      int slot = index[i];
      if (slot == 0) {
        return -1;
      }
      if (values[slot - 1] == value && tags[slot - 1] == tag) {
        return i;
      }
    }
  }

  private void insert(int position) {
    int i = hash(tags[position], values[position]) & mask;
    while (index[i] != 0) {
      i = (i + 1) & mask;
    }
    index[i] = position + 1;
  }

  private void removeOldest() {
    int i = find(tags[head], values[head]);
    // backward-shift deletion (Knuth's algorithm R): no tombstones, probes stay short
    for (int j = (i + 1) & mask; index[j] != 0; j = (j + 1) & mask) {
      int at = index[j] - 1;
      int home = hash(tags[at], values[at]) & mask;
      boolean stays = i <= j ? (i < home && home <= j) : (i < home || home <= j);
      if (!stays) {
        index[i] = index[j];
        i = j;
      }
    }
    index[i] = 0;
    head = (head + 1) % values.length;
    size--;
  }

  private void growRing() {
    int length = (int) Math.min(capacity, 2L * values.length);
    values = java.util.Arrays.copyOf(values, length);
    tags = java.util.Arrays.copyOf(tags, length);
  }

  private void growIndex() {
    index = new int[index.length * 2];
    mask = index.length - 1;
    for (int k = 0; k < size; k++) {
      insert((head + k) % values.length);
    }
  }
}
