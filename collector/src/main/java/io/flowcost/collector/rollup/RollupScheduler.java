package io.flowcost.collector.rollup;

import io.flowcost.collector.pipeline.ChangeListener;
import java.time.Duration;
import java.time.LocalDate;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * Re-derives the days touched by published facts, debounced: a burst of flushes causes one
 * rollup, {@code delay} after the last of them. Runs on its own thread, never on the event loop.
 */
public final class RollupScheduler implements ChangeListener, AutoCloseable {

  private static final Logger LOG = Logger.getLogger(RollupScheduler.class.getName());

  private final Rollup rollup;
  private final Duration delay;
  private final ScheduledExecutorService executor;
  private final Object lock = new Object();
  private Set<String> ids = new HashSet<>();
  private Set<String> keys = new HashSet<>();
  private Set<LocalDate> days = new HashSet<>();
  private ScheduledFuture<?> pending;
  private int failures;

  private static final Duration MAX_RETRY = Duration.ofMinutes(2);

  public RollupScheduler(Rollup rollup, Duration delay) {
    this.rollup = rollup;
    this.delay = delay;
    this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "flowcost-rollup");
      t.setDaemon(true);
      return t;
    });
  }

  @Override
  public void published(Set<String> workflowIds, Set<String> externalKeys, Set<LocalDate> d) {
    synchronized (lock) {
      ids.addAll(workflowIds);
      keys.addAll(externalKeys);
      days.addAll(d);
      if (pending != null) {
        pending.cancel(false);
      }
      pending = executor.schedule(this::runQuietly, delay.toMillis(), TimeUnit.MILLISECONDS);
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
    synchronized (lock) {
      i = ids;
      k = keys;
      d = days;
      ids = new HashSet<>();
      keys = new HashSet<>();
      days = new HashSet<>();
      pending = null;
    }
    if (i.isEmpty() && k.isEmpty() && d.isEmpty()) {
      return;
    }
    try {
      rollup.rollupAffected(i, k, d);
    } catch (Exception e) {
      synchronized (lock) {
        ids.addAll(i);
        keys.addAll(k);
        days.addAll(d);
      }
      throw e;
    }
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
