package io.flowcost.agent.calls;

/**
 * Per-thread nesting counter, so that overloads delegating to each other (or a wrapper delegating
 * to the real client) produce one span for the outermost call only.
 */
public final class CallDepth {

  private final ThreadLocal<int[]> depth = ThreadLocal.withInitial(() -> new int[1]);

  /** Increments and returns the new depth: 1 for the outermost call. */
  public int increment() {
    return ++depth.get()[0];
  }

  /** Decrements the depth (never below 0). */
  public void decrement() {
    int[] d = depth.get();
    if (d[0] > 0) {
      d[0]--;
    }
  }
}
