package io.flowcost.collector.pipeline;

import io.flowcost.collector.ingest.CallRecord;
import io.flowcost.collector.ingest.IngestBatch;
import io.flowcost.collector.ingest.OutcomeRecord;
import io.flowcost.collector.ingest.WorkflowSpanRecord;
import io.flowcost.collector.sink.CoverageCounters;
import io.flowcost.collector.sink.LakeFlusher;
import io.flowcost.collector.wal.WriteAheadLog;
import io.flowcost.lake.store.LakeStore;
import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The collector's write path: price → de-duplicate → write-ahead log (group commit) → buffer →
 * periodic flush to the lake → tell the rollup what changed.
 *
 * <p>A request is acknowledged only after its rows are forced to the log. Log segments are
 * deleted only after every row in them is published in the lake, so nothing acknowledged is lost
 * by a crash or by a lake outage; while the lake is down, rows stay buffered and the collector
 * refuses new data once {@link #overloaded()}.
 */
public final class Pipeline implements AutoCloseable {

  private static final Logger LOG = Logger.getLogger(Pipeline.class.getName());

  /** Settings of the write path. */
  public record Settings(Duration flushInterval, int flushRows, long maxBufferedRows,
      int seenIdsCapacity) {}

  /**
   * Where de-duplication state survives a restart: the data dir (published keys, the flush
   * marker) and the lake (read back after a crash in the middle of a flush).
   *
   * @param idRetention how long keys of published rows are remembered across restarts
   */
  public record Durability(Path dataDir, LakeStore store, Duration idRetention) {
    public Durability(Path dataDir, LakeStore store) {
      this(dataDir, store, Duration.ofHours(24));
    }
  }

  private record Pending(List<Serializable> records, CompletableFuture<Integer> done) {}

  private final Settings settings;
  private final WriteAheadLog wal;
  private final LakeFlusher flusher;
  private final CallCoster coster;
  private final ChangeListener changes;
  private final CoverageCounters coverage;
  private final Clock clock;
  private final SeenIds seen;
  private final PublishedIds publishedIds;
  private final FlushIntent intent;
  private final LakeIdRecovery recovery;
  private final Object bufferLock = new Object();
  private final BlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
  private final Thread walThread;
  private final ScheduledExecutorService flushTimer;
  private final AtomicLong buffered = new AtomicLong();
  private volatile boolean closed;
  private List<Serializable> buffer = new ArrayList<>();
  /** Rows of failed flushes, retried first; their log segments are kept until they land. */
  private List<Serializable> retry = new ArrayList<>();

  /** A write path whose de-duplication lasts only as long as the process (tests). */
  public Pipeline(Settings settings, WriteAheadLog wal, LakeFlusher flusher, CallCoster coster,
      ChangeListener changes, CoverageCounters coverage, Clock clock) throws IOException {
    this(settings, wal, flusher, coster, changes, coverage, clock, null);
  }

  /**
   * A write path that de-duplicates across restarts when {@code durability} is given: keys of
   * published rows are kept in the data dir, and a flush cut short by a crash is reconciled with
   * the lake before the log is replayed.
   */
  public Pipeline(Settings settings, WriteAheadLog wal, LakeFlusher flusher, CallCoster coster,
      ChangeListener changes, CoverageCounters coverage, Clock clock, Durability durability)
      throws IOException {
    if (durability != null) {
      this.publishedIds = new PublishedIds(durability.dataDir().resolve("published-ids"),
          durability.idRetention(), settings.seenIdsCapacity(), clock);
      this.intent = new FlushIntent(durability.dataDir().resolve("flush.intent"));
      this.recovery = new LakeIdRecovery(durability.store(), durability.dataDir().resolve("tmp"));
    } else {
      this.publishedIds = null;
      this.intent = null;
      this.recovery = null;
    }
    this.settings = settings;
    this.wal = wal;
    this.flusher = flusher;
    this.coster = coster;
    this.changes = changes;
    this.coverage = coverage;
    this.clock = clock;
    this.seen = new SeenIds(settings.seenIdsCapacity());
    this.walThread = new Thread(this::walLoop, "flowcost-wal");
    this.walThread.setDaemon(true);
    this.flushTimer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "flowcost-flush");
      t.setDaemon(true);
      return t;
    });
  }

  /** Replays the log left by an earlier run into the buffer, then starts the threads. */
  public int start() throws IOException {
    if (publishedIds != null) {
      long remembered = publishedIds.load(seen::remember);
      if (remembered > 0) {
        LOG.info("remembering " + remembered + " recently published row keys for de-duplication");
      }
    }
    List<Object> replayed = wal.replay();
    OptionalLong interrupted = intent == null ? OptionalLong.empty() : intent.pendingSince();
    if (interrupted.isPresent() && !replayed.isEmpty()) {
      // The last run died while publishing: some replayed rows may already be in the lake.
      int[] found = {0};
      int files = recovery.recover(interrupted.getAsLong(), partitionsOf(replayed), k -> {
        seen.remember(k);
        found[0]++;
      });
      LOG.info("a flush was interrupted: read " + found[0] + " row keys from " + files
          + " lake files published since, so they are not published twice");
    }
    int kept = 0;
    synchronized (bufferLock) {
      for (Object o : replayed) {
        if (o instanceof Serializable s && firstTime(s)) {
          buffer.add(s);
          kept++;
        }
      }
      buffered.addAndGet(kept);
    }
    if (kept > 0) {
      LOG.info("replayed " + kept + " records from the write-ahead log; flushing them to the lake");
    }
    walThread.start();
    long ms = settings.flushInterval().toMillis();
    flushTimer.scheduleWithFixedDelay(this::flushQuietly, ms, ms, TimeUnit.MILLISECONDS);
    return kept;
  }

  /** True when the buffer is full (the lake is slow or down): refuse new data with 503. */
  public boolean overloaded() {
    return buffered.get() >= settings.maxBufferedRows();
  }

  /** Rows accepted but not yet in the lake. */
  public long bufferedRows() {
    return buffered.get();
  }

  /** Prices and logs the rows of one OTLP request; completes when they are durable. */
  public CompletableFuture<Integer> acceptSpans(IngestBatch batch) {
    LocalDate today = LocalDate.now(clock.withZone(ZoneOffset.UTC));
    batch.spansReceivedByService().forEach((service, n) -> coverage.add(
        new CoverageCounters.Key(today, service),
        new CoverageCounters.Counts(n, batch.rejectedByService().getOrDefault(service, 0),
            0, 0, 0, 0)));
    batch.agentDroppedByService().forEach((service, n) -> coverage.add(
        new CoverageCounters.Key(today, service), new CoverageCounters.Counts(0, 0, 0, 0, 0, n)));
    List<Serializable> rows = new ArrayList<>(batch.calls().size() + batch.workflowSpans().size());
    for (CallRecord c : batch.calls()) {
      rows.add(coster.price(c));
    }
    rows.addAll(batch.workflowSpans());
    return submit(rows);
  }

  /** Logs outcomes; completes when they are durable. */
  public CompletableFuture<Integer> acceptOutcomes(List<OutcomeRecord> outcomes) {
    LocalDate today = LocalDate.now(clock.withZone(ZoneOffset.UTC));
    coverage.add(new CoverageCounters.Key(today, "outcome-api"),
        new CoverageCounters.Counts(0, 0, 0, outcomes.size(), 0, 0));
    return submit(new ArrayList<>(outcomes));
  }

  /** Counts a rejected outcome request in coverage. */
  public void outcomeRejected() {
    LocalDate today = LocalDate.now(clock.withZone(ZoneOffset.UTC));
    coverage.add(new CoverageCounters.Key(today, "outcome-api"),
        new CoverageCounters.Counts(0, 0, 0, 0, 1, 0));
  }

  /** Counts a whole OTLP request rejected before any span could be read. */
  public void spansRequestRejected(int spans) {
    LocalDate today = LocalDate.now(clock.withZone(ZoneOffset.UTC));
    coverage.add(new CoverageCounters.Key(today, "unknown_service"),
        new CoverageCounters.Counts(0, Math.max(spans, 1), 0, 0, 0, 0));
  }

  private CompletableFuture<Integer> submit(List<Serializable> rows) {
    CompletableFuture<Integer> done = new CompletableFuture<>();
    if (closed) {
      done.completeExceptionally(new IllegalStateException("collector is shutting down"));
      return done;
    }
    queue.add(new Pending(rows, done));
    return done;
  }

  /** Group commit: everything queued while the last fsync ran goes into the next frame. */
  private void walLoop() {
    List<Pending> group = new ArrayList<>();
    while (true) {
      try {
        Pending first = queue.poll(200, TimeUnit.MILLISECONDS);
        if (first == null) {
          if (closed) {
            return;
          }
          continue;
        }
        group.add(first);
        queue.drainTo(group);
        commit(group);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (RuntimeException e) {
        LOG.log(Level.SEVERE, "write-ahead log thread failed: " + e, e);
        group.forEach(p -> p.done().completeExceptionally(e));
      } finally {
        group.clear();
      }
    }
  }

  private void commit(List<Pending> group) {
    synchronized (bufferLock) {
      List<Serializable> fresh = new ArrayList<>();
      int[] counts = new int[group.size()];
      for (int i = 0; i < group.size(); i++) {
        for (Serializable s : group.get(i).records()) {
          if (firstTime(s)) {
            fresh.add(s);
            counts[i]++;
          }
        }
      }
      try {
        if (!fresh.isEmpty()) {
          wal.append(fresh);
        }
      } catch (IOException e) {
        LOG.severe("cannot write the write-ahead log (" + e.getClass().getSimpleName()
            + "): check that --data-dir is writable and not full; requests are refused until it is");
        for (Pending p : group) {
          p.done().completeExceptionally(e);
        }
        return;
      }
      buffer.addAll(fresh);
      long now = buffered.addAndGet(fresh.size());
      for (int i = 0; i < group.size(); i++) {
        group.get(i).done().complete(counts[i]);
      }
      if (now >= settings.flushRows()) {
        flushTimer.execute(this::flushQuietly);
      }
    }
  }

  private boolean firstTime(Serializable s) {
    String key = keyOf(s);
    return key == null || seen.firstTime(key);
  }

  private static Map<LakeIdRecovery.Table, Set<LocalDate>> partitionsOf(List<Object> records) {
    Map<LakeIdRecovery.Table, Set<LocalDate>> out = new HashMap<>();
    for (Object o : records) {
      if (o instanceof CallRecord c) {
        out.computeIfAbsent(LakeIdRecovery.CALLS, t -> new HashSet<>()).add(utcDay(c.startTime()));
      } else if (o instanceof WorkflowSpanRecord w) {
        out.computeIfAbsent(LakeIdRecovery.WORKFLOW_SPANS, t -> new HashSet<>())
            .add(utcDay(w.startTime()));
      } else if (o instanceof OutcomeRecord r) {
        out.computeIfAbsent(LakeIdRecovery.OUTCOMES, t -> new HashSet<>())
            .add(utcDay(r.reportedAt()));
      }
    }
    return out;
  }

  private static LocalDate utcDay(Instant t) {
    return LocalDate.ofInstant(t, ZoneOffset.UTC);
  }

  private static String keyOf(Serializable s) {
    if (s instanceof CallRecord c) {
      return "c:" + c.spanId();
    } else if (s instanceof WorkflowSpanRecord w) {
      return "w:" + w.spanId();
    } else if (s instanceof OutcomeRecord o) {
      return "o:" + o.outcomeId();
    }
    return null;
  }

  private void flushQuietly() {
    try {
      flush();
    } catch (Exception e) {
      LOG.warning("lake flush failed (" + e.getClass().getSimpleName() + ": " + e.getMessage()
          + "); rows stay in the write-ahead log and are retried at the next flush");
    }
  }

  /**
   * Publishes everything buffered to the lake, one file per table and day. Safe to call from any
   * thread. Files that were published stay published when another fails: only the rows of the
   * failed files are retried, so a partial failure never duplicates rows in the lake.
   */
  public synchronized void flush() throws IOException {
    List<Serializable> rows;
    long segment;
    synchronized (bufferLock) {
      segment = wal.rotate();
      rows = new ArrayList<>(retry);
      rows.addAll(buffer);
      buffer = new ArrayList<>();
      retry = new ArrayList<>();
    }
    Map<CoverageCounters.Key, CoverageCounters.Counts> counters = coverage.drain();
    if (rows.isEmpty() && counters.isEmpty()) {
      if (intent != null) {
        intent.end();
      }
      wal.deleteUpTo(segment);
      return;
    }
    if (!rows.isEmpty() && intent != null) {
      intent.begin(clock.millis());
    }
    List<Serializable> published = new ArrayList<>(rows.size());
    List<Serializable> failed = new ArrayList<>();
    Exception firstError = null;
    for (List<Serializable> group : filesOf(rows)) {
      try {
        flusher.publish(group, Map.of());
        published.addAll(group);
      } catch (IOException | RuntimeException e) {
        failed.addAll(group);
        firstError = firstError == null ? e : firstError;
      }
    }
    if (!published.isEmpty() && publishedIds != null) {
      List<String> keys = new ArrayList<>(published.size());
      for (Serializable s : published) {
        String key = keyOf(s);
        if (key != null) {
          keys.add(key);
        }
      }
      publishedIds.record(segment, keys);
    }
    buffered.addAndGet(-published.size());
    notifyChanges(published);
    if (!failed.isEmpty()) {
      synchronized (bufferLock) {
        retry = failed;
      }
      coverage.restore(counters);
      if (firstError instanceof IOException io) {
        throw io;
      }
      throw (RuntimeException) firstError;
    }
    if (intent != null) {
      intent.end();
    }
    wal.deleteUpTo(segment);
    if (!counters.isEmpty()) {
      try {
        flusher.publish(List.of(), counters);
      } catch (IOException | RuntimeException e) {
        coverage.restore(counters);
        throw e;
      }
    }
  }

  /** Rows grouped the way the lake stores them: one group per table and UTC day. */
  private static List<List<Serializable>> filesOf(List<Serializable> rows) {
    Map<String, List<Serializable>> groups = new LinkedHashMap<>();
    for (Serializable s : rows) {
      String group;
      if (s instanceof CallRecord c) {
        group = "c" + utcDay(c.startTime());
      } else if (s instanceof WorkflowSpanRecord w) {
        group = "w" + utcDay(w.startTime());
      } else if (s instanceof OutcomeRecord o) {
        group = "o" + utcDay(o.reportedAt());
      } else {
        group = "?";
      }
      groups.computeIfAbsent(group, g -> new ArrayList<>()).add(s);
    }
    return new ArrayList<>(groups.values());
  }

  private void notifyChanges(List<Serializable> rows) {
    Set<String> ids = new HashSet<>();
    Set<String> keys = new HashSet<>();
    Set<LocalDate> days = new HashSet<>();
    for (Serializable s : rows) {
      if (s instanceof CallRecord c) {
        ids.add(c.workflowId());
      } else if (s instanceof WorkflowSpanRecord w) {
        ids.add(w.workflowId());
        days.add(LocalDate.ofInstant(w.startTime(), ZoneOffset.UTC));
      } else if (s instanceof OutcomeRecord o) {
        if (o.workflowId() != null) {
          ids.add(o.workflowId());
        } else {
          keys.add(o.externalKey());
        }
      }
    }
    if (!ids.isEmpty() || !keys.isEmpty()) {
      changes.published(ids, keys, days);
    }
  }

  /** Stops accepting, commits what is queued, flushes everything to the lake. */
  @Override
  public void close() throws IOException {
    closed = true;
    try {
      walThread.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    flushTimer.shutdown();
    try {
      flushTimer.awaitTermination(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    flush();
    wal.close();
  }
}
