package io.flowcost.agent.trace;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Context;
import io.opentelemetry.exporter.internal.otlp.traces.LowAllocationTraceRequestMarshaler;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * JMH: the export thread's encoding of one batch, OpenTelemetry's {@code
 * LowAllocationTraceRequestMarshaler} (what the agent used before) against the agent's {@link
 * OtlpTraceEncoder}, the same batch of the agent's own spans (invocations of the side-by-side
 * benchmark's shape: a workflow, 3 calls with an attempt each, 2 tools; the attributes the agent
 * records), each encoded into a reused array as the exporter does. Reports time and bytes
 * allocated per batch (JMH's GC profiler). Not a test (its name does not end in {@code Test}):
 *
 * <pre>
 * mvn -B -o -q -pl tracer-agent -am test -Dtest=OtlpEncoderBenchmark -Dsurefire.failIfNoSpecifiedTests=false
 * # table in tracer-agent/target/otlp-encoder-benchmark.txt
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class OtlpEncoderBenchmark {

  /** Spans per batch: one invocation's 9, and a full batch of the export queue (512). */
  @Param({"9", "513"})
  public int spans;

  private List<SpanData> batch;
  private final LowAllocationTraceRequestMarshaler sdk = new LowAllocationTraceRequestMarshaler();
  private final OtlpTraceEncoder own = new OtlpTraceEncoder();
  private final Sink sink = new Sink();

  /** A reused array, as the exporter's request buffer. */
  static final class Sink extends OutputStream {
    byte[] bytes = new byte[1 << 16];
    int length;

    @Override
    public void write(int b) {
      bytes[length++] = (byte) b;
    }

    @Override
    public void write(byte[] b, int off, int len) {
      if (length + len > bytes.length) {
        bytes = java.util.Arrays.copyOf(bytes, Math.max(bytes.length * 2, length + len));
      }
      System.arraycopy(b, off, bytes, length, len);
      length += len;
    }
  }

  @Setup
  public void spans() {
    batch = invocations(spans);
  }

  @Benchmark
  public int sdkMarshaler() throws IOException {
    sdk.initialize(batch);
    try {
      sink.length = 0;
      sdk.writeBinaryTo(sink);
      return sink.length;
    } finally {
      sdk.reset();
    }
  }

  @Benchmark
  public int ownEncoder() throws IOException {
    own.encode(batch);
    sink.length = 0;
    own.writeTo(sink);
    return sink.length;
  }

  /**
   * Spans of {@code count / 9} invocations and more, as the agent records them (also the batch of
   * {@code io.flowcost.agent.export.ExportPathBenchmark}).
   */
  public static List<SpanData> invocations(int count) {
    InMemorySpanExporter exporter = InMemorySpanExporter.create();
    AgentTracer tracer = new AgentTracer("io.flowcost.agent", Resource.getDefault().merge(
        Resource.create(Attributes.of(AttributeKey.stringKey("service.name"), "claims-bot",
            AttributeKey.stringKey("flowcost.agent.version"), "0.1.0"))),
        SimpleSpanProcessor.create(exporter));
    int made = 0;
    for (int n = 0; made < count; n++) {
      Span workflow = tracer.spanBuilder("invoke_agent ClaimAssistant").setNoParent()
          .setAttribute("flowcost.workflow.id", "wf-" + n)
          .setAttribute("flowcost.workflow.name", "ClaimAssistant.answer")
          .setAttribute("gen_ai.operation.name", "invoke_agent")
          .setAttribute("flowcost.workflow.root", true).startSpan();
      Context parent = Context.root().with(workflow);
      for (int c = 0; c < 3 && made < count; c++) {
        Span call = tracer.spanBuilder("chat gpt-4o-mini").setParent(parent)
            .setSpanKind(SpanKind.CLIENT)
            .setAttribute("gen_ai.operation.name", "chat")
            .setAttribute("gen_ai.system", "openai")
            .setAttribute("gen_ai.request.model", "gpt-4o-mini")
            .setAttribute("flowcost.workflow.id", "wf-" + n)
            .setAttribute("flowcost.call.id", "call-" + n + "-" + c).startSpan();
        Span attempt = tracer.spanBuilder("POST api.openai.com").setParent(parent.with(call))
            .setSpanKind(SpanKind.CLIENT)
            .setAttribute("http.request.method", "POST")
            .setAttribute("server.address", "api.openai.com")
            .setAttribute("http.response.status_code", 200L)
            .setAttribute("flowcost.attempt.number", 1L)
            .setAttribute("gen_ai.response.model", "gpt-4o-mini-2024-07-18")
            .setAttribute("gen_ai.usage.input_tokens", 120L + c)
            .setAttribute("gen_ai.usage.output_tokens", 18L)
            .setAttribute("flowcost.usage.source", "response").startSpan();
        attempt.end();
        call.setAttribute("gen_ai.usage.input_tokens", 120L + c);
        call.setAttribute("gen_ai.usage.output_tokens", 18L);
        call.setAttribute(AttributeKey.stringArrayKey("gen_ai.response.finish_reasons"),
            List.of(c == 2 ? "stop" : "tool_calls"));
        call.setAttribute("flowcost.cost.estimate_usd", 0.0000288);
        call.end();
        made += 2;
      }
      for (int t = 0; t < 2 && made < count; t++) {
        Span tool = tracer.spanBuilder("execute_tool lookupPolicy").setParent(parent)
            .setAttribute("gen_ai.operation.name", "execute_tool")
            .setAttribute("gen_ai.tool.name", "lookupPolicy")
            .setAttribute("gen_ai.tool.call.id", "call_" + t).startSpan();
        tool.setStatus(t == 1 ? StatusCode.ERROR : StatusCode.UNSET);
        tool.end();
        made++;
      }
      workflow.end();
      made++;
    }
    List<SpanData> spans = exporter.getFinishedSpanItems();
    return spans.subList(0, Math.min(count, spans.size()));
  }

  /** Runs the benchmark (JUnit entry point, only when named with -Dtest). */
  @Test
  void run() throws Exception {
    // the two encoders agree on the batch measured
    for (int count : new int[] {9, 513}) {
      List<SpanData> spans = invocations(count);
      OtlpEncoderBenchmark check = new OtlpEncoderBenchmark();
      check.batch = spans;
      int sdkLength = check.sdkMarshaler();
      byte[] sdkBytes = java.util.Arrays.copyOf(check.sink.bytes, sdkLength);
      int ownLength = check.ownEncoder();
      assertThat(java.util.Arrays.copyOf(check.sink.bytes, ownLength)).isEqualTo(sdkBytes);
    }
    Collection<RunResult> results = new Runner(new OptionsBuilder()
        .include(OtlpEncoderBenchmark.class.getName() + "\\.")
        .addProfiler("gc")
        .build()).run();
    StringBuilder table = new StringBuilder("| encoder | spans per batch | ns per batch (mean ±"
        + " 99.9%) | ns per span | bytes allocated per batch |\n|---|---|---|---|---|\n");
    for (RunResult r : results) {
      var alloc = r.getSecondaryResults().get("gc.alloc.rate.norm"); // JMH 1.37's name
      if (alloc == null) {
        alloc = r.getSecondaryResults().get("·gc.alloc.rate.norm"); // earlier JMH versions
      }
      int n = Integer.parseInt(r.getParams().getParam("spans"));
      String name = r.getParams().getBenchmark();
      table.append("| ").append(name.substring(name.lastIndexOf('.') + 1))
          .append(" | ").append(n)
          .append(" | ").append(String.format("%.0f ± %.0f", r.getPrimaryResult().getScore(),
              r.getPrimaryResult().getScoreError()))
          .append(" | ").append(String.format("%.0f", r.getPrimaryResult().getScore() / n))
          .append(" | ").append(alloc == null ? "?" : String.format("%.0f", alloc.getScore()))
          .append(" |\n");
    }
    System.out.println(table);
    Files.writeString(Path.of("target", "otlp-encoder-benchmark.txt"), table,
        StandardCharsets.UTF_8);
    assertThat(results).hasSize(4);
  }
}
