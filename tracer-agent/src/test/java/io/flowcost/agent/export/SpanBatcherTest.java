package io.flowcost.agent.export;

import static org.assertj.core.api.Assertions.assertThat;

import io.flowcost.agent.trace.AgentTracer;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The agent's export queue keeps the SDK batch processor's rules: batches of at most the default
 * batch size, sent as soon as that many are queued; a bounded queue of 8,192 that drops and counts
 * when full; flush and shutdown export everything queued before they complete; export only on its
 * own thread, which starts with the first span — at shutdown too, with spans still ending on other
 * threads — and every span not exported is counted with its reason. A configured batch size and
 * queue bound ({@link BatchSettings}) are kept the same way.
 */
class SpanBatcherTest {

  /** Records each batch (names of its spans) and the thread that exported it. */
  static final class Recording implements SpanExporter {
    final List<List<String>> batches = new ArrayList<>();
    final Set<String> threads = new HashSet<>();
    volatile CountDownLatch gate; // when set, export waits for it
    volatile boolean shutDown;
    volatile String shutDownOn;
    /** Calls in progress now; {@link #overlapped} is set if ever more than one. */
    private final java.util.concurrent.atomic.AtomicInteger inside =
        new java.util.concurrent.atomic.AtomicInteger();
    volatile boolean overlapped;
    volatile boolean exportAfterShutdown;

    @Override
    public CompletableResultCode export(Collection<SpanData> spans) {
      if (inside.incrementAndGet() > 1) {
        overlapped = true;
      }
      try {
        return record(spans);
      } finally {
        inside.decrementAndGet();
      }
    }

