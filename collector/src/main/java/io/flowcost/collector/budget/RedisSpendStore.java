package io.flowcost.collector.budget;

import io.flowcost.collector.alert.AlertClaims;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Response;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * Budget counters shared by several collectors in Redis or Valkey ({@code --budget-store
 * redis://host:port[/db]}).
 *
 * <p>Each live credit (one call span, its cost, the owner/period counters it adds to) is queued
 * here by the write path and sent by a thread of this store with one script: {@code SET
 * flowcost:span:ID 1 NX} and, only when that was new, {@code INCRBY} of each counter by integer
 * nano-dollars, with an expiry two days after the counter's period ends. So a span a sender
 * retried against another collector counts once in all. Spend is read back with {@code MGET}
 * every second.
 *
 * <p><b>Store down.</b> Credits that could not be sent stay queued (at most 1,000,000; beyond
 * that the oldest are dropped, logged) and are sent when the store answers again, so the
 * counters catch up. Meanwhile a counter reads as its last value from the store plus this
 * collector's unsent credits (never less than this collector's own ledger), so each collector
 * enforces on the counts it has; {@code /health} and the log say the store is down.
 */
public final class RedisSpendStore implements AutoCloseable {

  private static final Logger LOG = Logger.getLogger(RedisSpendStore.class.getName());
  private static final int MAX_QUEUED = 1_000_000;
  private static final Duration SPAN_TTL = Duration.ofDays(40);
  private static final String CREDIT = """
      if redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[2]) then
        for i = 2, #KEYS do
          redis.call('INCRBY', KEYS[i], ARGV[1])
          redis.call('EXPIRE', KEYS[i], ARGV[i + 1])
        end
        return 1
      end
      return 0""";

  private record Credit(String spanId, List<OwnerPeriod> counters, long nanos) {}

  private final String uri;
  private final Clock clock;
  private final Duration timeout;
  private final Vertx vertx;
  private final Redis client;
  private final RedisAPI api;
  private final ScheduledExecutorService thread;
  private final ArrayDeque<Credit> queue = new ArrayDeque<>();
  private final Map<OwnerPeriod, Long> unsent = new HashMap<>();
  private final Map<OwnerPeriod, Long> stored = new HashMap<>();
  private volatile List<OwnerPeriod> watched = List.of();
  private volatile Instant downSince;
  private volatile boolean everUp;
  private boolean warnedDown;
  private long dropped;

  /**
   * @param uri {@code redis://host:port[/db]}
   * @param timeout how long one round trip may take before the store counts as down
   */
  public RedisSpendStore(String uri, Clock clock, Duration timeout) {
    this.uri = check(uri);
    this.clock = clock;
    this.timeout = timeout;
    this.vertx = Vertx.vertx();
    this.client = Redis.createClient(vertx, new RedisOptions().setConnectionString(uri)
        .setMaxPoolWaiting(64).setPoolRecycleTimeout(15_000));
    this.api = RedisAPI.api(client);
    this.downSince = clock.instant();
    this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "flowcost-budget-store");
      t.setDaemon(true);
      return t;
    });
  }

  /** Checks a {@code --budget-store} value; an error says what is expected. */
  public static String check(String uri) {
    URI u;
    try {
      u = URI.create(uri);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--budget-store: not a URI: expected"
          + " redis://host:port[/db]");
    }
    String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
    if (!(scheme.equals("redis") || scheme.equals("rediss")) || u.getHost() == null) {
      throw new IllegalArgumentException("--budget-store must be redis://host:port[/db]"
          + " (Redis or Valkey)");
    }
    return uri;
  }

  /** Starts syncing every {@code every}; the first sync runs at once. */
  public RedisSpendStore start(Duration every) {
    thread.scheduleWithFixedDelay(this::sync, 0, every.toMillis(), TimeUnit.MILLISECONDS);
    return this;
  }

  /** The counters read back at each sync (the budgets' current periods). */
  public void watch(List<OwnerPeriod> counters) {
    this.watched = List.copyOf(counters);
  }

  /** Queues a live credit (called on the write path: never blocks). */
  public synchronized void credited(String spanId, List<OwnerPeriod> counters, long nanos) {
    if (queue.size() >= MAX_QUEUED) {
      Credit old = queue.pollFirst();
      addUnsent(old.counters(), -old.nanos());
      if (dropped++ == 0) {
        LOG.warning("budget store: more than " + MAX_QUEUED + " credits waiting for " + safeUri()
            + "; the oldest are dropped from the shared counters (this collector still counts"
            + " them)");
      }
    }
    queue.addLast(new Credit(spanId, counters, nanos));
    addUnsent(counters, nanos);
  }

  /**
   * Adds {@code nanos} to the unsent sum of each counter; a sum back at zero (every credit of it
   * sent) is removed, not kept at 0: a counter per owner and day would otherwise stay here for
   * every day the collector ever ran. Caller holds the lock.
   */
  private void addUnsent(List<OwnerPeriod> counters, long nanos) {
    if (nanos == 0) {
      return; // nothing to add; a 0 would only leave an entry behind
    }
    for (OwnerPeriod c : counters) {
      unsent.merge(c, nanos, (a, b) -> a + b == 0 ? null : a + b);
    }
  }

  /** Counters with credits not sent yet (tests: memory stays bounded). */
  synchronized int unsentCounters() {
    return unsent.size();
  }

  /**
   * A counter as this collector sees it: the store's last value plus credits not sent yet, and
   * never less than {@code local} (what this collector counted itself).
   */
  public synchronized long spend(OwnerPeriod counter, long local) {
    long shared = stored.getOrDefault(counter, 0L) + unsent.getOrDefault(counter, 0L);
    return Math.max(shared, local);
  }

  /** True when the last round trip to the store succeeded. */
  public boolean up() {
    return downSince == null;
  }

  /** One line for {@code /health}. */
  public synchronized String describe() {
    if (downSince == null) {
      return "redis ok";
    }
    return "redis unreachable since " + downSince + ": enforcing on this collector's counts ("
        + queue.size() + " credits waiting)";
  }

  /** Credits waiting to be sent. */
  public synchronized int waiting() {
    return queue.size();
  }

  /** Sends waiting credits and reads the watched counters; runs on the store's thread. */
  public void sync() {
    try {
      while (true) {
        Credit next;
        synchronized (this) {
          next = queue.peekFirst();
        }
        if (next == null) {
          break;
        }
        List<String> args = new ArrayList<>();
        args.add(CREDIT);
        args.add(Integer.toString(1 + next.counters().size()));
        args.add("flowcost:span:" + next.spanId());
        for (OwnerPeriod c : next.counters()) {
          args.add(key(c));
        }
        args.add(Long.toString(next.nanos()));
        args.add(Long.toString(SPAN_TTL.toSeconds()));
        Instant now = clock.instant();
        for (OwnerPeriod c : next.counters()) {
          Instant end = c.period().endOf(periodInstant(c));
          args.add(Long.toString(Math.max(60,
              Duration.between(now, end).plus(Duration.ofDays(2)).toSeconds())));
        }
        await(api.eval(args));
        synchronized (this) {
          Credit sent = queue.pollFirst();
          if (sent != null) {
            addUnsent(sent.counters(), -sent.nanos());
          }
        }
      }
      List<OwnerPeriod> w = watched;
      if (!w.isEmpty()) {
        Response r = await(api.mget(w.stream().map(RedisSpendStore::key).toList()));
        synchronized (this) {
          for (int i = 0; i < w.size(); i++) {
            Response v = r.get(i);
            stored.put(w.get(i), v == null ? 0L : v.toLong());
          }
          stored.keySet().retainAll(w);
        }
      } else {
        await(api.ping(List.of()));
      }
      if (downSince != null) {
        LOG.info("budget store " + safeUri() + (everUp ? " is back" : " reached")
            + ": counters shared again");
      }
      everUp = true;
      warnedDown = false;
      downSince = null;
    } catch (Exception e) {
      if (!warnedDown) {
        warnedDown = true;
        LOG.warning("budget store " + safeUri() + " unreachable (" + e.getClass().getSimpleName()
            + "): this collector enforces budgets on its own counts until it is back; credits"
            + " are queued and sent then");
      }
      if (downSince == null) {
        downSince = clock.instant();
      }
    }
  }

  private static Instant periodInstant(OwnerPeriod c) {
    return c.period() == BudgetPeriod.DAY
        ? java.time.LocalDate.parse(c.periodId()).atStartOfDay(java.time.ZoneOffset.UTC).toInstant()
        : java.time.YearMonth.parse(c.periodId()).atDay(1).atStartOfDay(java.time.ZoneOffset.UTC)
            .toInstant();
  }

  static String key(OwnerPeriod c) {
    return "flowcost:budget:" + c.period().label() + ":" + c.periodId() + ":" + c.ownerKey()
        + "=" + c.owner();
  }

  private <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(timeout.toMillis(),
        TimeUnit.MILLISECONDS);
  }

  /** Alert claims in the store ({@code SET NX}); while it is down, {@code local}'s. */
  public AlertClaims claims(AlertClaims local) {
    return (key, expiresAt) -> {
      if (up()) {
        try {
          Response r = await(api.set(List.of("flowcost:alert:" + key, "1", "NX", "EXAT",
              Long.toString(expiresAt.getEpochSecond()))));
          boolean mine = r != null;
          if (mine) {
            local.claim(key, expiresAt); // remembered here too, for a restart with the store down
          }
          return mine;
        } catch (Exception e) {
          // fall through: the store just went down
        }
      }
      return local.claim(key, expiresAt);
    };
  }

  private String safeUri() {
    URI u = URI.create(uri);
    return u.getScheme() + "://" + u.getHost() + (u.getPort() >= 0 ? ":" + u.getPort() : "");
  }

  @Override
  public void close() {
    thread.shutdownNow();
    try {
      thread.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    client.close();
    vertx.close();
  }
}
