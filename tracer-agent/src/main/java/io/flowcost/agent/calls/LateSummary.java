package io.flowcost.agent.calls;

import io.flowcost.agent.usage.ResponseSummary;
import io.flowcost.agent.usage.Usage;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * An answer whose {@link ResponseSummary} is read when its attempt's span is exported, not on the
 * application's thread when the answer arrives ({@link Attempt#succeededLater}): what the agent
 * records is the same, read from the same bytes by the same parser, later and on the export
 * thread. Holds a reference to the answer's body (the client's own, never a copy) until then.
 *
 * <p>Memory is bounded: an answer over {@value #MAX_BODY_BYTES} bytes is read at once, and at
 * most {@value #MAX_HELD_BYTES} bytes of answers (with the request bodies their attempts keep for
 * an estimate) wait to be read in the whole JVM: beyond that, answers are read at once until the
 * export has caught up. A span dropped unread gives its room back ({@code AgentTracer.dropped}).
 */
public abstract class LateSummary {

  /** The largest answer whose reading waits for the export. */
  static final int MAX_BODY_BYTES = 64 * 1024;

  /** Bytes of answers that may wait to be read at one time, in all. */
  static final long MAX_HELD_BYTES = 8L * 1024 * 1024;

  private static final AtomicLong HELD = new AtomicLong();

  private final int bodyBytes;
  /** What {@link #hold} took: the body and what else its attempt keeps until then. */
  private int held;
  /**
   * The client's own usage of the call, should the answer turn out to have none ({@link
   * LogicalCall#endWithClientUsage}); guarded by the attempt's monitor.
   */
  Supplier<Usage> clientUsage;

  /** @param bodyBytes the size of the answer held until it is read */
  protected LateSummary(int bodyBytes) {
    this.bodyBytes = Math.max(0, bodyBytes);
  }

  /** Reads the answer's summary, as the hook would have read it when the answer arrived. */
  protected abstract ResponseSummary read();

  /**
   * The answer's raw provider-cost header ({@link Attempt#providerCostHeader}), read with the
   * summary, or {@code null}: an answer that can give it late overrides this. Why late: finding a
   * header in a client's map (a walk of it for another spelling, usually for nothing) is work on
   * the application's thread that only the span needs.
   */
  protected String providerCostHeader() {
    return null;
  }

  /**
   * Takes room for this answer and {@code alsoKept} bytes its attempt keeps until it is read (the
   * request body); {@code false} when the answer is too large or too much is held.
   */
  boolean hold(int alsoKept) {
    int bytes = bodyBytes + Math.max(0, alsoKept);
    if (bodyBytes > MAX_BODY_BYTES || bytes < 0) {
      return false;
    }
    if (HELD.addAndGet(bytes) > MAX_HELD_BYTES) {
      HELD.addAndGet(-bytes);
      return false;
    }
    held = bytes;
    return true;
  }

  /** Gives back the room {@link #hold} took (once: the attempt reads or drops it once). */
  void release() {
    HELD.addAndGet(-held);
    held = 0;
  }

  /** Bytes of answers held now (tests). */
  static long held() {
    return HELD.get();
  }
}
