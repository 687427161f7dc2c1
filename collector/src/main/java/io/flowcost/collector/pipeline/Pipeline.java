package io.flowcost.collector.pipeline;

import io.flowcost.collector.ingest.CallRecord;
import io.flowcost.collector.ingest.IngestBatch;
import io.flowcost.collector.ingest.LakeRecord;
import io.flowcost.collector.ingest.CapBreachRecord;
import io.flowcost.collector.ingest.OutcomeRecord;
import io.flowcost.collector.ingest.WorkflowHint;
import io.flowcost.collector.ingest.WorkflowSpanRecord;
import io.flowcost.collector.sink.CoverageCounters;
import io.flowcost.collector.sink.LakeFlusher;
import io.flowcost.collector.sink.Quarantine;
import io.flowcost.collector.wal.RecordCodec;
import io.flowcost.collector.wal.RecordLog;
import io.flowcost.lake.store.LakeStore;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
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
 * refuses new data once {@link #overloaded()}. A row key counts as seen only once its frame is on
 * disk, so a request whose append failed (503) is stored when retried; an outcome id seen with
 * other content is refused ({@link OutcomeConflictException}). A row the lake can never store is
 * quarantined ({@link Quarantine}) rather than blocking flushes, shutdown or a restart.
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

  /** One request's rows, encoded on the request's thread, waiting for the next group commit. */
  private record Pending(RecordCodec.Encoded encoded, CompletableFuture<Integer> done) {
    List<? extends LakeRecord> records() {
      return encoded.records();
    }
  }

  /**
   * Hears of every row newly accepted: rows the write-ahead log took (duplicates of rows already
   * seen excluded) and rows replayed from it at start. Called on the log's thread while it holds
   * the buffer: implementations are quick and in-memory (live budget spend, /metrics).
   */
  public interface AcceptListener {
    /** {@code rows} were newly accepted. */
    void accepted(List<LakeRecord> rows);

    /**
     * {@code rows} were replayed from the write-ahead log at start: accepted by an earlier run
     * and not yet in the lake. By default the same as {@link #accepted}; a listener whose counts
     * the earlier run already reported (Prometheus counters) ignores them.
     */
    default void replayed(List<LakeRecord> rows) {
      accepted(rows);
    }

    /**
     * Call spans of a request named their running workflows ({@link WorkflowHint}); told before
     * the request's rows, on the request's thread (quick and in-memory). Hints of a request that
     * then fails are harmless: they say who owns a workflow, never what it spent.
     */
    default void hinted(List<WorkflowHint> hints) {}
  }

  private final AtomicLong lastSuccessfulFlushMillis = new AtomicLong();
  private final AtomicLong flushFailures = new AtomicLong();

  private final Settings settings;
  private final RecordLog wal;
  private final Quarantine quarantine;
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
  /** The span keys of the group being committed (log thread only; reused). */
  private final FrameSpanKeys frameSpanKeys = new FrameSpanKeys();
  private final Thread walThread;
  private final ScheduledExecutorService flushTimer;
  private final AtomicLong buffered = new AtomicLong();
  private volatile boolean closed;
  /**
   * Set by {@link #close(long)}: a flush running or started after it publishes no further file
   * once {@link System#nanoTime()} passes {@link #stopBy}; the rows not published stay buffered
   * and in the write-ahead log (replayed at the next start).
   */
  private volatile boolean stopping;
  private volatile long stopBy;
  private final List<AcceptListener> acceptListeners =
      new java.util.concurrent.CopyOnWriteArrayList<>();
  private List<LakeRecord> buffer = new ArrayList<>();
  /** Rows of failed flushes, retried first; their log segments are kept until they land. */
  private List<LakeRecord> retry = new ArrayList<>();

  /**
   * A write path whose de-duplication lasts only as long as the process (tests); rows the lake
   * cannot store are quarantined in {@code quarantineDir}.
   */
  public Pipeline(Settings settings, RecordLog wal, LakeFlusher flusher, CallCoster coster,
      ChangeListener changes, CoverageCounters coverage, Clock clock, Path quarantineDir)
      throws IOException {
    this(settings, wal, flusher, coster, changes, coverage, clock, null, quarantineDir);
  }

  /**
   * A write path that de-duplicates across restarts when {@code durability} is given: keys of
   * published rows are kept in the data dir, and a flush cut short by a crash is reconciled with
   * the lake before the log is replayed. Rows the lake cannot store are quarantined in the data
   * dir's {@code quarantine/}.
   */
  public Pipeline(Settings settings, RecordLog wal, LakeFlusher flusher, CallCoster coster,
      ChangeListener changes, CoverageCounters coverage, Clock clock, Durability durability)
      throws IOException {
    this(settings, wal, flusher, coster, changes, coverage, clock, durability,
        durability.dataDir().resolve("quarantine"));
  }

  private Pipeline(Settings settings, RecordLog wal, LakeFlusher flusher, CallCoster coster,
      ChangeListener changes, CoverageCounters coverage, Clock clock, Durability durability,
      Path quarantineDir) throws IOException {
    this.quarantine = new Quarantine(quarantineDir);
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
    this.seen = new SeenIds(settings.seenIdsCapacity(), SeenIds.keyedCapacity(
        settings.seenIdsCapacity(), Runtime.getRuntime().maxMemory()));
    this.walThread = new Thread(this::walLoop, "flowcost-wal");
    this.walThread.setDaemon(true);
    this.flushTimer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "flowcost-flush");
      t.setDaemon(true);
      return t;
    });
  }

  /**
   * Adds a listener that hears of newly accepted rows (budgets, metrics); call before
   * {@link #start()}. Listeners are told in the order added.
   */
  public void onAccepted(AcceptListener listener) {
    acceptListeners.add(listener);
  }

  private void tellAccepted(List<LakeRecord> rows) {
    tell(rows, false);
  }

  private void tell(List<LakeRecord> rows, boolean replay) {
    if (rows.isEmpty()) {
      return;
    }
    for (AcceptListener l : acceptListeners) {
      try {
        if (replay) {
          l.replayed(rows);
        } else {
          l.accepted(rows);
        }
      } catch (RuntimeException e) {
        // the rows are durable already; a listener's bug must not fail the request
        LOG.log(Level.WARNING, "accept listener failed: " + e, e);
      }
    }
  }

  /** Replays the log left by an earlier run into the buffer, then starts the threads. */
  public int start() throws IOException {
    if (publishedIds != null) {
      long remembered = publishedIds.load(seen::remember);
      if (remembered > 0) {
        LOG.info("remembering " + remembered + " recently published row keys for de-duplication");
      }
    }
    List<LakeRecord> replayed = wal.replay();
    OptionalLong interrupted = intent == null ? OptionalLong.empty() : intent.pendingSince();
    Set<String> inLake = new HashSet<>();
    if (interrupted.isPresent() && !replayed.isEmpty()) {
      // The last run died while publishing: some replayed rows may already be in the lake.
      int files = recovery.recover(interrupted.getAsLong(), partitionsOf(replayed), inLake::add);
      LOG.info("a flush was interrupted: read " + inLake.size() + " row keys from " + files
          + " lake files published since, so they are not published twice");
    }
    int kept = 0;
    List<LakeRecord> keptRows = new ArrayList<>();
    synchronized (bufferLock) {
      for (LakeRecord r : replayed) {
        String key = r.dedupKey();
        boolean fresh = !seen.contains(key) && !inLake.contains(key);
        // the logged copy's content is known, so a conflicting resend is still recognised
        seen.remember(key, r.contentFingerprint());
        if (fresh) {
          buffer.add(r);
          keptRows.add(r);
          kept++;
        }
      }
      buffered.addAndGet(kept);
    }
    tell(keptRows, true);
    if (kept > 0) {
      LOG.info("replayed " + kept + " records from the write-ahead log; flushing them to the lake");
    }
    lastSuccessfulFlushMillis.set(clock.millis());
    walThread.start();
    long ms = settings.flushInterval().toMillis();
    flushTimer.scheduleWithFixedDelay(this::flushQuietly, ms, ms, TimeUnit.MILLISECONDS);
    return kept;
  }

  /**
   * When the last flush finished with nothing left to retry (epoch millis; the start time until
   * the first flush), so {@code now - this} is how far the lake lags behind this collector.
   */
  public long lastSuccessfulFlushMillis() {
    return lastSuccessfulFlushMillis.get();
  }

  /** Flushes that failed (rows kept and retried) since start. */
  public long flushFailures() {
    return flushFailures.get();
  }

  /** Requests waiting for the write-ahead log's next group commit. */
  public int queuedRequests() {
    return queue.size();
  }

  /** True when the buffer is full (the lake is slow or down): refuse new data with 503. */
  public boolean overloaded() {
    return buffered.get() >= settings.maxBufferedRows();
  }

  /**
   * Models seen unpriced since start, first seen first, with call counts
   * ({@link CallCoster#unpricedModels}).
   */
  public java.util.Map<String, Long> unpricedModels() {
    return coster.unpricedModels();
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
    if (!batch.workflowHints().isEmpty()) {
      for (AcceptListener l : acceptListeners) {
        try {
          l.hinted(batch.workflowHints());
        } catch (RuntimeException e) {
          LOG.log(Level.WARNING, "accept listener failed on workflow hints: " + e, e);
        }
      }
    }
    List<LakeRecord> rows = new ArrayList<>(batch.calls().size() + batch.workflowSpans().size());
    for (CallRecord c : batch.calls()) {
      rows.add(coster.price(c));
    }
    rows.addAll(batch.workflowSpans());
    rows.addAll(batch.capBreaches());
    return submit(rows);
  }

  /**
   * Logs outcomes; completes when they are durable, or exceptionally with
   * {@link OutcomeConflictException} (nothing of the request stored) when an outcome id is
   * already taken by other content.
   */
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

  private CompletableFuture<Integer> submit(List<LakeRecord> rows) {
    CompletableFuture<Integer> done = new CompletableFuture<>();
    if (closed) {
      done.completeExceptionally(new IllegalStateException("collector is shutting down"));
      return done;
    }
    // encoded here, on the request's thread, so the log's thread only copies and syncs
    queue.add(new Pending(RecordCodec.encodeEach(rows), done));
    return done;
  }

  /**
   * Queued by {@link #close(long)} behind the last requests, so that the log's thread commits
   * them and ends at once rather than at its next poll timeout.
   */
  private static final Pending STOP = new Pending(null, null);

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
        boolean stop = group.remove(STOP);
        if (!group.isEmpty()) {
          commit(group);
        }
        if (stop && queue.isEmpty()) {
          return;
        }
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

  /**
   * Logs one group of requests in one frame. A key counts as seen only once its row is durable:
   * a request whose append fails leaves nothing behind, so the sender's retry is stored. Within
   * the group, a key logged by an earlier request is a duplicate of that request's row, and
   * shares its fate (one frame, one outcome).
   */
  private void commit(List<Pending> group) {
    synchronized (bufferLock) {
      List<LakeRecord> fresh = new ArrayList<>();
      // keys with a content fingerprint (outcomes) or not of the span-key form, as strings
      Map<String, String> inFrame = new HashMap<>();
      // span keys without fingerprint, nearly all keys: each parsed and probed once. The two
      // kinds never meet: only outcomes have fingerprints, and their keys have their own prefix
      FrameSpanKeys spanKeys = frameSpanKeys;
      spanKeys.clear();
      List<Pending> accepted = new ArrayList<>(group.size());
      List<RecordCodec.Encoded> encodings = new ArrayList<>(group.size());
      List<int[]> chosen = new ArrayList<>(group.size());
      for (Pending p : group) {
        List<? extends LakeRecord> records = p.records();
        Map<String, String> mine = null;
        int spanKeysBefore = spanKeys.size();
        int[] mineFresh = new int[records.size()];
        int n = 0;
        OutcomeConflictException conflict = null;
        for (int i = 0; i < records.size(); i++) {
          LakeRecord r = records.get(i);
          String key = r.dedupKey();
          String fp = r.contentFingerprint();
          if (fp == null && seen.parseSpanKey(key)) {
            // seen before, or earlier in this group: a duplicate (no content to conflict)
            if (!seen.containsParsedSpanKey(key)
                && spanKeys.add(seen.parsedTag(), seen.parsedValue())) {
              mineFresh[n++] = i;
            }
            continue;
          }
          String earlier = seen.fingerprintOf(key);
          if (earlier == null) {
            earlier = inFrame.get(key);
          }
          if (earlier == null && mine != null) {
            earlier = mine.get(key);
          }
          if (earlier == null) {
            if (mine == null) {
              mine = new LinkedHashMap<>();
            }
            mine.put(key, fp == null ? SeenIds.UNKNOWN : fp);
            mineFresh[n++] = i;
          } else if (fp != null && !earlier.equals(SeenIds.UNKNOWN) && !earlier.equals(fp)) {
            conflict = new OutcomeConflictException(((OutcomeRecord) r).outcomeId());
            break;
          }
        }
        if (conflict != null) {
          spanKeys.truncate(spanKeysBefore);
          p.done().completeExceptionally(conflict);
          continue;
        }
        if (mine != null) {
          inFrame.putAll(mine);
        }
        for (int k = 0; k < n; k++) {
          fresh.add(records.get(mineFresh[k]));
        }
        accepted.add(p);
        encodings.add(p.encoded());
        chosen.add(n == records.size() ? null : java.util.Arrays.copyOf(mineFresh, n));
      }
      try {
        if (!fresh.isEmpty()) {
          // one frame, one fsync for every request of the group; the requests' own encodings
          // are written as they are (no copy of the group's bytes)
          wal.append(fresh, RecordCodec.payloadPieces(encodings, chosen));
        }
      } catch (IOException | RuntimeException e) {
        LOG.severe("cannot write the write-ahead log (" + e.getClass().getSimpleName()
            + "): check that --data-dir is writable and not full; requests are refused (503)"
            + " until it is, and their retries are stored");
        for (Pending p : accepted) {
          p.done().completeExceptionally(e);
        }
        return;
      }
      inFrame.forEach(seen::remember);
      for (int k = 0; k < spanKeys.size(); k++) {
        seen.rememberAbsentSpanKey(spanKeys.tag(k), spanKeys.value(k));
      }
      buffer.addAll(fresh);
      tellAccepted(fresh);
      long now = buffered.addAndGet(fresh.size());
      for (int i = 0; i < accepted.size(); i++) {
        int[] pick = chosen.get(i);
        accepted.get(i).done().complete(pick == null ? accepted.get(i).records().size()
            : pick.length);
      }
      if (now >= settings.flushRows()) {
        flushTimer.execute(this::flushQuietly);
      }
    }
  }

  private static Map<LakeRecord.Table, Set<LocalDate>> partitionsOf(List<LakeRecord> records) {
    Map<LakeRecord.Table, Set<LocalDate>> out = new EnumMap<>(LakeRecord.Table.class);
    for (LakeRecord r : records) {
      try {
        out.computeIfAbsent(r.table(), t -> new HashSet<>()).add(r.partitionDay());
      } catch (java.time.DateTimeException e) {
        // a day no lake partition can have: the row is quarantined at the flush, never published
      }
    }
    return out;
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
   * failed files are retried, so a partial failure never duplicates rows in the lake. A row the
   * lake can never store (its lake row cannot be built or encoded) is moved to the quarantine,
   * counted and logged, and never holds back the other rows, the flush, shutdown or a restart.
   */
  public synchronized void flush() throws IOException {
    List<LakeRecord> rows;
    long segment;
    synchronized (bufferLock) {
      segment = wal.rotate();
      rows = new ArrayList<>(retry);
      rows.addAll(buffer);
      buffer = new ArrayList<>();
      retry = new ArrayList<>();
    }
    if (rows.isEmpty() && coverage.isEmpty()) {
      if (intent != null) {
        intent.end();
      }
      wal.deleteUpTo(segment);
      lastSuccessfulFlushMillis.set(clock.millis());
      return;
    }
    // a stop whose grace is over publishes no row: no flush to reconcile at the next start
    if (!rows.isEmpty() && intent != null && !pastStopDeadline()) {
      intent.begin(clock.millis());
    }
    List<LakeRecord> published = new ArrayList<>(rows.size());
    List<LakeRecord> quarantined = new ArrayList<>();
    List<LakeRecord> failed = new ArrayList<>();
    // rows a stop's deadline left unpublished: kept like failed ones, but nothing failed
    List<LakeRecord> deferred = new ArrayList<>();
    Exception firstError = null;
    // while stopping, files of at most flushRows rows, so that the deadline is checked often
    // (one file of a flush that fell behind can hold a million rows: seconds of writing)
    for (List<LakeRecord> group : filesOf(rows, stopping ? settings.flushRows() : Integer.MAX_VALUE)) {
      if (pastStopDeadline()) {
        deferred.addAll(group);
        continue;
      }
      List<LakeRecord> setAside = new ArrayList<>();
      try {
        publishOrQuarantine(group, published, setAside);
      } catch (IOException | RuntimeException e) {
        Set<LakeRecord> gone = Collections.newSetFromMap(new IdentityHashMap<>());
        gone.addAll(setAside);
        group.stream().filter(r -> !gone.contains(r)).forEach(failed::add);
        firstError = firstError == null ? e : firstError;
      }
      quarantined.addAll(setAside);
    }
    Map<CoverageCounters.Key, CoverageCounters.Counts> counters = coverage.drain();
    if ((!published.isEmpty() || !quarantined.isEmpty()) && publishedIds != null) {
      // quarantined rows are handled too: a restart before this flush's log segments are
      // trimmed (another file failed) must not replay and quarantine them a second time
      Map<String, String> keys = new LinkedHashMap<>();
      for (LakeRecord r : published) {
        keys.put(r.dedupKey(), r.contentFingerprint());
      }
      for (LakeRecord r : quarantined) {
        keys.put(r.dedupKey(), r.contentFingerprint());
      }
      publishedIds.record(segment, keys);
    }
    buffered.addAndGet(-published.size() - quarantined.size());
    notifyChanges(published);
    if (!failed.isEmpty() || !deferred.isEmpty()) {
      failed.addAll(deferred);
      synchronized (bufferLock) {
        retry = failed;
      }
    }
    if (failed.size() > deferred.size()) {
      coverage.restore(counters);
      flushFailures.incrementAndGet();
      if (firstError instanceof IOException io) {
        throw io;
      }
      throw (RuntimeException) firstError;
    }
    if (!deferred.isEmpty()) {
      // the log keeps every segment (and the intent stays open, so the next start reconciles
      // with the files published above): the unpublished rows are replayed from it
      publishCoverage(counters);
      return;
    }
    if (intent != null) {
      intent.end();
    }
    wal.deleteUpTo(segment);
    publishCoverage(counters);
    lastSuccessfulFlushMillis.set(clock.millis());
  }

  /** Publishes the coverage counters drained by a flush; restores them when that fails. */
  private void publishCoverage(Map<CoverageCounters.Key, CoverageCounters.Counts> counters)
      throws IOException {
    if (!counters.isEmpty()) {
      try {
        flusher.publish(List.of(), counters);
      } catch (IOException | RuntimeException e) {
        coverage.restore(counters);
        flushFailures.incrementAndGet();
        throw e;
      }
    }
  }

  /**
   * Publishes one file's rows. When that fails for a reason in the rows themselves (not an
   * {@link IOException}, which is the store's), the rows the lake can never store go to the
   * quarantine and the rest are published without them.
   */
  private void publishOrQuarantine(List<LakeRecord> group, List<LakeRecord> published,
      List<LakeRecord> setAside) throws IOException {
    try {
      flusher.publish(group, Map.of());
      published.addAll(group);
      return;
    } catch (RuntimeException e) {
      List<LakeFlusher.Unwritable> bad = flusher.unwritable(group);
      if (bad.isEmpty()) {
        throw e;
      }
      List<LakeRecord> poison = bad.stream().map(LakeFlusher.Unwritable::record).toList();
      Path file = quarantine.put(poison);
      setAside.addAll(poison);
      LocalDate today = LocalDate.now(clock.withZone(ZoneOffset.UTC));
      for (LakeFlusher.Unwritable u : bad) {
        coverage.add(new CoverageCounters.Key(today, serviceOf(u.record())),
            CoverageCounters.Counts.quarantined(1));
      }
      LOG.warning("quarantined " + poison.size() + " " + group.get(0).table().name()
          .toLowerCase(java.util.Locale.ROOT) + " row(s) the lake cannot store (first: "
          + bad.get(0).reason() + ") in " + file.toAbsolutePath()
          + "; counted in coverage.rows_quarantined, see docs/reliability.md");
    }
    Set<LakeRecord> gone = Collections.newSetFromMap(new IdentityHashMap<>());
    gone.addAll(setAside);
    List<LakeRecord> rest = group.stream().filter(r -> !gone.contains(r)).toList();
    if (!rest.isEmpty()) {
      flusher.publish(rest, Map.of());
      published.addAll(rest);
    }
  }

  private static String serviceOf(LakeRecord r) {
    if (r instanceof CallRecord c) {
      return c.service();
    } else if (r instanceof WorkflowSpanRecord w) {
      return w.service();
    } else if (r instanceof CapBreachRecord b) {
      return b.service();
    }
    return "outcome-api";
  }

  /**
   * Rows grouped the way the lake stores them: one group per table and UTC day, split into
   * groups of at most {@code maxRows} rows.
   */
  private static List<List<LakeRecord>> filesOf(List<LakeRecord> rows, int maxRows) {
    // One key per table and day, not per record: the group name built as table + "/" + day
    // (a LocalDate and its toString per record) was ≈ 8 % of what the flush thread allocated.
    // Records come in runs of one table and day, so the last group is tried first and the map
    // (and a new key) is only consulted when the run changes.
    Map<FileKey, List<LakeRecord>> groups = new LinkedHashMap<>();
    FileKey last = null;
    List<LakeRecord> current = null;
    for (LakeRecord r : rows) {
      LakeRecord.Table table = r.table();
      long day = r.partitionEpochDay();
      if (!EPOCH_DAYS.isValidValue(day)) {
        day = FileKey.UNREPRESENTABLE; // no LocalDate: quarantined by the publish attempt
      }
      if (last == null || last.table() != table || last.epochDay() != day) {
        last = new FileKey(table, day);
        current = groups.computeIfAbsent(last, k -> new ArrayList<>());
      }
      current.add(r);
    }
    List<List<LakeRecord>> out = new ArrayList<>();
    for (List<LakeRecord> group : groups.values()) {
      for (int from = 0; from < group.size(); from += maxRows) {
        out.add(group.subList(from, Math.min(group.size(), from + maxRows)));
      }
    }
    return out;
  }

  /** The days a {@link LocalDate} can hold, as epoch days. */
  private static final java.time.temporal.ValueRange EPOCH_DAYS =
      java.time.temporal.ChronoField.EPOCH_DAY.range();

  /** One lake file of a flush: a table and a UTC day (days since 1970-01-01). */
  private record FileKey(LakeRecord.Table table, long epochDay) {
    /** The one group per table of the records whose day no {@link LocalDate} can hold. */
    static final long UNREPRESENTABLE = Long.MIN_VALUE;
  }

  private void notifyChanges(List<LakeRecord> rows) {
    Set<String> ids = new HashSet<>();
    Set<String> keys = new HashSet<>();
    Set<LocalDate> days = new HashSet<>();
    for (LakeRecord r : rows) {
      if (r instanceof CallRecord c) {
        ids.add(c.workflowId());
      } else if (r instanceof WorkflowSpanRecord w) {
        ids.add(w.workflowId());
        days.add(w.partitionDay());
      } else if (r instanceof CapBreachRecord b) {
        ids.add(b.workflowId());
      } else if (r instanceof OutcomeRecord o) {
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
    close(System.nanoTime() + TimeUnit.DAYS.toNanos(365));
  }

  /**
   * Stops accepting, group-commits the requests in flight, and publishes what can be published
   * before {@code deadlineNanos} ({@link System#nanoTime()}): a flush running (or started now)
   * publishes no further file after it. Rows not published stay in the write-ahead log, whose
   * segments are kept, and are replayed at the next start: nothing acknowledged is lost.
   *
   * @return the accepted rows left in the write-ahead log, not in the lake; 0 when everything is
   */
  public long close(long deadlineNanos) throws IOException {
    stopBy = deadlineNanos;
    stopping = true;
    closed = true;
    queue.add(STOP);
    try {
      // the requests queued before the server stopped are committed (and answered); the thread
      // ends once the queue is empty
      walThread.join(Math.max(1_000, remainingMillis(deadlineNanos)));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    flushTimer.shutdown();
    boolean timerDone;
    try {
      timerDone = flushTimer.awaitTermination(Math.max(0, remainingMillis(deadlineNanos)),
          TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      timerDone = false;
    }
    if (!timerDone) {
      // a flush still writing one file: it stops after that file; the log stays open for it
      LOG.warning("a lake flush is still writing at the end of the shutdown grace; what it does"
          + " not publish stays in the write-ahead log");
      return Math.max(1, buffered.get());
    }
    flush();
    wal.close();
    return buffered.get();
  }

  /** Whether a stop ({@link #close(long)}) is under way and its deadline has passed. */
  private boolean pastStopDeadline() {
    return stopping && System.nanoTime() - stopBy > 0;
  }

  private static long remainingMillis(long deadlineNanos) {
    return TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime());
  }
}
