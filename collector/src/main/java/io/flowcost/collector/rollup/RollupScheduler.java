package io.flowcost.collector.rollup;

import io.flowcost.collector.pipeline.ChangeListener;
import java.time.Duration;
import java.time.LocalDate;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * Re-derives the days touched by published facts, debounced: a burst of flushes causes one
 * rollup, {@code delay} after the last of them — but no later than {@link #MAX_WAIT_DELAYS}
 * delays after the first one still pending, so flushes that keep coming sooner than
 * {@code delay} (a busy collector flushing every few seconds) cannot hold the rollup off
 * forever. Runs on its own thread, never on the event loop.
 *
 * <p><b>Bounded.</b> The workflow ids and external keys of pending flushes are remembered to
 * find the days they belong to. At most {@link #MAX_PENDING_IDS} of them are kept: beyond that
 * the lists are dropped and the next rollup rebuilds every day that has workflows
 * ({@link Rollup#rollupAll()}, what {@code flowcost-collector rollup} does), which covers every
 * day those ids could have touched. So the memory held here never grows with the number of
 * distinct workflows.
 */
public final class RollupScheduler implements ChangeListener, AutoCloseable {

  /** Pending workflow ids plus external keys kept before falling back to a full rollup. */
  static final int MAX_PENDING_IDS = 100_000;

  /** A pending rollup runs at the latest this many delays after the first pending flush. */
  static final int MAX_WAIT_DELAYS = 10;

  /** What the scheduler runs; {@link Rollup} in the collector, a recorder in tests. */
  interface Target {
    void affected(Set<String> workflowIds, Set<String> externalKeys, Set<LocalDate> days)
        throws Exception;

    void all() throws Exception;
  }

  private static final Logger LOG = Logger.getLogger(RollupScheduler.class.getName());

  private final Target rollup;
  private final Duration delay;
  private final ScheduledThreadPoolExecutor executor;
  private final Object lock = new Object();
  private Set<String> ids = new HashSet<>();
  private Set<String> keys = new HashSet<>();
  private Set<LocalDate> days = new HashSet<>();
  /** True when the pending ids overflowed {@link #MAX_PENDING_IDS}: the next run does all days. */
  private boolean everything;
  /** System.nanoTime() of the first flush pending, valid while {@link #pending} is set. */
  private long firstPendingNanos;
  private ScheduledFuture<?> pending;
  private int failures;

  private static final Duration MAX_RETRY = Duration.ofMinutes(2);

  public RollupScheduler(Rollup rollup, Duration delay) {
    this(new Target() {
      @Override
      public void affected(Set<String> workflowIds, Set<String> externalKeys,
          Set<LocalDate> days) throws Exception {
        rollup.rollupAffected(workflowIds, externalKeys, days);
      }

      @Override
      public void all() throws Exception {
        rollup.rollupAll();
      }
    }, delay);
  }

  RollupScheduler(Target rollup, Duration delay) {
    this.rollup = rollup;
    this.delay = delay;
    this.executor = new ScheduledThreadPoolExecutor(1, r -> {
      Thread t = new Thread(r, "flowcost-rollup");
      t.setDaemon(true);
      return t;
    });
    // close() stops the timer: a timer still queued then (one runNow() left behind, which would
    // find nothing to do) is dropped, not waited for — it held close() up for a whole delay, or
    // the 60 s bound below (two of RollupSchedulerTest's three tests waited a minute each)
    executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    // each flush cancels the pending timer and sets another: a cancelled one left in the queue
    // stayed there until its time (a whole delay), one per flush — 2,045 of them on the heap of
    // the 10-minute soak (flushes every few seconds, --rollup-delay 1h)
    executor.setRemoveOnCancelPolicy(true);
  }

  @Override
  public void published(Set<String> workflowIds, Set<String> externalKeys, Set<LocalDate> d) {
    synchronized (lock) {
      remember(workflowIds, externalKeys, d, false);
      long now = System.nanoTime();
      long wait = delay.toNanos();
      if (pending != null) {
        pending.cancel(false);
        long deadline = firstPendingNanos + MAX_WAIT_DELAYS * delay.toNanos();
        wait = Math.max(0, Math.min(wait, deadline - now));
      } else {
        firstPendingNanos = now;
      }
      pending = executor.schedule(this::runQuietly, wait, TimeUnit.NANOSECONDS);
    }
  }

  /** Adds to what is pending; caller holds {@link #lock}. */
  private void remember(Set<String> workflowIds, Set<String> externalKeys, Set<LocalDate> d,
      boolean all) {
    days.addAll(d);
    everything |= all;
    if (everything) {
      return; // every day is rolled up anyway: the ids would find nothing more
    }
    ids.addAll(workflowIds);
    keys.addAll(externalKeys);
    if (ids.size() + keys.size() > MAX_PENDING_IDS) {
      everything = true;
      ids = new HashSet<>();
      keys = new HashSet<>();
      LOG.info("more than " + MAX_PENDING_IDS + " workflows pending a rollup: the next rollup"
          + " rebuilds every day");
    }
  }

  private void runQuietly() {
    try {
      runNow();
      failures = 0;
    } catch (Exception e) {
      // the days stay pending; retry with backoff so a quiet collector still catches up once
      // the lake is reachable again
      long retryMillis = Math.min(MAX_RETRY.toMillis(),
          Math.max(1, delay.toMillis()) << Math.min(failures++, 10));
      LOG.warning("rollup failed (" + e.getClass().getSimpleName() + ": " + e.getMessage()
          + "); the facts are safe in the lake; retrying in " + retryMillis + " ms (or run"
          + " `flowcost-collector rollup`)");
      synchronized (lock) {
        if (!executor.isShutdown()) {
          firstPendingNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(retryMillis);
          pending = executor.schedule(this::runQuietly, retryMillis, TimeUnit.MILLISECONDS);
        }
      }
    }
  }

  /** Rolls up everything pending now, on the calling thread. */
  public synchronized void runNow() throws Exception {
    Set<String> i;
    Set<String> k;
    Set<LocalDate> d;
    boolean all;
    synchronized (lock) {
      i = ids;
      k = keys;
      d = days;
      all = everything;
      ids = new HashSet<>();
      keys = new HashSet<>();
      days = new HashSet<>();
      everything = false;
      pending = null;
    }
    if (!all && i.isEmpty() && k.isEmpty() && d.isEmpty()) {
      return;
    }
    try {
      if (all) {
        rollup.all();
      } else {
        rollup.affected(i, k, d);
      }
    } catch (Exception e) {
      synchronized (lock) {
        remember(i, k, d, all);
      }
      throw e;
    }
  }

  /** How many timers are queued (for tests). */
  int queuedTimers() {
    return executor.getQueue().size();
  }

  /** Stops the timer; call {@link #runNow()} after the last flush to finish pending work. */
  @Override
  public void close() {
    synchronized (lock) {
      if (pending != null) {
        pending.cancel(false);
      }
    }
    executor.shutdown();
    try {
      executor.awaitTermination(60, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
