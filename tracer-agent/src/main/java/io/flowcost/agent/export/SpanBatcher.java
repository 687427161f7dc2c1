package io.flowcost.agent.export;

import io.flowcost.agent.AgentLog;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.ReadWriteSpan;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The agent's batch span processor, in place of the OpenTelemetry SDK's {@code
 * BatchSpanProcessor}, with its rules: ended spans wait in a bounded queue ({@link #MAX_QUEUED}
 * spans; a span that finds it full is dropped and counted, never waited for), and one export
 * thread hands them to the exporter in batches of at most {@link #MAX_BATCH} — as soon as that
 * many are queued, else every {@link #SCHEDULE_DELAY_MILLIS} — and at {@link #forceFlush} and
 * {@link #shutdown}, which export everything queued before they return.
 *
 * <p>Why our own: the SDK's loads its queue, metrics and executor classes when the agent starts
 * (before the application's {@code main}) and starts its thread there; this one is a lock and an
 * array, and its thread starts with the first span ({@link #start} starts it earlier, once the
 * agent is installed). On the application's thread, {@link #onEnd} takes the lock, stores the
 * span and, for every {@link #MAX_BATCH}th, wakes the export thread: no allocation.
 */
final class SpanBatcher implements SpanProcessor {

  /** Spans the queue holds before it drops (the SDK's default was raised to this too). */
  static final int MAX_QUEUED = 8192;
  /** Spans per export: the SDK's default. */
  static final int MAX_BATCH = 512;
  /** The longest a span waits for a batch to fill: the SDK's default. */
  static final long SCHEDULE_DELAY_MILLIS = 5_000;

  private final SpanExporter exporter;
  private final SpanShipper shipper;
  private final SpanData[] ring = new SpanData[MAX_QUEUED];
  private int head;
  private int size;
  /** Flush requests not yet served: each completes when what was queued before it is exported. */
  private final List<CompletableResultCode> flushes = new ArrayList<>(1);
  private boolean exporting;
  private boolean stopping;
  private Thread thread;
  private final AtomicLong dropped = new AtomicLong();
  private final AtomicLong exported = new AtomicLong();

  /**
   * @param exporter receives each batch on the export thread
   * @param shipper started by the export thread before its first batch; {@code null}: none
   */
  SpanBatcher(SpanExporter exporter, SpanShipper shipper) {
    this.exporter = exporter;
    this.shipper = shipper;
  }

  /** Starts the export thread now, if not yet started (by a span or an earlier call). */
  void start() {
    synchronized (this) {
      startLocked();
    }
  }

  private void startLocked() {
    if (thread == null && !stopping) {
      thread = new Thread(this::run, "flowcost-batch");
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
      if (stopping) {
        return;
      }
      if (size == MAX_QUEUED) {
        if (dropped.getAndIncrement() == 0) {
          AgentLog.info("span queue full (" + MAX_QUEUED + " spans): spans are dropped until"
              + " the export thread catches up; further drops are only counted");
        }
        return;
      }
      ring[(head + size) % MAX_QUEUED] = data;
      size++;
      if (thread == null) {
        startLocked();
      } else if (size % MAX_BATCH == 0 && !exporting) {
        notifyAll();
      }
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
      if (thread == null || stopping) {
        // no thread: export here (nothing queued yet, or shutting down)
        drainHere();
        return result.succeed();
      }
      flushes.add(result);
      notifyAll();
    }
    return result;
  }

  /** Exports what is queued, stops the export thread and shuts the exporter down. */
  @Override
  public CompletableResultCode shutdown() {
    CompletableResultCode flushed = forceFlush();
    flushed.join(SCHEDULE_DELAY_MILLIS, TimeUnit.MILLISECONDS);
    Thread worker;
    synchronized (this) {
      stopping = true;
      worker = thread;
      notifyAll();
    }
    if (worker != null && worker != Thread.currentThread()) {
      try {
        worker.join(1_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    synchronized (this) {
      drainHere(); // what arrived after the flush, before stopping
    }
    return exporter.shutdown();
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
    return dropped.get();
  }

  /** Spans handed to the exporter. */
  long exportedSpans() {
    return exported.get();
  }

  /** Exports everything queued on the calling thread, which holds the lock. */
  private void drainHere() {
    List<SpanData> batch = new ArrayList<>(Math.min(size, MAX_BATCH));
    while (size > 0) {
      take(batch);
      export(batch);
    }
  }

  /** Moves up to {@link #MAX_BATCH} queued spans into {@code batch}; holds the lock. */
  private void take(List<SpanData> batch) {
    batch.clear();
    int n = Math.min(size, MAX_BATCH);
    for (int i = 0; i < n; i++) {
      batch.add(ring[head]);
      ring[head] = null;
      head = (head + 1) % MAX_QUEUED;
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

  private void run() {
    if (shipper != null) {
      try {
        shipper.start(); // its thread: the network, the spool of earlier processes
      } catch (RuntimeException e) {
        AgentLog.failure("span export start", e);
      }
    }
    List<SpanData> batch = new ArrayList<>(MAX_BATCH);
    long nextExport = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(SCHEDULE_DELAY_MILLIS);
    while (true) {
      List<CompletableResultCode> served = null;
      synchronized (this) {
        exporting = false;
        long left;
        while (!stopping && flushes.isEmpty() && size < MAX_BATCH
            && (left = nextExport - System.nanoTime()) > 0) {
          try {
            TimeUnit.NANOSECONDS.timedWait(this, left);
          } catch (InterruptedException e) {
            return;
          }
        }
        if (stopping) {
          return; // shutdown exports what is left
        }
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
        toExport = served != null ? size : Math.min(size, MAX_BATCH);
      }
      while (toExport > 0) {
        synchronized (this) {
          take(batch);
        }
        toExport -= batch.size();
        export(batch);
        if (batch.isEmpty()) {
          break;
        }
      }
      batch.clear();
      nextExport = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(SCHEDULE_DELAY_MILLIS);
      if (served != null) {
        for (CompletableResultCode flush : served) {
          flush.succeed();
        }
      }
    }
  }
}
