package io.flowcost.agent.export;

import io.flowcost.agent.AgentLog;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Sends encoded OTLP requests to the collector on its own thread, in order, and never loses them
 * to an outage: a bounded queue in memory, retries with exponential backoff (or the collector's
 * {@code Retry-After}), and a bounded {@link Spool} on disk for what cannot be sent now.
 *
 * <p>Ordering: everything in the spool is older than everything in memory, so the spool is sent
 * first. While the collector is unreachable, batches go to the spool instead of waiting in
 * memory, so a crash of the application loses nothing that reached the shipper. Requests the
 * collector refuses for good (a 4xx other than 408/429) are dropped and counted as rejected.
 */
final class SpanShipper {

  /**
   * An encoded OTLP request and how many spans it holds. Its buffer is released once: by the
   * sender after the attempt that sent it (or spooled it on failure), or by whoever spooled it
   * while it was not in flight.
   */
  record Batch(RequestBuffer body, int spans, String stamp) {}

  private static final long MIN_BACKOFF_MILLIS = 100;
  private static final long MAX_BACKOFF_MILLIS = 10_000;
  private static final long MAX_RETRY_AFTER_MILLIS = 60_000;

  private final Transport transport;
  private final Spool spool;
  private final long memoryMaxBytes;
  private final String serviceName;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private final ArrayDeque<Batch> memory = new ArrayDeque<>();
  private final Thread thread;
  private boolean started; // guarded by thread
  private long memoryBytes;
  private Batch inFlight;
  private boolean stopping;
  /** {@link #shutdown} closed the spool. */
  private boolean spoolClosed;
  /** The last attempt failed: new batches go straight to the spool until one succeeds. */
  private boolean collectorDown;

  final AtomicLong sentSpans = new AtomicLong();
  final AtomicLong spooledSpans = new AtomicLong();
  final AtomicLong rejectedSpans = new AtomicLong();
  final AtomicLong failedAttempts = new AtomicLong();
  final AtomicLong maxMemoryBytes = new AtomicLong();

  SpanShipper(Transport transport, Spool spool, long memoryMaxBytes, String serviceName) {
    this.transport = transport;
    this.spool = spool;
    this.memoryMaxBytes = memoryMaxBytes;
    this.serviceName = serviceName;
    this.thread = new Thread(this::run, "flowcost-export");
    this.thread.setDaemon(true);
  }

  /** Starts the sending thread, once; later calls do nothing. */
  SpanShipper start() {
    synchronized (thread) {
      if (!started) {
        started = true;
        thread.start();
      }
    }
    return this;
  }

  /** Queues a request encoded elsewhere (tests). */
  void enqueue(byte[] body, int spans) {
    enqueue(RequestBuffer.of(body), spans);
  }

