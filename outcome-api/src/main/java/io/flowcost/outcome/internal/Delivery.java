package io.flowcost.outcome.internal;

import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Delivers JSON documents to the collector from one daemon thread, so that callers never wait.
 *
 * <p>Internal to Flowcost; not an API. Documents wait in a bounded queue; when it is full a new
 * document is dropped (and counted in the log) rather than blocking the caller. A document the
 * collector answers 408, 429, 502, 503 or 504 is retried with exponential backoff, honouring
 * {@code Retry-After}, up to the attempt limit; any other non-2xx status is final and logged once.
 *
 * <p>When the collector cannot be reached (connection refused, timeout), or is still busy after
 * the last attempt, the document goes to the {@link Spool} at once, and so does every later one
 * while the collector stays unreachable (one log line names the endpoint and the
 * {@code flowcost.spool.dir} setting). The spool is retried with backoff (up to 30 s) and drained
 * in order as soon as the collector answers, by this process or, if it exits first, by the next
 * one using the same spool directory. So an app whose collector is down neither loses its
 * reports nor waits for them at exit. Logs name the document kind, the path, the endpoint and
 * the status or exception class, never a body or a header.
 */
public final class Delivery implements AutoCloseable {

  private static final Logger LOG = System.getLogger("io.flowcost.outcome");
  private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);
  private static final Duration MAX_RETRY_AFTER = Duration.ofMinutes(2);
  private static final String USER_AGENT = "flowcost-outcome-api/0.1";

  private final Settings settings;
  private final HttpClient client;
  private final BlockingQueue<Message> queue;
  private final Duration initialBackoff;
  private final int maxAttempts;
  private final Spool spool;
  private final Thread worker;
  private final Object lock = new Object();
  /** Documents accepted and not yet delivered, spooled or given up; guarded by {@link #lock}. */
  private int pending;
  private long dropped;
  /** The last attempt could not reach the collector; guarded by {@link #lock}. */
  private boolean unreachable;
  /** The document the worker is sending now, so that exit can spool it (worker writes). */
  private volatile Message inFlight;
  private volatile boolean closed;
  /** When the spool is tried next (worker thread only). */
  private long nextSpoolAttempt = System.nanoTime();
  private Duration spoolBackoff;

  /**
   * Starts a delivery thread with a spool in memory (tests; lost at exit).
   *
   * @param settings endpoint and API key
   * @param capacity how many documents may wait
   * @param initialBackoff the first retry delay; it doubles up to 30 s
   * @param maxAttempts attempts per document before it is spooled
   */
  public Delivery(Settings settings, int capacity, Duration initialBackoff, int maxAttempts) {
    this(settings, capacity, initialBackoff, maxAttempts, Spool.inMemory(settings.spoolMaxBytes()));
  }

  /**
   * Starts a delivery thread.
   *
   * @param settings endpoint and API key
   * @param capacity how many documents may wait in memory
   * @param initialBackoff the first retry delay; it doubles up to 30 s
   * @param maxAttempts attempts per document, while the collector answers, before it is spooled
   * @param spool where documents wait while the collector is unreachable; reports already in it
   *     (adopted from earlier processes) are sent first
   */
  public Delivery(Settings settings, int capacity, Duration initialBackoff, int maxAttempts,
      Spool spool) {
    this.settings = settings;
    this.client =
        HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(5))
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
    this.queue = new ArrayBlockingQueue<>(capacity);
    this.initialBackoff = initialBackoff;
    this.spoolBackoff = initialBackoff;
    this.maxAttempts = maxAttempts;
    this.spool = spool;
    this.worker = new Thread(this::run, "flowcost-outcome-delivery");
    worker.setDaemon(true);
    worker.start();
  }

  /**
   * Starts a delivery thread with the defaults (10,000 documents, 500 ms backoff, 8 attempts)
   * and the spool of {@link Settings#spoolDir()}; if that cannot be used, reports wait in memory
   * and one line says so.
   */
  public static Delivery create(Settings settings) {
    Spool spool;
    try {
      spool = Spool.open(settings.spoolDir(), settings.spoolMaxBytes());
      if (!spool.isEmpty()) {
        LOG.log(Level.INFO, "Flowcost: replaying {0} report(s) spooled by {1} earlier process(es)"
            + " to {2}", spool.size(), spool.adoptedFolders(), settings.endpoint());
      }
    } catch (IOException | RuntimeException e) {
      LOG.log(Level.WARNING, "Flowcost: cannot open the report spool under {0} ({1}); reports the"
          + " collector cannot take now wait in memory only and are lost at exit. Set"
          + " flowcost.spool.dir to a writable directory.", settings.spoolDir(),
          e.getClass().getName());
      spool = Spool.inMemory(settings.spoolMaxBytes());
    }
    return new Delivery(settings, 10_000, Duration.ofMillis(500), 8, spool);
  }

  /**
   * Queues a document for {@code POST <endpoint><path>}; never blocks.
   *
   * @param path e.g. {@code /v1/outcomes}
   * @param json the request body
   * @param kind what the document is, for log lines ({@code outcome}, {@code workflow span})
   * @return {@code false} when the queue was full or delivery is closed and the document dropped
   */
  public boolean submit(String path, String json, String kind) {
    synchronized (lock) {
      if (closed || !queue.offer(new Message(path, json, kind))) {
        long count = ++dropped;
        if (count == 1 || count % 1000 == 0) {
          LOG.log(Level.WARNING, "Flowcost delivery queue full or closed: {0} document(s) dropped", count);
        }
        return false;
      }
      pending++;
      return true;
    }
  }

  /**
   * Waits until every document queued so far is delivered or given up, or, while the collector
   * is unreachable, safely in the on-disk spool (waiting for it would not help).
   *
   * @return {@code true} if nothing is pending any more, {@code false} on timeout
   */
  public boolean flush(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (lock) {
      while (pending > 0 || !(spool.isEmpty() || (unreachable && spool.durable()))) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        try {
          TimeUnit.NANOSECONDS.timedWait(lock, Math.min(left, TimeUnit.MILLISECONDS.toNanos(100)));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return false;
        }
      }
      return true;
    }
  }

  /**
   * At JVM exit, after {@link #flush} timed out: moves every document still in memory (queued,
   * and the one being sent, which the collector may then receive twice and store once) to the
   * spool, for the next process.
   *
   * @return how many documents are lost: none with an on-disk spool that could be written
   */
  public int spoolPending() {
    int lost = 0;
    List<Message> left = new ArrayList<>();
    Message current = inFlight;
    if (current != null) {
      left.add(current);
    }
    queue.drainTo(left);
    for (Message m : left) {
      if (!spool.durable() || !toSpool(m, "JVM exit")) {
        lost++;
      }
      if (m != current) {
        finished();
      }
    }
    return lost + (spool.durable() ? 0 : spool.size());
  }

  /** Stops the delivery thread and releases the spool; call {@link #flush} first. */
  @Override
  public void close() {
    closed = true;
    worker.interrupt();
    try {
      worker.join(1000);
      spool.close();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IOException e) {
      LOG.log(Level.DEBUG, "Flowcost: spool not released: {0}", e.getClass().getName());
    }
  }

  /** The spool (tests). */
  Spool spool() {
    return spool;
  }

  private void run() {
    while (!closed) {
      try {
        if (!spool.isEmpty() && System.nanoTime() - nextSpoolAttempt >= 0) {
          sendOldestSpooled();
          continue;
        }
        long waitNanos = spool.isEmpty() ? TimeUnit.SECONDS.toNanos(1)
            : Math.max(0, nextSpoolAttempt - System.nanoTime());
        Message message = queue.poll(waitNanos, TimeUnit.NANOSECONDS);
        if (message == null) {
          continue;
        }
        inFlight = message;
        try {
          if (!spool.isEmpty()) {
            toSpool(message, null); // behind the waiting ones, to keep the order
          } else {
            deliver(message);
          }
        } catch (RuntimeException e) {
          LOG.log(Level.WARNING, "Flowcost {0} dropped: {1}", message.kind, e.getClass().getName());
        } finally {
          inFlight = null;
          finished();
        }
      } catch (InterruptedException e) {
        return;
      } catch (IOException | RuntimeException e) {
        LOG.log(Level.WARNING, "Flowcost spool failed: {0}", e.getClass().getName());
        scheduleSpoolRetry(null);
      }
    }
  }

  private void finished() {
    synchronized (lock) {
      pending--;
      lock.notifyAll();
    }
  }

  /** One attempt at the oldest spooled report. */
  private void sendOldestSpooled() throws IOException, InterruptedException {
    Spool.Entry entry = spool.oldest();
    Spool.Document doc = entry.document();
    Attempt attempt = attempt(doc.path(), doc.json());
    if (attempt.done()) {
      if (attempt.problem() != null) {
        LOG.log(Level.WARNING, "Flowcost spooled {0} rejected by {1}: {2}", doc.kind(),
            doc.path(), attempt.problem());
      }
      spool.remove(entry);
      spoolBackoff = initialBackoff;
      reachable(spool.isEmpty() ? null : spool.size());
    } else {
      if (attempt.unreachable()) {
        markUnreachable(attempt.problem());
      }
      scheduleSpoolRetry(attempt.retryAfter());
    }
  }

  private void deliver(Message message) throws InterruptedException {
    Duration backoff = initialBackoff;
    for (int n = 1; ; n++) {
      Attempt attempt = attempt(message.path, message.json);
      if (attempt.done()) {
        if (attempt.problem() != null) {
          LOG.log(Level.WARNING, "Flowcost {0} rejected by {1}: {2}", message.kind, message.path,
              attempt.problem());
        } else {
          reachable(null);
        }
        return;
      }
      if (attempt.unreachable()) {
        // Down, not busy: waiting here would only hold up flush and exit. The spool retries.
        markUnreachable(attempt.problem());
        toSpool(message, attempt.problem());
        scheduleSpoolRetry(null);
        return;
      }
      if (n >= maxAttempts || closed) {
        toSpool(message, attempt.problem());
        scheduleSpoolRetry(attempt.retryAfter());
        return;
      }
      Duration wait = attempt.retryAfter();
      if (wait == null) {
        wait = jitter(backoff);
        backoff = doubled(backoff);
      }
      LOG.log(Level.DEBUG, "Flowcost {0} attempt {1} failed ({2}); retrying in {3} ms",
          message.kind, n, attempt.problem(), wait.toMillis());
      Thread.sleep(wait.toMillis());
    }
  }

  /** Spools {@code message}; {@code false} (and a log line) if even that failed. */
  private boolean toSpool(Message message, String why) {
    try {
      int evicted = spool.append(new Spool.Document(message.path, message.json, message.kind));
      if (evicted > 0) {
        LOG.log(Level.WARNING, "Flowcost report spool full (flowcost.spool.max-bytes = {0}):"
            + " {1} oldest report(s) dropped, {2} in all", settings.spoolMaxBytes(), evicted,
            spool.dropped());
      }
      if (why != null) {
        LOG.log(Level.DEBUG, "Flowcost {0} spooled ({1})", message.kind, why);
      }
      return true;
    } catch (IOException | RuntimeException e) {
      LOG.log(Level.WARNING, "Flowcost {0} dropped: cannot write the spool ({1})", message.kind,
          e.getClass().getName());
      return false;
    }
  }

  private void markUnreachable(String problem) {
    boolean first;
    synchronized (lock) {
      first = !unreachable;
      unreachable = true;
      lock.notifyAll();
    }
    if (first) {
      LOG.log(Level.WARNING, "Flowcost: collector at {0} unreachable ({1}); outcome reports and"
          + " workflow spans wait in {2} (flowcost.spool.dir) and are sent when it is back, by"
          + " this process or the next one", settings.endpoint(), problem,
          spool.durable() ? spool.directory() : "memory (no spool directory)");
    }
  }

  private void reachable(Integer stillSpooled) {
    boolean was;
    synchronized (lock) {
      was = unreachable;
      unreachable = false;
      lock.notifyAll();
    }
    if (was) {
      LOG.log(Level.INFO, "Flowcost: collector at {0} reachable again{1}", settings.endpoint(),
          stillSpooled == null ? "" : "; sending " + stillSpooled + " spooled report(s)");
    }
  }

  private void scheduleSpoolRetry(Duration retryAfter) {
    Duration wait = retryAfter != null ? retryAfter : jitter(spoolBackoff);
    spoolBackoff = doubled(spoolBackoff);
    nextSpoolAttempt = System.nanoTime() + wait.toNanos();
  }

  private static Duration doubled(Duration d) {
    Duration twice = d.multipliedBy(2);
    return twice.compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : twice;
  }

  /** Full jitter on the upper half, so many JVMs restarting together spread out. */
  private static Duration jitter(Duration backoff) {
    long millis = backoff.toMillis();
    return Duration.ofMillis(millis / 2 + ThreadLocalRandom.current().nextLong(millis / 2 + 1));
  }

  /**
   * The outcome of one POST: {@code done} (2xx, or a final refusal with its {@code problem}), or
   * to be retried: {@code unreachable} (no answer) or busy (a retryable status, perhaps with a
   * {@code Retry-After}).
   */
  private record Attempt(boolean done, boolean unreachable, String problem, Duration retryAfter) {}

  private Attempt attempt(String path, String json) throws InterruptedException {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(settings.resolve(path))
            .timeout(Duration.ofSeconds(10))
            .header("Content-Type", "application/json")
            .header("User-Agent", USER_AGENT)
            .POST(HttpRequest.BodyPublishers.ofString(json));
    if (settings.apiKey() != null) {
      request.header("X-Flowcost-Api-Key", settings.apiKey());
    }
    try {
      HttpResponse<Void> response =
          client.send(request.build(), HttpResponse.BodyHandlers.discarding());
      int status = response.statusCode();
      if (status >= 200 && status < 300) {
        return new Attempt(true, false, null, null);
      }
      String problem = "HTTP " + status;
      if (!retryable(status)) {
        return new Attempt(true, false, problem, null);
      }
      return new Attempt(false, false, problem, retryAfter(response).orElse(null));
    } catch (IOException e) {
      return new Attempt(false, true, e.getClass().getName(), null);
    }
  }

  static boolean retryable(int status) {
    return status == 408 || status == 429 || status == 502 || status == 503 || status == 504;
  }

  static Optional<Duration> retryAfter(HttpResponse<?> response) {
    return response.headers().firstValue("Retry-After").flatMap(Delivery::parseRetryAfter);
  }

  static Optional<Duration> parseRetryAfter(String value) {
    Duration wait;
    String v = value.trim();
    try {
      wait = Duration.ofSeconds(Long.parseLong(v));
    } catch (NumberFormatException notSeconds) {
      try {
        ZonedDateTime at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME);
        wait = Duration.between(ZonedDateTime.now(at.getZone()), at);
      } catch (RuntimeException notDate) {
        return Optional.empty();
      }
    }
    if (wait.isNegative()) {
      wait = Duration.ZERO;
    }
    return Optional.of(wait.compareTo(MAX_RETRY_AFTER) > 0 ? MAX_RETRY_AFTER : wait);
  }

  private record Message(String path, String json, String kind) {}
}
