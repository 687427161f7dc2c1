package io.flowcost.collector.rollup;

import io.flowcost.collector.pipeline.ChangeListener;
import io.flowcost.lake.store.DurableFiles;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
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
 *
 * <p><b>Stop.</b> {@link #stop(long)} runs what is pending within the collector's shutdown
 * grace. What it cannot finish in time (a rollup over a large lake takes minutes) is written to
 * a file in the data dir and rolled up {@code delay} after the next start ({@link #resume()}):
 * the facts are in the lake already, only their snapshots wait.
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
  /** True when what is pending includes what {@link #pendingFile} held: a success deletes it. */
  private boolean fromFile;
  /** What the rollup running now took (null when none runs): written down if a stop cuts it. */
  private Set<String> runningIds;
  private Set<String> runningKeys;
  private Set<LocalDate> runningDays;
  private boolean runningAll;
  private volatile boolean stopping;
  /** Set once {@link #stop} has written down what it left (guarded by {@link #lock}). */
  private boolean stopped;
  /** Where a stop leaves the rollup it could not finish; null: nowhere (tests). */
  private final Path pendingFile;

  private static final Duration MAX_RETRY = Duration.ofMinutes(2);

  public RollupScheduler(Rollup rollup, Duration delay) {
    this(rollup, delay, null);
  }

  /**
   * @param pendingFile where {@link #stop(long)} leaves the rollup it could not finish, and
   *     {@link #resume()} finds it
   */
  public RollupScheduler(Rollup rollup, Duration delay, Path pendingFile) {
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
    }, delay, pendingFile);
  }

  RollupScheduler(Target rollup, Duration delay) {
    this(rollup, delay, null);
  }

  RollupScheduler(Target rollup, Duration delay, Path pendingFile) {
    this.pendingFile = pendingFile;
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
      if (stopping) {
        // a flush that outlived the stop's grace published these: their rollup is left to the
        // next start, as every day's (it covers them, whatever they are)
        remember(workflowIds, externalKeys, d, true);
        if (stopped) {
          writeDown();
        }
        return;
      }
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
        if (!executor.isShutdown() && !stopping) {
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
    boolean file;
    synchronized (lock) {
      i = ids;
      k = keys;
      d = days;
      all = everything;
      file = fromFile;
      ids = new HashSet<>();
      keys = new HashSet<>();
      days = new HashSet<>();
      everything = false;
      fromFile = false;
      pending = null;
      runningIds = i;
      runningKeys = k;
      runningDays = d;
      runningAll = all;
    }
    try {
      if (all) {
        rollup.all();
      } else if (!i.isEmpty() || !k.isEmpty() || !d.isEmpty()) {
        rollup.affected(i, k, d);
      }
    } catch (Exception e) {
      synchronized (lock) {
        remember(i, k, d, all);
        fromFile |= file;
      }
      throw e;
    } finally {
      synchronized (lock) {
        runningIds = null;
        runningKeys = null;
        runningDays = null;
        runningAll = false;
      }
    }
    if (file && pendingFile != null) {
      Files.deleteIfExists(pendingFile); // what the last stop left is rolled up now
    }
  }

  /**
   * Schedules the rollup a stop left in {@link #pendingFile} (if any), {@code delay} from now.
   * The file stays until that rollup succeeds, so a crash before it loses nothing.
   */
  public void resume() {
    if (pendingFile == null) {
      return;
    }
    Set<String> i = new HashSet<>();
    Set<String> k = new HashSet<>();
    Set<LocalDate> d = new HashSet<>();
    boolean all;
    try (DataInputStream in = new DataInputStream(new java.io.BufferedInputStream(
        Files.newInputStream(pendingFile)))) {
      if (in.readInt() != FILE_MAGIC) {
        throw new IOException("not a pending-rollup file");
      }
      all = in.readBoolean();
      readStrings(in, d::add, LocalDate::parse);
      readStrings(in, i::add, s -> s);
      readStrings(in, k::add, s -> s);
    } catch (NoSuchFileException e) {
      return;
    } catch (IOException | RuntimeException e) {
      // unreadable (cut short while written): rolling up every day covers whatever it held
      LOG.warning("cannot read " + pendingFile + " (" + e + "): rolling up every day instead");
      all = true;
    }
    LOG.info("the last stop left a rollup pending (" + (all ? "every day" : d.size() + " day(s), "
        + (i.size() + k.size()) + " workflow(s)") + "): it runs " + delay.toMillis()
        + " ms from now");
    synchronized (lock) {
      remember(i, k, d, all);
      fromFile = true;
    }
    published(Set.of(), Set.of(), Set.of());
  }

  /**
   * Stops the timer and runs what is pending (after the rollup running now, if any) until
   * {@code deadlineNanos} ({@link System#nanoTime()}). What is not rolled up by then, pending
   * or running, is written to {@link #pendingFile} for {@link #resume()} at the next start; a
   * rollup still running is left to finish or to end with the process (it publishes each day's
   * marker after its snapshots, so a cut one changes nothing readers see).
   *
   * @return true when nothing is left pending
   */
  public boolean stop(long deadlineNanos) {
    synchronized (lock) {
      stopping = true;
      if (pending != null) {
        pending.cancel(false);
        pending = null;
      }
    }
    Future<?> last = executor.submit(() -> {
      runNow();
      return null;
    });
    boolean done = false;
    try {
      last.get(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
      done = true;
    } catch (java.util.concurrent.TimeoutException e) {
      // left below
    } catch (ExecutionException e) {
      LOG.warning("rollup at stop failed (" + e.getCause() + "); the facts are safe in the lake");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    executor.shutdownNow();
    synchronized (lock) {
      // from here a late flush's rows (one that outlived the grace) are written down by
      // published() itself
      stopped = true;
      return done && !everything && ids.isEmpty() && keys.isEmpty() && days.isEmpty()
          || writeDown();
    }
  }

  /**
   * Writes what is pending or running to {@link #pendingFile}; caller holds {@link #lock}.
   *
   * @return true when nothing was pending
   */
  private boolean writeDown() {
    Set<String> i = new HashSet<>(ids);
    Set<String> k = new HashSet<>(keys);
    Set<LocalDate> d = new HashSet<>(days);
    boolean all = everything || runningAll;
    if (runningIds != null) {
      i.addAll(runningIds);
      k.addAll(runningKeys);
      d.addAll(runningDays);
    }
    if (!all && i.isEmpty() && k.isEmpty() && d.isEmpty()) {
      return true;
    }
    all |= i.size() + k.size() > MAX_PENDING_IDS; // the bound on what is remembered, as above
    String what = all ? "every day" : d.size() + " day(s) and the days of " + (i.size() + k.size())
        + " workflow(s)";
    if (pendingFile == null) {
      LOG.warning("rollup of " + what + " not done within the shutdown grace; run"
          + " `flowcost-collector rollup`");
      return false;
    }
    try {
      write(pendingFile, all, i, k, d);
      LOG.warning("rollup of " + what + " deferred: not done within --shutdown-grace; written to "
          + pendingFile + ", rolled up --rollup-delay after the next start (or run"
          + " `flowcost-collector rollup`); every accepted fact is in the lake or the"
          + " write-ahead log either way");
    } catch (IOException e) {
      LOG.warning("rollup of " + what + " not done within the shutdown grace, and " + pendingFile
          + " cannot be written (" + e + "): run `flowcost-collector rollup`");
    }
    return false;
  }

  private static final int FILE_MAGIC = 0x46435250; // "FCRP"

  private static void write(Path file, boolean all, Set<String> i, Set<String> k,
      Set<LocalDate> d) throws IOException {
    // durable before the stop reports it (the WAL no longer holds what it names)
    DurableFiles.replace(file, raw -> {
      DataOutputStream out = new DataOutputStream(raw);
      out.writeInt(FILE_MAGIC);
      out.writeBoolean(all);
      writeStrings(out, d.stream().map(LocalDate::toString).toList());
      writeStrings(out, all ? Set.of() : i);
      writeStrings(out, all ? Set.of() : k);
      out.flush();
    });
  }

  private static void writeStrings(DataOutputStream out, java.util.Collection<String> values)
      throws IOException {
    out.writeInt(values.size());
    for (String v : values) {
      byte[] b = v.getBytes(StandardCharsets.UTF_8);
      out.writeInt(b.length);
      out.write(b);
    }
  }

  private static <T> void readStrings(DataInputStream in, java.util.function.Consumer<T> into,
      java.util.function.Function<String, T> parse) throws IOException {
    int n = in.readInt();
    for (int j = 0; j < n; j++) {
      int len = in.readInt();
      if (len < 0 || len > 1 << 24) {
        throw new IOException("implausible length " + len);
      }
      byte[] b = in.readNBytes(len);
      if (b.length != len) {
        throw new java.io.EOFException("cut short");
      }
      into.accept(parse.apply(new String(b, StandardCharsets.UTF_8)));
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