  /**
   * Queues a request; the shipper {@linkplain RequestBuffer#release releases} its buffer when
   * done with it. Never touches the network; spools the oldest queued requests when memory is
   * over its bound.
   */
  void enqueue(RequestBuffer body, int spans) {
    lock.lock();
    try {
      Batch batch = new Batch(body, spans, spool.nextStamp());
      if (stopping || collectorDown) {
        spoolQuietly(batch, true);
        changed.signalAll();
        return;
      }
      memory.addLast(batch);
      memoryBytes += body.length();
      maxMemoryBytes.accumulateAndGet(memoryBytes, Math::max);
      while (memoryBytes > memoryMaxBytes && memory.size() > 1) {
        spoolQuietly(pollMemory(), true);
      }
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Spans dropped before they were encoded (by the agent's queue): counted in the spool, so that
   * the collector is told with its next acknowledged request, by this process or the next one to
   * adopt the spool. After {@link #shutdown} the spool is closed: the count is only logged.
   */
  void spansDropped(long spans) {
    lock.lock();
    try {
      if (spoolClosed) {
        return;
      }
      spool.countDroppedElsewhere(spans);
    } catch (IOException | RuntimeException e) {
      AgentLog.failure("span drop count", e);
    } finally {
      lock.unlock();
    }
  }

  private Batch pollMemory() {
    Batch b = memory.pollFirst();
    if (b != null) {
      memoryBytes -= b.body().length();
    }
    return b;
  }

  private void run() {
    long backoff = MIN_BACKOFF_MILLIS;
    while (true) {
      Spool.Entry fromSpool;
      Batch batch;
      lock.lock();
      try {
        while (!stopping && spool.isEmpty() && memory.isEmpty()) {
          changed.await();
        }
        if (stopping) {
          return;
        }
        fromSpool = spool.oldest();
        batch = fromSpool == null ? pollMemory() : null;
        inFlight = batch;
      } catch (InterruptedException e) {
        return;
      } finally {
        lock.unlock();
      }
      long wait;
      RequestBuffer body;
      try {
        body = fromSpool != null ? RequestBuffer.of(spool.read(fromSpool)) : batch.body();
      } catch (IOException | RuntimeException e) {
        // a spool file removed or damaged behind our back: skip it rather than retry forever
        AgentLog.failure("span spool read", e);
        rejectedSpans.addAndGet(fromSpool.spans());
        removeQuietly(fromSpool);
        continue;
      }
      try {
        int spans = fromSpool != null ? fromSpool.spans() : batch.spans();
        Transport.Response r = send(body);
        if (r != null && (r.ok() || !r.retriable())) {
          if (fromSpool != null) {
            removeQuietly(fromSpool);
          }
          done(true);
          body.release();
          backoff = MIN_BACKOFF_MILLIS;
          if (r.ok()) {
            sentSpans.addAndGet(spans);
            reportDropped();
          } else {
            rejectedSpans.addAndGet(spans);
            AgentLog.once("export-refused", refused(transport.url(), r.status()));
          }
          continue;
        }
        failedAttempts.incrementAndGet();
        // The collector is unreachable or pushing back: nothing should wait in memory now.
        spillToSpool(batch);
        wait = r != null && r.retryAfterMillis() >= 0
            ? Math.min(r.retryAfterMillis(), MAX_RETRY_AFTER_MILLIS)
            : backoff + ThreadLocalRandom.current().nextLong(backoff / 2 + 1);
        backoff = Math.min(MAX_BACKOFF_MILLIS, backoff * 2);
      } catch (RuntimeException e) {
        AgentLog.failure("span export", e);
        spillToSpool(batch);
        wait = MAX_BACKOFF_MILLIS;
      }
      lock.lock();
      try {
        long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(wait);
        long left;
        while (!stopping && (left = until - System.nanoTime()) > 0) {
          changed.awaitNanos(left);
        }
      } catch (InterruptedException e) {
        return;
      } finally {
        lock.unlock();
      }
    }
  }

  private void removeQuietly(Spool.Entry entry) {
    try {
      spool.remove(entry);
    } catch (IOException | RuntimeException e) {
      AgentLog.failure("span spool remove", e);
    }
  }

  /** Sends; {@code null} when the collector could not be reached. */
  private Transport.Response send(RequestBuffer body) {
    try {
      return transport.post(body.array(), body.offset(), body.length());
    } catch (IOException e) {
      AgentLog.once("export-unreachable", unreachable(transport.url(), e, spool.directory()));
      return null;
    }
  }

  /** The line logged the first time the collector answers with a status that drops spans. */
  static String refused(String url, int status) {
    String fix = switch (status) {
      case 404, 405 -> "is FLOWCOST_ENDPOINT (flowcost.endpoint) the collector's base URL"
          + " (without /v1/traces)?";
      case 401, 403 -> "set FLOWCOST_API_KEY (flowcost.api-key) to a key the collector accepts"
          + " (its --api-keys file).";
      case 413 -> "a batch is larger than the collector's --max-body.";
      default -> "is FLOWCOST_ENDPOINT (flowcost.endpoint) the Flowcost collector's base URL?";
    };
    return "POST " + url + " returned " + status + ": " + fix + " These spans are dropped;"
        + " further refusals are not logged.";
  }

  /** The line logged the first time the collector cannot be reached. */
  static String unreachable(String url, IOException e, Object spoolDirectory) {
    // only the exception's class: its message may carry anything
    return "POST " + url + " failed (" + e.getClass().getName() + "): is the collector running"
        + " there, and is FLOWCOST_ENDPOINT (flowcost.endpoint) its base URL? Spans wait in the"
        + " spool " + spoolDirectory + " and are sent when it answers. The application is not"
        + " affected.";
  }

  /** Tells the collector how many spans the spool bound cost, once it answers again. */
  private void reportDropped() {
    long dropped = spool.droppedSpans();
    if (dropped <= 0) {
      return;
    }
    Transport.Response r = send(RequestBuffer.of(DroppedSpansReport.encode(serviceName, dropped)));
    if (r != null && r.ok()) {
      try {
        spool.droppedReported(dropped);
      } catch (IOException | RuntimeException e) {
        AgentLog.failure("span spool drop count", e);
      }
    }
  }

  private void done(boolean reached) {
    lock.lock();
    try {
      collectorDown = !reached;
      inFlight = null;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Moves the failed batch (if it came from memory) and all of memory to the spool, in order;
   * called by the sender, which is done with the failed batch's buffer once it is spooled.
   */
  private void spillToSpool(Batch failed) {
    lock.lock();
    try {
      if (failed != null) {
        spoolQuietly(failed, true);
      }
      inFlight = null;
      collectorDown = true;
      Batch b;
      while ((b = pollMemory()) != null) {
        spoolQuietly(b, true);
      }
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Spools a batch; {@code release}: nothing else reads its buffer (it is not in flight), so it
   * may serve another request afterwards.
   */
  private void spoolQuietly(Batch b, boolean release) {
    try {
      spool.append(b.body().array(), b.body().offset(), b.body().length(), b.spans(),
          b.stamp());
      spooledSpans.addAndGet(b.spans());
    } catch (IOException | RuntimeException e) {
      // the disk is full or read-only: the spans are lost, and counted so
      rejectedSpans.addAndGet(b.spans());
      AgentLog.failure("span spool", e);
    } finally {
      if (release) {
        b.body().release();
      }
    }
  }

  /**
   * Sends what is queued in memory for at most {@code timeoutMillis}, then stops and spools what
   * is left for the next process. Returns {@code true} when nothing is left unsent. While the
   * collector is unreachable the sender spools at its first failure, so shutdown does not wait
   * for a collector that is not there.
   */
  boolean shutdown(long timeoutMillis) {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    boolean sent;
    lock.lock();
    try {
      long left;
      while ((!memory.isEmpty() || inFlight != null) && !collectorDown
          && (left = deadline - System.nanoTime()) > 0) {
        changed.awaitNanos(left);
      }
      sent = memory.isEmpty() && inFlight == null && spool.isEmpty();
      stopping = true;
      Batch b;
      while ((b = pollMemory()) != null) {
        spoolQuietly(b, true);
      }
      if (inFlight != null) {
        // may still be acknowledged; the collector de-duplicates by span id if it is. The
        // sender still reads its buffer: the sender releases it when its attempt ends.
        spoolQuietly(inFlight, false);
        inFlight = null;
      }
      changed.signalAll();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      sent = false;
    } finally {
      lock.unlock();
    }
    thread.interrupt();
    try {
      thread.join(1_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    lock.lock();
    try {
      spoolClosed = true;
      spool.close();
    } catch (IOException e) {
      AgentLog.failure("span spool close", e);
    } finally {
      lock.unlock();
    }
    return sent;
  }

  long memoryBytes() {
    lock.lock();
    try {
      return memoryBytes;
    } finally {
      lock.unlock();
    }
  }

  Spool spool() {
    return spool;
  }
}
