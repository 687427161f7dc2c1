package io.flowcost.agent.calls;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Per-thread nesting counter, so that overloads delegating to each other (or a wrapper delegating
 * to the real client) produce one span for the outermost call only.
 *
 * <p>Every counter of the agent lives in one thread-local {@link Counters}, a slot per counter
 * (counters are static constants, so the slots are few and fixed). Why not a {@code ThreadLocal}
 * each: every {@code ThreadLocal} is one more entry in each thread's map, and a model call reads
 * several counters on the application's thread; with one entry the map stays as small as the
 * agent can make it, for the agent's lookups and for the application's own (the JDK's NIO buffer
 * cache, Jackson's recyclers) that probe the same map.
 *
 * <p>A hook whose enter and exit both count may look the thread's {@link Counters} up once, at
 * enter ({@link #counters()}), and hand them to its exit ({@link #decrement(Counters)}): one
 * thread-local look-up per call instead of two (each met cold in a running application; 6 of an
 * AI-service invocation's 46 look-ups were these exits).
 */
public final class CallDepth {

  private static final AtomicInteger SLOTS = new AtomicInteger();

  /** The thread's counters; their array grows when a later counter first counts. */
  private static final ThreadLocal<Counters> COUNTERS = new ThreadLocal<>();

  private final int slot = SLOTS.getAndIncrement();

  /**
   * One thread's counters, indexed by slot. Only its thread uses it. A holder rather than the
   * array itself: the array is replaced when it grows (a counter created after the thread first
   * counted), and an exit handed the holder at enter must decrement the array in use then.
   */
  public static final class Counters {
    private int[] depths;

    private Counters(int size) {
      depths = new int[size];
    }

    private int[] atLeast(int slot) {
      int[] d = depths;
      if (d.length <= slot) {
        d = Arrays.copyOf(d, Math.max(slot + 1, SLOTS.get()));
        depths = d;
      }
      return d;
    }
  }

  /** This thread's counters, to hand from a hook's enter to its exit. */
  public static Counters counters() {
    Counters c = COUNTERS.get();
    if (c == null) {
      c = new Counters(SLOTS.get());
      COUNTERS.set(c);
    }
    return c;
  }

  /** Increments and returns the new depth: 1 for the outermost call. */
  public int increment() {
    return increment(counters());
  }

  /** {@link #increment()} of this thread's {@code counters} ({@link #counters()}). */
  public int increment(Counters counters) {
    return ++counters.atLeast(slot)[slot];
  }

  /** Decrements the depth (never below 0). */
  public void decrement() {
    decrement(counters());
  }

  /**
   * {@link #decrement()} of this thread's {@code counters}, as its enter read them ({@link
   * #counters()}); looked up when {@code null}.
   */
  public void decrement(Counters counters) {
    int[] d = (counters == null ? counters() : counters).atLeast(slot);
    if (d[slot] > 0) {
      d[slot]--;
    }
  }
}