    private CompletableResultCode record(Collection<SpanData> spans) {
      if (shutDown) {
        exportAfterShutdown = true;
      }
      CountDownLatch g = gate;
      if (g != null) {
        try {
          g.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      List<String> names = new ArrayList<>();
      for (SpanData span : spans) {
        names.add(span.getName());
      }
      synchronized (this) {
        batches.add(names);
        threads.add(Thread.currentThread().getName());
      }
      return CompletableResultCode.ofSuccess();
    }

    synchronized int exported() {
      return batches.stream().mapToInt(List::size).sum();
    }

    synchronized List<String> all() {
      List<String> all = new ArrayList<>();
      batches.forEach(all::addAll);
      return all;
    }

    @Override
    public CompletableResultCode flush() {
      return CompletableResultCode.ofSuccess();
    }

    @Override
    public CompletableResultCode shutdown() {
      if (inside.get() > 0) {
        overlapped = true;
      }
      shutDownOn = Thread.currentThread().getName();
      shutDown = true;
      return CompletableResultCode.ofSuccess();
    }
  }

  private static AgentTracer tracer(SpanBatcher batcher) {
    return new AgentTracer("s", Resource.create(Attributes.empty()), batcher);
  }

  private static void end(AgentTracer tracer, int from, int to) {
    for (int i = from; i < to; i++) {
      tracer.spanBuilder("s" + i).startSpan().end();
    }
  }

  private static List<String> names(int from, int to) {
    List<String> names = new ArrayList<>();
    for (int i = from; i < to; i++) {
      names.add("s" + i);
    }
    return names;
  }

  @Test
  void fullBatchesGoAtOnceTheRestAtFlushInOrderOnTheExportThread() throws Exception {
    Recording exporter = new Recording();
    SpanBatcher batcher = new SpanBatcher(exporter, null);
    AgentTracer tracer = tracer(batcher);
    assertThat(batcher.started()).as("no thread before the first span").isFalse();

    end(tracer, 0, 1_200);
    assertThat(batcher.started()).isTrue();
    // two full batches go without waiting for the 5 s schedule
    SpanShipperTest.await(() -> exporter.exported() == 1_024, "two full batches exported");
    assertThat(exporter.exported()).isEqualTo(1_024);

    batcher.forceFlush().join(10, TimeUnit.SECONDS);
    assertThat(exporter.all()).isEqualTo(names(0, 1_200));
    assertThat(exporter.batches).allMatch(b -> b.size() <= BatchSettings.DEFAULT_MAX_EXPORT_BATCH_SIZE);
    assertThat(exporter.threads).containsExactly("flowcost-batch");
    assertThat(batcher.droppedSpans()).isZero();

    batcher.shutdown().join(10, TimeUnit.SECONDS);
    assertThat(exporter.shutDown).isTrue();
  }

  @Test
  void aFullQueueDropsAndCountsAndNeverBlocksTheApplication() throws Exception {
    Recording exporter = new Recording();
    exporter.gate = new CountDownLatch(1);
    SpanBatcher batcher = new SpanBatcher(exporter, null);
    AgentTracer tracer = tracer(batcher);

    end(tracer, 0, BatchSettings.DEFAULT_MAX_EXPORT_BATCH_SIZE); // a full batch: taken by the export thread, held
    SpanShipperTest.await(batcher::exporting, "the export thread took the first batch");
    end(tracer, BatchSettings.DEFAULT_MAX_EXPORT_BATCH_SIZE, BatchSettings.DEFAULT_MAX_EXPORT_BATCH_SIZE + BatchSettings.DEFAULT_MAX_QUEUE_SIZE + 100);
    assertThat(batcher.droppedSpans()).isEqualTo(100);

    exporter.gate.countDown();
    CompletableResultCode flushed = batcher.forceFlush();
    flushed.join(30, TimeUnit.SECONDS);
    assertThat(flushed.isSuccess()).isTrue();
    // everything but the 100 that found the queue full, each once, in order
    assertThat(exporter.all()).isEqualTo(names(0, BatchSettings.DEFAULT_MAX_EXPORT_BATCH_SIZE + BatchSettings.DEFAULT_MAX_QUEUE_SIZE));
    batcher.shutdown().join(10, TimeUnit.SECONDS);
  }

  @Test
  void shutdownExportsWhatIsQueuedThenCountsLaterSpansAsDropped() throws Exception {
    Recording exporter = new Recording();
    SpanBatcher batcher = new SpanBatcher(exporter, null);
    AgentTracer tracer = tracer(batcher);
    end(tracer, 0, 10);
    CompletableResultCode done = batcher.shutdown();
    done.join(10, TimeUnit.SECONDS);
    assertThat(done.isSuccess()).isTrue();
    assertThat(exporter.all()).isEqualTo(names(0, 10));
    assertThat(exporter.shutDown).isTrue();
    assertThat(exporter.shutDownOn).as("the exporter is shut down by its one thread")
        .isEqualTo("flowcost-batch");
    assertThat(batcher.dropSummary()).isNull();

    tracer.spanBuilder("late").startSpan().end();
    assertThat(batcher.forceFlush().join(5, TimeUnit.SECONDS).isSuccess()).isTrue();
    assertThat(exporter.all()).isEqualTo(names(0, 10));
    assertThat(batcher.dropped(SpanBatcher.Drop.AFTER_SHUTDOWN)).isEqualTo(1);
    assertThat(batcher.dropSummary()).isEqualTo("1 span(s) were dropped by the agent and never"
        + " sent: 1 ended after the agent's export had shut down");
  }

  /**
   * Spans end on four application threads while shutdown runs: each is exported exactly once, by
   * the export thread alone, never two exports at once nor one after the exporter's shutdown,
   * or counted as ended after shutdown — none goes missing. (The batcher once drained on the
   * shutting-down thread beside its own, and returned silently for a span ending once shutdown
   * had begun.)
   */
  @Test
  void spansEndingDuringShutdownAreExportedByTheOneThreadOrCounted() throws Exception {
    Recording exporter = new Recording();
    SpanBatcher batcher = new SpanBatcher(exporter, null);
    AgentTracer tracer = tracer(batcher);
    int threads = 4;
    java.util.concurrent.atomic.AtomicInteger ended = new java.util.concurrent.atomic.AtomicInteger();
    java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
    CountDownLatch running = new CountDownLatch(threads);
    List<Thread> apps = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int id = t;
      Thread app = new Thread(() -> {
        running.countDown();
        for (int i = 0; !stop.get() && i < 200_000; i++) {
          tracer.spanBuilder("t" + id + "-" + i).startSpan().end();
          ended.incrementAndGet();
          if (i % 64 == 0) {
            Thread.yield(); // leave the export thread room: the queue is not what is tested
          }
        }
      }, "app-" + t);
      app.start();
      apps.add(app);
    }
    running.await(10, TimeUnit.SECONDS);
    SpanShipperTest.await(() -> exporter.exported() > 0, "a first batch exported");
    CompletableResultCode done = batcher.shutdown();
    done.join(30, TimeUnit.SECONDS);
    Thread.sleep(20); // spans keep ending after the export has closed
    stop.set(true);
    for (Thread app : apps) {
      app.join(30_000);
    }

    assertThat(done.isSuccess()).isTrue();
    assertThat(exporter.threads).containsExactly("flowcost-batch");
    assertThat(exporter.overlapped).as("two exports at once").isFalse();
    assertThat(exporter.exportAfterShutdown).as("an export after the exporter's shutdown").isFalse();
    assertThat(exporter.shutDownOn).isEqualTo("flowcost-batch");
    List<String> all = exporter.all();
    assertThat(new HashSet<>(all)).as("each exported once").hasSize(all.size());
    assertThat(all.size() + batcher.dropped(SpanBatcher.Drop.AFTER_SHUTDOWN)
        + batcher.dropped(SpanBatcher.Drop.QUEUE_FULL))
        .as("every span that ended is exported or counted").isEqualTo(ended.get());
    assertThat(batcher.dropped(SpanBatcher.Drop.SHUTDOWN_TIMEOUT)).isZero();
  }

