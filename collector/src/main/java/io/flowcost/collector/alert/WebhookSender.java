package io.flowcost.collector.alert;

import io.flowcost.collector.SafeText;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;

/**
 * Delivers alerts to webhooks on a thread of its own (never the event loop). A delivery that
 * fails (no answer, or a status other than 2xx) is retried with exponential back-off (1 s,
 * 2 s, … at most 5 min apart, for about a day); at most {@code maxQueued} deliveries wait, and an
 * alert beyond that is dropped and counted, so a dead webhook never grows memory without bound.
 */
public final class WebhookSender implements AutoCloseable {

  private static final Logger LOG = Logger.getLogger(WebhookSender.class.getName());
  private static final int MAX_ATTEMPTS = 300;

  private final List<WebhookTarget> targets;
  private final String collector;
  private final int maxQueued;
  private final Duration firstBackoff;
  private final HttpClient http;
  private final ScheduledExecutorService thread;
  private final AtomicInteger queued = new AtomicInteger();
  private final AtomicLong delivered = new AtomicLong();
  private final AtomicLong dropped = new AtomicLong();

  /**
   * @param collector this collector's name, sent in the JSON form
   * @param firstBackoff delay before the first retry (doubles each time, at most 5 min)
   */
  public WebhookSender(List<WebhookTarget> targets, String collector, int maxQueued,
      Duration firstBackoff) {
    this.targets = List.copyOf(targets);
    this.collector = collector;
    this.maxQueued = maxQueued;
    this.firstBackoff = firstBackoff;
    this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "flowcost-alerts");
      t.setDaemon(true);
      return t;
    });
  }

  /** True when there is somewhere to send alerts. */
  public boolean enabled() {
    return !targets.isEmpty();
  }

  /** Queues {@code alert} for every target; returns at once. */
  public void send(Alert alert) {
    // names in an alert come from spans: escaped, like everything from a request
    LOG.info("alert " + alert.kind().label() + ": "
        + SafeText.of(alert.text(), 1000));
    for (WebhookTarget t : targets) {
      if (queued.incrementAndGet() > maxQueued) {
        queued.decrementAndGet();
        long n = dropped.incrementAndGet();
        LOG.warning("alert queue full (" + maxQueued + " deliveries waiting; is "
            + t.safeName() + " down?): dropped alert " + SafeText.of(alert.dedupKey())
            + " (" + n
            + " dropped so far)");
        continue;
      }
      thread.execute(() -> attempt(t, alert, 1));
    }
  }

  private void attempt(WebhookTarget t, Alert alert, int attempt) {
    String body = t.slack() ? alert.slackJson() : alert.json(collector);
    String problem;
    try {
      HttpResponse<Void> r = http.send(HttpRequest.newBuilder(t.uri())
              .timeout(Duration.ofSeconds(10))
              .header("Content-Type", "application/json")
              .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
          HttpResponse.BodyHandlers.discarding());
      if (r.statusCode() / 100 == 2) {
        queued.decrementAndGet();
        delivered.incrementAndGet();
        return;
      }
      problem = "HTTP " + r.statusCode();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      queued.decrementAndGet();
      return;
    } catch (Exception e) {
      problem = e.getClass().getSimpleName();
    }
    if (attempt >= MAX_ATTEMPTS || thread.isShutdown()) {
      queued.decrementAndGet();
      dropped.incrementAndGet();
      LOG.warning("gave up delivering alert " + SafeText.of(alert.dedupKey()) + " to "
          + t.safeName()
          + " after " + attempt + " attempts (" + problem + ")");
      return;
    }
    long delay = Math.min(firstBackoff.toMillis() << Math.min(attempt - 1, 20),
        Duration.ofMinutes(5).toMillis());
    if (attempt == 1) {
      LOG.warning("alert webhook " + t.safeName() + " failed (" + problem + "); retrying with"
          + " back-off");
    }
    try {
      thread.schedule(() -> attempt(t, alert, attempt + 1), delay, TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      queued.decrementAndGet();
    }
  }

  /** Deliveries that succeeded. */
  public long delivered() {
    return delivered.get();
  }

  /** Deliveries given up or refused because the queue was full. */
  public long dropped() {
    return dropped.get();
  }

  /** Deliveries waiting (first attempts and retries). */
  public int queued() {
    return queued.get();
  }

  @Override
  public void close() {
    thread.shutdownNow();
  }
}
