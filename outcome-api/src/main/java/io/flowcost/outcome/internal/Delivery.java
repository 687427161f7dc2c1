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
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Delivers JSON documents to the collector from one daemon thread, so that callers never wait.
 *
 * <p>Internal to Flowcost; not an API. Documents wait in a bounded queue; when it is full a new
 * document is dropped (and counted in the log) rather than blocking the caller. Each document is
 * retried with exponential backoff on connection errors and on 408, 429, 502, 503 and 504,
 * honouring {@code Retry-After}; any other non-2xx status is final and logged once. Logs name
 * the document kind, the path and the status or exception class, never a body or a header.
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
  private final Thread worker;
  private final Object lock = new Object();
  /** Documents accepted and not yet delivered or given up; guarded by {@link #lock}. */
  private int pending;
  private long dropped;
  private volatile boolean closed;

  /**
   * Starts a delivery thread.
   *
   * @param settings endpoint and API key
   * @param capacity how many documents may wait
   * @param initialBackoff the first retry delay; it doubles up to 30 s
   * @param maxAttempts attempts per document before it is given up
   */
  public Delivery(Settings settings, int capacity, Duration initialBackoff, int maxAttempts) {
    this.settings = settings;
    this.client =
        HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(5))
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
    this.queue = new ArrayBlockingQueue<>(capacity);
    this.initialBackoff = initialBackoff;
    this.maxAttempts = maxAttempts;
    this.worker = new Thread(this::run, "flowcost-outcome-delivery");
    worker.setDaemon(true);
    worker.start();
  }

  /** Starts a delivery thread with the defaults: 10,000 documents, 500 ms backoff, 8 attempts. */
  public static Delivery create(Settings settings) {
    return new Delivery(settings, 10_000, Duration.ofMillis(500), 8);
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
   * Waits until every document queued so far is delivered or given up.
   *
   * @return {@code true} if nothing is pending any more, {@code false} on timeout
   */
  public boolean flush(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (lock) {
      while (pending > 0) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        try {
          TimeUnit.NANOSECONDS.timedWait(lock, left);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return false;
        }
      }
      return true;
    }
  }

  /** Stops the delivery thread; documents still queued are dropped. Call {@link #flush} first. */
  @Override
  public void close() {
    closed = true;
    worker.interrupt();
  }

  private void run() {
    while (!closed) {
      Message message;
      try {
        message = queue.take();
      } catch (InterruptedException e) {
        return;
      }
      try {
        deliver(message);
      } catch (InterruptedException e) {
        return;
      } catch (RuntimeException e) {
        LOG.log(Level.WARNING, "Flowcost {0} dropped: {1}", message.kind, e.getClass().getName());
      } finally {
        synchronized (lock) {
          pending--;
          lock.notifyAll();
        }
      }
    }
  }

  private void deliver(Message message) throws InterruptedException {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(settings.resolve(message.path))
            .timeout(Duration.ofSeconds(10))
            .header("Content-Type", "application/json")
            .header("User-Agent", USER_AGENT)
            .POST(HttpRequest.BodyPublishers.ofString(message.json));
    if (settings.apiKey() != null) {
      request.header("X-Flowcost-Api-Key", settings.apiKey());
    }
    HttpRequest built = request.build();
    Duration backoff = initialBackoff;
    for (int attempt = 1; ; attempt++) {
      Duration wait;
      String problem;
      try {
        HttpResponse<Void> response = client.send(built, HttpResponse.BodyHandlers.discarding());
        int status = response.statusCode();
        if (status >= 200 && status < 300) {
          return;
        }
        problem = "HTTP " + status;
        if (!retryable(status)) {
          LOG.log(Level.WARNING, "Flowcost {0} rejected by {1}: {2}", message.kind, message.path, problem);
          return;
        }
        wait = retryAfter(response).orElse(null);
      } catch (IOException e) {
        problem = e.getClass().getName();
        wait = null;
      }
      if (attempt >= maxAttempts || closed) {
        LOG.log(
            Level.WARNING,
            "Flowcost {0} dropped after {1} attempt(s) to {2}: {3}",
            message.kind,
            attempt,
            message.path,
            problem);
        return;
      }
      if (wait == null) {
        // Full jitter on the upper half, so many JVMs restarting together spread out.
        long millis = backoff.toMillis();
        wait = Duration.ofMillis(millis / 2 + ThreadLocalRandom.current().nextLong(millis / 2 + 1));
        backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
      }
      LOG.log(Level.DEBUG, "Flowcost {0} attempt {1} failed ({2}); retrying in {3} ms",
          message.kind, attempt, problem, wait.toMillis());
      Thread.sleep(wait.toMillis());
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