  @Test
  void whatAStuckExporterLeavesQueuedAtTheShutdownTimeoutIsCountedNotExportedElsewhere()
      throws Exception {
    Recording exporter = new Recording();
    exporter.gate = new CountDownLatch(1);
    SpanBatcher batcher = new SpanBatcher(exporter, null);
    AgentTracer tracer = tracer(batcher);
    end(tracer, 0, BatchSettings.DEFAULT_MAX_EXPORT_BATCH_SIZE); // taken by the export thread, which then hangs
    SpanShipperTest.await(batcher::exporting, "the export thread took the first batch");
    end(tracer, BatchSettings.DEFAULT_MAX_EXPORT_BATCH_SIZE, BatchSettings.DEFAULT_MAX_EXPORT_BATCH_SIZE + 30);

    CompletableResultCode done = batcher.shutdown();
    done.join(100, TimeUnit.MILLISECONDS); // the caller's timeout runs out
    assertThat(done.isDone()).isFalse();
    assertThat(batcher.abandon()).isEqualTo(30);
    assertThat(batcher.dropped(SpanBatcher.Drop.SHUTDOWN_TIMEOUT)).isEqualTo(30);
    assertThat(batcher.dropSummary()).contains("30 still queued when the shutdown timeout ran out");
    assertThat(exporter.threads).as("the caller exported nothing itself").isEmpty();

    exporter.gate.countDown(); // the hung export returns: its batch went, the thread stops
    done.join(10, TimeUnit.SECONDS);
    assertThat(done.isSuccess()).isTrue();
    assertThat(exporter.all()).isEqualTo(names(0, BatchSettings.DEFAULT_MAX_EXPORT_BATCH_SIZE));
    assertThat(exporter.threads).containsExactly("flowcost-batch");
    assertThat(exporter.shutDownOn).isEqualTo("flowcost-batch");
  }

  @Test
  void shutdownWithoutAnySpanShutsTheExporterDownAndCountsLaterSpans() {
    Recording exporter = new Recording();
    SpanBatcher batcher = new SpanBatcher(exporter, null);
    AgentTracer tracer = tracer(batcher);
    assertThat(batcher.shutdown().join(10, TimeUnit.SECONDS).isSuccess()).isTrue();
    assertThat(exporter.shutDown).isTrue();
    tracer.spanBuilder("late").startSpan().end();
    assertThat(batcher.started()).as("no thread for a span after shutdown").isFalse();
    assertThat(batcher.dropped(SpanBatcher.Drop.AFTER_SHUTDOWN)).isEqualTo(1);
  }

  @Test
  void startBeforeAnySpanStartsTheThreadAndTheShipper() throws Exception {
    Recording exporter = new Recording();
    SpanBatcher batcher = new SpanBatcher(exporter, null);
    batcher.start();
    batcher.start(); // once
    assertThat(batcher.started()).isTrue();
    end(tracer(batcher), 0, 3);
    batcher.forceFlush().join(10, TimeUnit.SECONDS);
    assertThat(exporter.all()).isEqualTo(names(0, 3));
    batcher.shutdown().join(10, TimeUnit.SECONDS);
  }

  @Test
  void batchesOfTheConfiguredSizeGoAsSoonAsThatManyAreQueued() throws Exception {
    Recording exporter = new Recording();
    // an hour's schedule: only the batch size can send these before the flush
    SpanBatcher batcher = new SpanBatcher(exporter, null, new BatchSettings(1_000, 64, 3_600_000));
    AgentTracer tracer = tracer(batcher);

    end(tracer, 0, 200);
    SpanShipperTest.await(() -> exporter.exported() == 192, "three batches of 64 exported");
    batcher.forceFlush().join(10, TimeUnit.SECONDS);
    assertThat(exporter.all()).isEqualTo(names(0, 200));
    assertThat(exporter.batches.subList(0, 3)).allMatch(b -> b.size() == 64);
    assertThat(exporter.batches).allMatch(b -> b.size() <= 64);
    batcher.shutdown().join(10, TimeUnit.SECONDS);
  }

  @Test
  void theConfiguredQueueBoundDropsAndCounts() throws Exception {
    Recording exporter = new Recording();
    exporter.gate = new CountDownLatch(1);
    SpanBatcher batcher = new SpanBatcher(exporter, null, new BatchSettings(50, 10, 3_600_000));
    AgentTracer tracer = tracer(batcher);

    end(tracer, 0, 10); // a full batch: taken by the export thread, held
    SpanShipperTest.await(batcher::exporting, "the export thread took the first batch");
    end(tracer, 10, 10 + 50 + 7);
    assertThat(batcher.droppedSpans()).isEqualTo(7);

    exporter.gate.countDown();
    batcher.forceFlush().join(30, TimeUnit.SECONDS);
    assertThat(exporter.all()).isEqualTo(names(0, 60));
    assertThat(exporter.batches).allMatch(b -> b.size() <= 10);
    batcher.shutdown().join(10, TimeUnit.SECONDS);
  }
}
