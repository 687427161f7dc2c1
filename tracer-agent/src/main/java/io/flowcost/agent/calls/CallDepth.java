package io.flowcost.agent.calls;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Per-thread nesting counter, so that overloads delegating to each other (or a wrapper delegating
 * to the real client) produce one span for the outermost call only.
 *
 * <p>Every counter of the agent lives in one thread-local array, a slot per counter (counters are
 * static constants, so the slots are few and fixed). Why not a {@code ThreadLocal} each: every
 * {@code ThreadLocal} is one more entry in each thread's map, and a model call reads several
 * counters on the application's thread; with one entry the map stays as small as the agent can
 * make it, for the agent's lookups and for the application's own (the JDK's NIO buffer cache,
 * Jackson's recyclers) that probe the same map.
 */
public final class CallDepth {

  private static final AtomicInteger SLOTS = new AtomicInteger();

  /** The thread's counters, indexed by {@link #slot}; grown when a later counter first counts. */
  private static final ThreadLocal<int[]> DEPTHS = new ThreadLocal<>();

  private final int slot = SLOTS.getAndIncrement();

  /** Increments and returns the new depth: 1 for the outermost call. */
  public int increment() {
    return ++counters()[slot];
  }

  /** Decrements the depth (never below 0). */
  public void decrement() {
    int[] d = counters();
    if (d[slot] > 0) {
      d[slot]--;
    }
  }

  private int[] counters() {
    int[] d = DEPTHS.get();
    if (d == null || d.length <= slot) {
      d = grown(d);
    }
    return d;
  }

  private int[] grown(int[] d) {
    int[] g = d == null ? new int[Math.max(slot + 1, SLOTS.get())] : Arrays.copyOf(d, Math.max(slot + 1, SLOTS.get()));
    DEPTHS.set(g);
    return g;
  }
}
