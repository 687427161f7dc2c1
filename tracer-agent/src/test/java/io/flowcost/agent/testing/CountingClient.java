package io.flowcost.agent.testing;

import java.net.http.HttpClient;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;

/**
 * A JDK {@link HttpClient} whose threads the in-process benchmarks can sum the CPU of ({@code
 * TrustedSubscriberBenchmark}, {@code ClientTaskContextBenchmark}, with {@link ThreadCpu}): the
 * client's executor creates its own daemon threads and counts each task it is handed, and the
 * selector thread the client starts is collected with them.
 */
public final class CountingClient implements AutoCloseable {

  private final Set<Thread> threads = ConcurrentHashMap.newKeySet();
  private final AtomicLong tasks = new AtomicLong();
  private final ThreadPoolExecutor pool = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 1,
      TimeUnit.HOURS, new SynchronousQueue<>(), r -> {
        Thread t = new Thread(r, "bench-client-" + threads.size());
        t.setDaemon(true);
        threads.add(t);
        return t;
      });
  private final HttpClient client;

  /**
   * Builds the client; {@code around} sees each task before the pool runs it (the identity to run
   * the client's tasks as they are), and is read on whichever thread hands the client a task.
   */
  public CountingClient(UnaryOperator<Runnable> around) {
    Executor counting = task -> {
      tasks.incrementAndGet();
      pool.execute(around.apply(task));
    };
    Set<Thread> existing = new HashSet<>(Thread.getAllStackTraces().keySet());
    client = HttpClient.newBuilder().executor(counting).build();
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (!existing.contains(t) && t.getName().contains("SelectorManager")) {
        threads.add(t); // the client's own selector thread, started by build()
      }
    }
  }

  public HttpClient client() {
    return client;
  }

  /** The client's threads so far: the executor's and the selector's. */
  public Set<Thread> threads() {
    return threads;
  }

  /** Tasks handed to the client's executor so far. */
  public long tasks() {
    return tasks.get();
  }

  @Override
  public void close() {
    pool.shutdownNow();
  }
}
