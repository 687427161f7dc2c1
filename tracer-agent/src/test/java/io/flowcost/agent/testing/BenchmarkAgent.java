package io.flowcost.agent.testing;

import io.flowcost.agent.AgentConfig;
import io.flowcost.agent.context.AgentContext;
import io.flowcost.agent.export.Telemetry;
import io.flowcost.agent.trace.OtlpTraceEncoder;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.ReadWriteSpan;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The agent installed for the in-process benchmarks of a hook path ({@code
 * InvocationPathBenchmark}, {@code OkHttpPathBenchmark}, loaded once per build by {@code
 * InvocationPathBeforeAfterBenchmark}): spans end into the agent's batch processor, whose exporter
 * encodes them as the agent's exporter does ({@link OtlpTraceEncoder}, on the batch thread: what
 * reads a span's late attributes, {@code AgentTracer.endLate}), counts and drops them. Every ended
 * span is counted before the processor sees it: a span a full queue dropped (its thread encoding
 * more slowly than a loop ends spans, on a loaded box) shows as {@link #unexported}, which the
 * exported count alone would take for a hook that recorded none.
 */
public final class BenchmarkAgent {

  private final AtomicLong exported = new AtomicLong();
  private final AtomicLong ended = new AtomicLong();
  private final OtlpTraceEncoder encoder = new OtlpTraceEncoder();
  private final SpanProcessor processor;

  private BenchmarkAgent() {
    processor = Telemetry.batching(new SpanExporter() {
      @Override
      public CompletableResultCode export(Collection<SpanData> spans) {
        encoder.encode(spans);
        exported.addAndGet(spans.size());
        return CompletableResultCode.ofSuccess();
      }

      @Override
      public CompletableResultCode flush() {
        return CompletableResultCode.ofSuccess();
      }

      @Override
      public CompletableResultCode shutdown() {
        return CompletableResultCode.ofSuccess();
      }
    });
  }

  /** Installs the agent (service {@code bench}, no budget poll) with this processor. */
  public static BenchmarkAgent install() {
    BenchmarkAgent agent = new BenchmarkAgent();
    AgentConfig config = AgentConfig.from(Map.of("flowcost.service", "bench",
        "flowcost.budgets.poll", "off")::get, n -> null);
    AgentContext.install(Telemetry.create(config, "bench", agent.new Counting()).tracer(), config);
    return agent;
  }

  /** Exports what the processor holds and waits for it (a block's end, before/after runs). */
  public void flush() {
    processor.forceFlush().join(30, TimeUnit.SECONDS);
  }

  /** Spans ended but not exported so far: dropped by a full queue, once flushed. */
  public long unexported() {
    return ended.get() - exported.get();
  }

  /** Spans ended so far. */
  public long ended() {
    return ended.get();
  }

  /** Exports what is left and stops the processor's thread. */
  public void shutdown() {
    processor.shutdown().join(10, TimeUnit.SECONDS);
  }

  /** Counts each ended span, then hands it to the batch processor. */
  private final class Counting implements SpanProcessor {
    @Override
    public void onStart(io.opentelemetry.context.Context parent, ReadWriteSpan span) {}

    @Override
    public boolean isStartRequired() {
      return false;
    }

    @Override
    public void onEnd(ReadableSpan span) {
      ended.incrementAndGet();
      processor.onEnd(span);
    }

    @Override
    public boolean isEndRequired() {
      return true;
    }

    @Override
    public CompletableResultCode forceFlush() {
      return processor.forceFlush();
    }

    @Override
    public CompletableResultCode shutdown() {
      return processor.shutdown();
    }
  }
}
