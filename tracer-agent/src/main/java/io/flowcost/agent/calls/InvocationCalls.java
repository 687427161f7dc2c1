package io.flowcost.agent.calls;

import io.flowcost.contract.CallKind;
import io.flowcost.contract.SpanKeys;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.ContextKey;
import java.util.ArrayList;
import java.util.List;

/**
 * The logical calls made during one AI-service invocation whose spans are not ended yet.
 *
 * <p>Whether a call's answer was thrown away is known only after the call returned: an output
 * guardrail rejects it, or the step that made it throws. A span cannot change once ended (it is
 * exported at once), so a call made inside an invocation records its end time and hands its
 * spans here; they end, with their recorded times, when the invocation ends. A step that threw
 * marks them {@code failed_step}; a step that returned hands them on to the enclosing invocation,
 * so that a failure further up still marks them.
 *
 * <p>At most {@value #MAX_PENDING} calls wait per invocation; beyond that the oldest ends at once
 * (and can no longer be marked), which bounds the memory of a long agent loop. A call also waits
 * at most {@link #MAX_WAIT}: when a later call of the invocation ends, calls that ended longer
 * ago than that end too, so a loop inside one long invocation reaches the collector while it runs
 * (budgets, runaway alerts) instead of when it ends. A guardrail judges the answer that just
 * came, so only a failed step marks calls that old, and it can then no longer mark them.
 */
public final class InvocationCalls {

  /** {@code flowcost.waste_cause}: why a billed answer was thrown away. */
  public static final AttributeKey<String> WASTE_CAUSE =
      AttributeKey.stringKey(SpanKeys.WASTE_CAUSE);

  /** The answer was rejected (output guardrail, parse failure) or never reached the app. */
  public static final String DISCARDED = "discarded";

  /** The AI-service step that made the call threw while its workflow went on. */
  public static final String FAILED_STEP = "failed_step";

  static final int MAX_PENDING = 256;

  /** How long an ended call waits for a verdict at most (checked when another call ends). */
  static final java.time.Duration MAX_WAIT = java.time.Duration.ofSeconds(30);

  /** Epoch nanoseconds now; tests replace it to simulate time. */
  static java.util.function.LongSupplier clock = LogicalCall::nowNanos;

  private static final ContextKey<InvocationCalls> KEY = ContextKey.named("flowcost-invocation-calls");

  private final InvocationCalls parent;
  /**
   * Guarded by this; handed over whole by {@link #close} (no copy), then a fresh one. Room for
   * four calls at first: an {@code ArrayList}'s default grows to ten at the first call.
   */
  private List<LogicalCall> pending = new ArrayList<>(4);
  private LogicalCall lastEnded;
  private boolean closed;

  private InvocationCalls(InvocationCalls parent) {
    this.parent = parent;
  }

  /** Returns {@code context} with a new holder for the invocation starting in it. */
  public static Context open(Context context) {
    return context.with(KEY, new InvocationCalls(context.get(KEY)));
  }

  /** The holder of the invocation open in {@code context}, or {@code null}. */
  public static InvocationCalls in(Context context) {
    return context.get(KEY);
  }

  /** The holder of the invocation open in the current context, or {@code null}. */
  public static InvocationCalls current() {
    return Context.current().get(KEY);
  }

  /**
   * Takes a call that has ended its work; returns {@code false} when this holder is closed (the
   * caller then ends the call's spans itself).
   */
  boolean defer(LogicalCall call) {
    return take(call, true);
  }

  /**
   * @param own whether the call was made by this invocation itself (then a guardrail of this
   *     invocation may judge its answer), not handed on by a nested step
   */
  private boolean take(LogicalCall call, boolean own) {
    List<LogicalCall> evicted = null;
    long staleBefore = clock.getAsLong() - MAX_WAIT.toNanos();
    synchronized (this) {
      if (closed) {
        return false;
      }
      if (own && CallKind.MODEL.wire().equals(call.kind())) {
        lastEnded = call;
      }
      pending.add(call);
      // oldest first: the calls beyond the bound, then those that ended too long ago (never the
      // call just taken: its verdict may be about to come)
      while (pending.size() > MAX_PENDING
          || (pending.size() > 1 && pending.get(0).endedAtEpochNanos() < staleBefore)) {
        if (evicted == null) {
          evicted = new ArrayList<>(2);
        }
        evicted.add(pending.remove(0));
      }
    }
    if (evicted != null) {
      for (LogicalCall old : evicted) {
        old.finishSpans();
      }
    }
    return true;
  }

  /**
   * Marks the model call that ended last in this invocation {@code discarded}: its answer is the
   * one a guardrail just judged. Returns whether there was one.
   */
  public boolean discardLastModelCall() {
    LogicalCall call;
    synchronized (this) {
      call = lastEnded;
      lastEnded = null; // one verdict per answer
    }
    if (call == null) {
      return false;
    }
    call.markWaste(DISCARDED);
    return true;
  }

  /**
   * Ends the invocation: with a {@code cause} ({@link #FAILED_STEP}) every waiting call is marked
   * and ended; without one the calls move to the enclosing invocation, or end when there is none.
   */
  public void close(String cause) {
    List<LogicalCall> calls;
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      calls = pending; // nothing adds to it once closed
      pending = List.of();
      lastEnded = null;
    }
    // by index: an ArrayList's iterator is an object per invocation
    for (int i = 0, n = calls.size(); i < n; i++) {
      LogicalCall call = calls.get(i);
      if (cause != null) {
        call.markWaste(cause);
      } else if (parent != null && parent.take(call, false)) {
        continue;
      }
      call.finishSpans();
    }
  }

}
