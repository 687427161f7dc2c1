package io.flowcost.agent.export;

import io.flowcost.agent.AgentLog;
import io.flowcost.agent.trace.AgentTracer;
import io.flowcost.agent.usage.ScanningThread;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.ReadWriteSpan;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The agent's batch span processor, in place of the OpenTelemetry SDK's {@code
 * BatchSpanProcessor}, with its rules and settings ({@link BatchSettings}): ended spans wait in a
 * bounded queue ({@link BatchSettings#maxQueueSize} spans; a span that finds it full is dropped
 * and counted, never waited for), and one export thread hands them to the exporter in batches of
 * at most {@link BatchSettings#maxExportBatchSize} — as soon as that many are queued, else every
 * {@link BatchSettings#scheduleDelayMillis} — and at {@link #forceFlush} and {@link #shutdown},
 * which export everything queued before their results complete.
 *
 * <p>One thread exports, by construction: {@link SpanExporter#export} and {@link
 * SpanExporter#shutdown} are only ever called by the export thread, so the exporter needs no
 * locking (the OTLP encoder reuses one buffer). {@link #shutdown} asks that thread to export
 * everything queued and stop; spans that end while it does are still exported. A span is dropped
 * only for one of the {@link Drop} reasons, and each is counted ({@link #dropped(Drop)}): nothing
 * is lost silently.
 *
 * <p>Why our own: the SDK's loads its queue, metrics and executor classes when the agent starts
 * (before the application's {@code main}) and starts its thread there; this one is a lock and an
 * array, and its thread starts with the first span ({@link #start} starts it earlier, once the
 * agent is installed). On the application's thread, {@link #onEnd} takes the lock, stores the
 * span and, for every batch's worth, wakes the export thread: no allocation.
 */
final class SpanBatcher implements SpanProcessor {

  /** Why a span ended but was not handed to the exporter. */
  enum Drop {
    /** The queue was full: the export thread was behind. */
    QUEUE_FULL("the queue was full"),
    /** The span ended after the export thread had exported its last batch at shutdown. */
    AFTER_SHUTDOWN("ended after the agent's export had shut down"),
    /** Still queued when shutdown's time ran out (the exporter was stuck). */
    SHUTDOWN_TIMEOUT("still queued when the shutdown timeout ran out");

    private final String why;

    Drop(String why) {
      this.why = why;
    }

    /** Why, in words, for the log. */
    String why() {
      return why;
    }
  }

  private final SpanExporter exporter;
  private final SpanShipper shipper;
  /** Spans the queue holds before it drops: the ring's length. */
  private final int maxQueued;
  /** Spans per export, and how many queued wake the export thread. */
  private final int maxBatch;
  private final long scheduleDelayNanos;
  private final SpanData[] ring;
  private int head;
  private int size;
  /** Flush requests not yet served: each completes when what was queued before it is exported. */
  private final List<CompletableResultCode> flushes = new ArrayList<>(1);
  private boolean exporting;
  /** Shutdown was asked: the export thread exports everything queued, then {@link #closed}. */
  private boolean stopping;
  /** The export thread exported its last batch (or never started): later spans are dropped. */
  private boolean closed;
  private Thread thread;
  /** Completes once the export thread has exported its last batch and shut the exporter down. */
  private final CompletableResultCode terminated = new CompletableResultCode();
  private final Map<Drop, AtomicLong> drops = new EnumMap<>(Drop.class);
  /** Drops already handed to the shipper's count for the collector; guarded by {@link #drops}. */
  private long dropsReported;
  private final AtomicLong exported = new AtomicLong();

  /**
   * @param exporter receives each batch on the export thread
   * @param shipper started by the export thread before its first batch, and told of dropped spans
   *     so that the collector learns of them; {@code null}: none
   */
  SpanBatcher(SpanExporter exporter, SpanShipper shipper) {
    this(exporter, shipper, BatchSettings.DEFAULT);
  }

  /**
   * @param exporter receives each batch on the export thread
   * @param shipper as above; {@code null}: none
   * @param settings the queue's bound, the batch size and the schedule
   */
  SpanBatcher(SpanExporter exporter, SpanShipper shipper, BatchSettings settings) {
    this.exporter = exporter;
    this.shipper = shipper;
    this.maxQueued = settings.maxQueueSize();
    this.maxBatch = settings.maxExportBatchSize();
    this.scheduleDelayNanos = TimeUnit.MILLISECONDS.toNanos(settings.scheduleDelayMillis());
    this.ring = new SpanData[maxQueued];
    for (Drop d : Drop.values()) {
      drops.put(d, new AtomicLong());
    }
  }

  /** Starts the export thread now, if not yet started (by a span or an earlier call). */
  void start() {
    synchronized (this) {
      startLocked();
    }
  }

  private void startLocked() {
    if (thread == null && !stopping) {
      // reads the answers left for the export (AgentTracer.endLate) as it encodes their spans
      thread = new ScanningThread(this::run, "flowcost-batch");
      thread.setDaemon(true);
      thread.start();
    }
  }

  @Override
  public void onStart(Context parentContext, ReadWriteSpan span) {}

  @Override
  public boolean isStartRequired() {
    return false;
  }

  @Override
  public void onEnd(ReadableSpan span) {
    SpanData data = span.toSpanData();
    synchronized (this) {
      if (closed) {
        drop(Drop.AFTER_SHUTDOWN, 1);
      } else if (size == maxQueued) {
        drop(Drop.QUEUE_FULL, 1);
      } else {
        ring[(head + size) % maxQueued] = data;
        size++;
        if (thread == null) {
          startLocked(); // not closed, so not stopping without a thread: it starts
        } else if (size % maxBatch == 0 && !exporting) {
          notifyAll();
        }
        return;
      }
    }
    // dropped: what the span holds until it is read (an answer left for the export) goes now
    AgentTracer.dropped(span);
  }

  /** Counts {@code n} dropped spans; logs the first of each reason at once. Holds the lock. */
  private void drop(Drop reason, long n) {
    if (drops.get(reason).getAndAdd(n) == 0) {
      AgentLog.info(n + " span(s) dropped: " + reason.why() + "; further drops are counted and"
          + " reported at exit");
    }
  }

  @Override
  public boolean isEndRequired() {
    return true;
  }

  /** Exports what is queued now; the result completes when it has been handed to the exporter. */
  @Override
  public CompletableResultCode forceFlush() {
    CompletableResultCode result = new CompletableResultCode();
    synchronized (this) {
      if (thread == null || closed) {
        // nothing queued: every queued span started the thread, and a closed batcher holds none
        return result.succeed();
      }
      flushes.add(result);
      notifyAll();
    }
    return result;
  }

  /**
   * Asks the export thread to export everything queued, shut the exporter down and stop; the
   * result completes when it has. The caller bounds the wait ({@code join}) and then calls {@link
   * #abandon} so that what could not be exported in time is counted.
   */
  @Override
  public CompletableResultCode shutdown() {
    boolean noThread;
    synchronized (this) {
      if (stopping) {
        return terminated;
      }
      stopping = true;
      noThread = thread == null;
      if (noThread) {
        closed = true; // nothing queued (a span would have started the thread)
      }
      notifyAll();
    }
    if (noThread) {
      // no export thread ever ran, so none can be exporting: the exporter is idle
      exporter.shutdown().whenComplete(terminated::succeed);
    }
    return terminated;
  }

  /**
   * After a {@link #shutdown} whose wait ran out: closes the queue and counts what it still holds
   * as dropped ({@link Drop#SHUTDOWN_TIMEOUT}). Returns how many.
   */
  long abandon() {
    synchronized (this) {
      if (closed) {
        return 0;
      }
      closed = true;
      int left = size;
      for (int i = 0; i < size; i++) {
        ring[(head + i) % maxQueued] = null;
      }
      head = 0;
      size = 0;
      if (left > 0) {
        drop(Drop.SHUTDOWN_TIMEOUT, left);
      }
      notifyAll();
      return left;
    }
  }

  /** Whether the export thread has started (tests). */
  synchronized boolean started() {
    return thread != null;
  }

  /** Whether the export thread is exporting a batch now (tests). */
  synchronized boolean exporting() {
    return exporting;
  }

  /** Spans dropped because the queue was full. */
  long droppedSpans() {
    return dropped(Drop.QUEUE_FULL);
  }

  /** Spans dropped for {@code reason}. */
  long dropped(Drop reason) {
    return drops.get(reason).get();
  }

  /**
   * The line to log at exit when spans were dropped, naming how many and why; {@code null} when
   * none were.
   */
  String dropSummary() {
    StringBuilder line = new StringBuilder();
    long total = 0;
    for (Drop d : Drop.values()) {
      long n = dropped(d);
      if (n > 0) {
        line.append(total == 0 ? "" : ", ").append(n).append(' ').append(d.why());
        total += n;
      }
    }
    return total == 0 ? null
        : total + " span(s) were dropped by the agent and never sent: " + line;
  }

  /** Spans handed to the exporter. */
  long exportedSpans() {
    return exported.get();
  }

  /** Moves up to a batch's worth of queued spans into {@code batch}; holds the lock. */
  private void take(List<SpanData> batch) {
    batch.clear();
    int n = Math.min(size, maxBatch);
    for (int i = 0; i < n; i++) {
      batch.add(ring[head]);
      ring[head] = null;
      head = (head + 1) % maxQueued;
    }
    size -= n;
  }

  private void export(List<SpanData> batch) {
    try {
      exporter.export(batch);
      exported.addAndGet(batch.size());
    } catch (RuntimeException e) {
      AgentLog.failure("span export", e);
    }
  }

  /**
   * Hands the drops counted since the last call to the shipper, whose spool keeps the count until
   * the collector has been told: the export thread after each round, shutdown once more at the
   * end.
   */
  void reportDrops() {
    if (shipper == null) {
      return;
    }
    synchronized (drops) {
      long total = 0;
      for (AtomicLong n : drops.values()) {
        total += n.get();
      }
      if (total > dropsReported) {
        shipper.spansDropped(total - dropsReported);
        dropsReported = total;
      }
    }
  }

  private void run() {
    try {
      if (shipper != null) {
        try {
          shipper.start(); // its thread: the network, the spool of earlier processes
        } catch (RuntimeException e) {
          AgentLog.failure("span export start", e);
        }
      }
      exportUntilShutdown();
    } finally {
      // whatever ended the loop, no span may wait in a queue nobody reads
      abandon();
      reportDrops();
      List<CompletableResultCode> served;
      synchronized (this) {
        served = new ArrayList<>(flushes);
        flushes.clear();
      }
      served.forEach(CompletableResultCode::succeed);
      try {
        exporter.shutdown().whenComplete(terminated::succeed);
      } catch (RuntimeException e) {
        AgentLog.failure("span exporter shutdown", e);
        terminated.fail();
      }
    }
  }

  /** The export loop: returns once shutdown was asked and everything queued is exported. */
  private void exportUntilShutdown() {
    List<SpanData> batch = new ArrayList<>(maxBatch);
    long nextExport = System.nanoTime() + scheduleDelayNanos;
    while (true) {
      List<CompletableResultCode> served = null;
      boolean last;
      synchronized (this) {
        exporting = false;
        long left;
        while (!stopping && flushes.isEmpty() && size < maxBatch
            && (left = nextExport - System.nanoTime()) > 0) {
          try {
            TimeUnit.NANOSECONDS.timedWait(this, left);
          } catch (InterruptedException e) {
            return; // the finally of run counts what is left
          }
        }
        if (closed) {
          return; // abandoned: the caller stopped waiting
        }
        if (stopping && size == 0) {
          closed = true; // the last batch is out: spans ending from now on are dropped, counted
          return;
        }
        last = stopping;
        if (!flushes.isEmpty()) {
          // everything queued now is exported before the flushes complete
          served = new ArrayList<>(flushes);
          flushes.clear();
        }
        exporting = true;
      }
      // export in batches, outside the lock: the application keeps adding meanwhile
      int toExport;
      synchronized (this) {
        toExport = served != null || last ? size : Math.min(size, maxBatch);
      }
      while (toExport > 0) {
        synchronized (this) {
          take(batch);
        }
        toExport -= batch.size();
        if (batch.isEmpty()) {
          break;
        }
        export(batch);
      }
      batch.clear();
      reportDrops();
      nextExport = System.nanoTime() + scheduleDelayNanos;
      if (served != null) {
        for (CompletableResultCode flush : served) {
          flush.succeed();
        }
      }
    }
  }
}
