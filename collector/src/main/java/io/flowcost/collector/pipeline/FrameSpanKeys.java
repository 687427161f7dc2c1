package io.flowcost.collector.pipeline;

import java.util.Arrays;

/**
 * The span keys of one group commit — the parsed form {@link RecentSpanKeys} holds, a tag byte
 * and a {@code long} — in the order they were added, with a set over them to find a key that
 * comes twice in one frame. Keys added last can be taken back ({@link #truncate}): a request
 * refused for a conflict leaves none of its keys behind.
 *
 * <p>Why not the strings in a {@code HashMap}: nearly every key of a frame is a span key, and a
 * map entry, a node and a hashed 18-character string per key were most of the log thread's
 * allocation and a third of its time. Reused from frame to frame; only the write-ahead-log
 * thread uses it; not thread-safe.
 */
final class FrameSpanKeys {

  private byte[] tags = new byte[256];
  private long[] values = new long[256];
  private int size;
  private int[] index = new int[1024]; // key position + 1; 0 = empty; linear probing
  private int mask = 1023;

  /** How many keys the frame holds. */
  int size() {
    return size;
  }

  /** The tag of the {@code i}-th key added. */
  byte tag(int i) {
    return tags[i];
  }

  /** The value of the {@code i}-th key added. */
  long value(int i) {
    return values[i];
  }

  /** Adds the key (tag, value); {@code false}, adding nothing, when the frame holds it already. */
  boolean add(byte tag, long value) {
    int i = hash(tag, value) & mask;
    for (int slot; (slot = index[i]) != 0; i = (i + 1) & mask) {
      if (values[slot - 1] == value && tags[slot - 1] == tag) {
        return false;
      }
    }
    if (size == values.length) {
      values = Arrays.copyOf(values, size * 2);
      tags = Arrays.copyOf(tags, size * 2);
    }
    values[size] = value;
    tags[size] = tag;
    size++;
    if (size * 2 > index.length) {
      grow(); // re-files every key, this one included
    } else {
      index[i] = size;
    }
    return true;
  }

  /**
   * Takes back the keys added after the first {@code keep}, most recent first. With linear
   * probing, emptying the slot of the most recently added key is exact: no key added before it
   * ever probed past that slot, which was empty when they were added.
   */
  void truncate(int keep) {
    while (size > keep) {
      size--;
      int i = hash(tags[size], values[size]) & mask;
      while (index[i] != size + 1) {
        i = (i + 1) & mask;
      }
      index[i] = 0;
    }
  }

  /** Empties the frame for the next group commit. */
  void clear() {
    if (size * 8 < index.length) {
      truncate(0); // a few probes rather than clearing a table a large frame once grew
    } else {
      Arrays.fill(index, 0);
      size = 0;
    }
  }

  private void grow() {
    index = new int[index.length * 2];
    mask = index.length - 1;
    for (int k = 0; k < size; k++) {
      int i = hash(tags[k], values[k]) & mask;
      while (index[i] != 0) {
        i = (i + 1) & mask;
      }
      index[i] = k + 1;
    }
  }

  private static int hash(byte tag, long value) {
    long h = (value ^ (tag * 0x9E3779B97F4A7C15L)) * 0xBF58476D1CE4E5B9L;
    return (int) (h ^ (h >>> 31) ^ (h >>> 47));
  }
}
