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
 * The agent's export queue keeps the SDK batch processor's rules: batches of at most 512, sent as
 * soon as 512 are queued; a bounded queue of 8,192 that drops and counts when full; flush and
 * shutdown export everything queued before they return; export only on its own thread, which
 * starts with the first span.
 */
class SpanBatcherTest {

  /** Records each batch (names of its spans) and the thread that exported it. */
  static final class Recording implements SpanExporter {
    final List<List<String>> batches = new ArrayList<>();
    final Set<String> threads = new HashSet<>();
    volatile CountDownLatch gate; // when set, export waits for it
    volatile boolean shutDown;

    @Override
    public CompletableResultCode export(Collection<SpanData> spans) {
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
    assertThat(exporter.batches).allMatch(b -> b.size() <= SpanBatcher.MAX_BATCH);
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

    end(tracer, 0, SpanBatcher.MAX_BATCH); // a full batch: taken by the export thread, held
    SpanShipperTest.await(batcher::exporting, "the export thread took the first batch");
    end(tracer, SpanBatcher.MAX_BATCH, SpanBatcher.MAX_BATCH + SpanBatcher.MAX_QUEUED + 100);
    assertThat(batcher.droppedSpans()).isEqualTo(100);

    exporter.gate.countDown();
    CompletableResultCode flushed = batcher.forceFlush();
    flushed.join(30, TimeUnit.SECONDS);
    assertThat(flushed.isSuccess()).isTrue();
    // everything but the 100 that found the queue full, each once, in order
    assertThat(exporter.all()).isEqualTo(names(0, SpanBatcher.MAX_BATCH + SpanBatcher.MAX_QUEUED));
    batcher.shutdown().join(10, TimeUnit.SECONDS);
  }

  @Test
  void shutdownExportsWhatIsQueuedThenIgnoresLaterSpans() throws Exception {
    Recording exporter = new Recording();
    SpanBatcher batcher = new SpanBatcher(exporter, null);
    AgentTracer tracer = tracer(batcher);
    end(tracer, 0, 10);
    CompletableResultCode done = batcher.shutdown();
    done.join(10, TimeUnit.SECONDS);
    assertThat(exporter.all()).isEqualTo(names(0, 10));
    assertThat(exporter.shutDown).isTrue();

    tracer.spanBuilder("late").startSpan().end();
    assertThat(batcher.forceFlush().join(5, TimeUnit.SECONDS).isSuccess()).isTrue();
    assertThat(exporter.all()).isEqualTo(names(0, 10));
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
}
