package io.flowcost.agent.prices;

import io.flowcost.agent.AgentLog;
import io.flowcost.agent.caps.CapGuard;
import java.io.IOException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The agent's price catalog for {@code max-cost-usd} caps: one daemon thread,
 * {@code flowcost-prices}, reads the bundled catalog, then fetches the collector's
 * ({@code GET <flowcost.endpoint>/v1/prices}, with {@code flowcost.api-key}) and polls it every
 * {@code flowcost.prices.refresh-seconds} (default {@value #DEFAULT_REFRESH_SECONDS}; {@code 0}:
 * bundled catalog only) with {@code If-None-Match}.
 *
 * <p>The thread starts when the agent starts if the default caps ({@code flowcost.caps}) have a
 * cost cap, else when the first workflow with one opens. That workflow waits for the bundled
 * catalog (read from the agent jar, no network; see {@link #awaitFirstCatalog}) so that its first
 * calls are priced; nothing on the application's threads ever waits on the collector.
 */
public final class AgentPrices {

  /** Settings key of the poll interval, in seconds; {@code 0} never asks the collector. */
  public static final String REFRESH_KEY = "flowcost.prices.refresh-seconds";
  /** Default poll interval. */
  public static final long DEFAULT_REFRESH_SECONDS = 60;
  /** How long a workflow opening with a cost cap waits, at most, for the bundled catalog. */
  static final long FIRST_CATALOG_WAIT_MILLIS = 10_000;

  private static final AtomicBoolean STARTED = new AtomicBoolean();
  /** Counted down once the price thread has installed its first catalog (or failed to). */
  private static volatile CountDownLatch firstCatalog = new CountDownLatch(1);
  private static volatile String endpoint;
  private static volatile String apiKey;
  private static volatile long refreshSeconds = DEFAULT_REFRESH_SECONDS;

  private AgentPrices() {}

  /**
   * Remembers where the collector is (at agent start; starts nothing by itself).
   *
   * @param collectorEndpoint {@code flowcost.endpoint}
   * @param key {@code flowcost.api-key}, or {@code null}
   * @param refresh {@code flowcost.prices.refresh-seconds} as set, or {@code null}
   */
  public static void configure(String collectorEndpoint, String key, String refresh) {
    endpoint = collectorEndpoint;
    apiKey = key;
    refreshSeconds = parseRefresh(refresh);
  }

  static long parseRefresh(String text) {
    if (text == null || text.isBlank()) {
      return DEFAULT_REFRESH_SECONDS;
    }
    try {
      long s = Long.parseLong(text.trim());
      if (s >= 0) {
        return s;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    AgentLog.once("prices-refresh", REFRESH_KEY + ": '" + io.flowcost.agent.caps.Printable.of(text)
        + "' is not a whole number of seconds >= 0; using " + DEFAULT_REFRESH_SECONDS);
    return DEFAULT_REFRESH_SECONDS;
  }

  /** Starts the price thread once; later calls do nothing. Never blocks. */
  public static void start() {
    if (!STARTED.compareAndSet(false, true)) {
      return;
    }
    io.flowcost.agent.export.ConditionalGet fetcher = null;
    long every = refreshSeconds;
    if (every > 0 && endpoint != null) {
      try {
        fetcher = PriceRefresher.collectorCatalog(endpoint, apiKey);
      } catch (IOException | RuntimeException e) {
        AgentLog.info("cost caps use the bundled price catalog only: flowcost.endpoint is not a"
            + " valid URL (" + e.getClass().getName() + ")");
      }
    }
    PriceRefresher refresher = new PriceRefresher(fetcher, CapGuard::installEstimator);
    CountDownLatch first = firstCatalog;
    Thread thread = new Thread(() -> run(refresher, every, first), "flowcost-prices");
    thread.setDaemon(true);
    thread.setPriority(Thread.NORM_PRIORITY - 1);
    thread.start();
  }

  private static void run(PriceRefresher refresher, long everySeconds, CountDownLatch first) {
    try {
      refresher.installBundled();
    } finally {
      first.countDown();
    }
    if (everySeconds <= 0) {
      return;
    }
    while (true) {
      try {
        refresher.poll();
      } catch (Throwable t) {
        AgentLog.failure("price catalog refresh", t);
      }
      try {
        TimeUnit.SECONDS.sleep(everySeconds);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  /**
   * Tests only: forgets that the price thread started, so that the next {@link #start} starts a
   * new one (a thread started before, if it polls, keeps polling).
   */
  static void resetForTests() {
    firstCatalog = new CountDownLatch(1);
    STARTED.set(false);
  }

  /**
   * Starts the price thread if needed and waits until the bundled catalog is installed — CPU work
   * on that thread reading the agent jar, never a network call; the collector's catalog replaces
   * it later without anyone waiting. Called when a workflow with a cost cap opens.
   *
   * @return whether a catalog is installed
   */
  public static boolean awaitFirstCatalog() {
    start();
    try {
      return firstCatalog.await(FIRST_CATALOG_WAIT_MILLIS, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
