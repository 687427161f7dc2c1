package io.flowcost.collector.pipeline;

import com.google.protobuf.ByteString;
import io.flowcost.collector.ingest.CallRecord;
import io.flowcost.collector.ingest.IngestBatch;
import io.flowcost.collector.ingest.LakeRecord;
import io.flowcost.collector.ingest.SpanInterpreter;
import io.flowcost.collector.otlp.OtlpTraceDecoder;
import io.flowcost.collector.wal.RecordCodec;
import io.flowcost.contract.SpanKeys;
import io.flowcost.pricing.CallPricer;
import io.flowcost.pricing.PriceCatalog;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.ArrayValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * CPU and allocation per span of each stage a collector request worker runs, on one thread,
 * without HTTP, the log thread or the lake flush: <b>decode</b> ({@link OtlpTraceDecoder#decode}:
 * protobuf bytes into the flat tables), <b>interpret</b> ({@link SpanInterpreter#interpret}: the
 * attribute look-ups and the rows), <b>price</b> ({@link CatalogCallCoster#price} with the bundled
 * catalog) and <b>encode</b> ({@link RecordCodec#encodeEach}: the rows as write-ahead-log bytes).
 * What {@code IngestBenchmark}'s "workers" thread group spends, split by stage, on a quiet
 * thread clock: steadier than an ingest run on a shared box, and allocation is exact.
 *
 * <p>Two span shapes: {@code bench}, the ingest benchmark's chat span (5 attributes), and
 * {@code agent}, an attempt span as the Flowcost agent sends it (22 attributes: ids, kind,
 * operation, provider, models, finish reasons, response id, status, four token counts, tier, the
 * workflow's name and two tags, server address, path, stream flag).
 *
 * <p>Not a test (the name matches no surefire include): run it with {@code java -cp} on the test
 * class path, {@code [spans per request] [blocks] [requests per block]} (defaults 512, 12, 200; the
 * first two blocks are warm-up). Put an earlier collector jar after the test classes instead of
 * {@code collector/target/classes} to measure that build: only public API is used. Prints each
 * block and the medians.
 */
public final class WorkerStagesBenchmark {

  private WorkerStagesBenchmark() {}

  /** Distinct request bodies per shape. */
  private static final int POOL = 16;

  private static final String[] STAGES = {"decode", "interpret", "price", "encode"};

  public static void main(String[] args) {
    int spans = args.length > 0 ? Integer.parseInt(args[0]) : 512;
    int blocks = args.length > 1 ? Integer.parseInt(args[1]) : 12;
    int requests = args.length > 2 ? Integer.parseInt(args[2]) : 200;
    com.sun.management.ThreadMXBean mx =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    SpanInterpreter interpreter = new SpanInterpreter(Clock.systemUTC());
    CallPricer pricer = new CallPricer(PriceCatalog.bundled());
    CatalogCallCoster coster = new CatalogCallCoster(() -> pricer);
    String[] shapes = {"bench", "agent"};
    // [shape][stage] per block: CPU ns per span, bytes per span
    List<double[][]> cpu = new ArrayList<>();
    List<double[][]> alloc = new ArrayList<>();
    if (blocks < 3) {
      throw new IllegalArgumentException("at least 3 blocks: the first two are warm-up");
    }
    // bodies built up front (the protobuf builders would take most of the run's wall time on a
    // loaded box), used in turn: the ids repeat every POOL requests, which only the interpreter's
    // response-id memory sees (a span reported again is never a repeat)
    byte[][][] bodies = new byte[shapes.length][POOL][];
    for (int i = 0; i < POOL; i++) {
      bodies[0][i] = benchRequest(i + 1, spans);
      bodies[1][i] = agentRequest(i + 1, spans);
    }
    int seq = 0;
    long sink = 0;
    for (int b = 0; b < blocks; b++) {
      double[][] c = new double[shapes.length][STAGES.length];
      double[][] a = new double[shapes.length][STAGES.length];
      for (int sh = 0; sh < shapes.length; sh++) {
        long[] cpuNs = new long[STAGES.length];
        long[] bytes = new long[STAGES.length];
        for (int r = 0; r < requests; r++) {
          byte[] body = bodies[sh][seq++ % POOL];
          long c0 = mx.getCurrentThreadCpuTime();
          long a0 = mx.getCurrentThreadAllocatedBytes();
          OtlpTraceDecoder.Decoded decoded =
              OtlpTraceDecoder.decode(body, "application/x-protobuf");
          long c1 = mx.getCurrentThreadCpuTime();
          long a1 = mx.getCurrentThreadAllocatedBytes();
          IngestBatch batch = interpreter.interpret(decoded);
          long c2 = mx.getCurrentThreadCpuTime();
          long a2 = mx.getCurrentThreadAllocatedBytes();
          List<LakeRecord> rows = new ArrayList<>(batch.calls().size());
          for (CallRecord call : batch.calls()) {
            rows.add(coster.price(call));
          }
          long c3 = mx.getCurrentThreadCpuTime();
          long a3 = mx.getCurrentThreadAllocatedBytes();
          RecordCodec.Encoded encoded = RecordCodec.encodeEach(rows);
          long c4 = mx.getCurrentThreadCpuTime();
          long a4 = mx.getCurrentThreadAllocatedBytes();
          if (batch.calls().size() != spans) {
            throw new IllegalStateException(shapes[sh] + ": " + batch.calls().size()
                + " call rows from " + spans + " spans, rejected " + batch.rejectedByReason());
          }
          sink += encoded.bytes().length;
          cpuNs[0] += c1 - c0;
          cpuNs[1] += c2 - c1;
          cpuNs[2] += c3 - c2;
          cpuNs[3] += c4 - c3;
          bytes[0] += a1 - a0;
          bytes[1] += a2 - a1;
          bytes[2] += a3 - a2;
          bytes[3] += a4 - a3;
        }
        double n = (double) requests * spans;
        for (int st = 0; st < STAGES.length; st++) {
          c[sh][st] = cpuNs[st] / n;
          a[sh][st] = bytes[st] / n;
        }
        System.out.printf("block %2d %-5s ns/span %s = %.0f | B/span %s = %.0f%n", b, shapes[sh],
            line(c[sh]), sum(c[sh]), line(a[sh]), sum(a[sh]));
      }
      if (b >= 2) {
        cpu.add(c);
        alloc.add(a);
      }
    }
    System.out.println();
    // the median and the least disturbed block (the minimum): on a shared box other processes
    // slow some blocks (caches, the other hardware thread of a core), never speed one up
    System.out.println("| shape | stage | CPU ns/span (median) | CPU ns/span (minimum) |"
        + " allocated B/span (median) |");
    System.out.println("|---|---|---:|---:|---:|");
    for (int sh = 0; sh < shapes.length; sh++) {
      double totalCpu = 0;
      double totalMin = 0;
      double totalAlloc = 0;
      for (int st = 0; st < STAGES.length; st++) {
        double mc = median(cpu, sh, st);
        double mn = minimum(cpu, sh, st);
        double ma = median(alloc, sh, st);
        totalCpu += mc;
        totalMin += mn;
        totalAlloc += ma;
        System.out.printf("| %s | %s | %.0f | %.0f | %.0f |%n", shapes[sh], STAGES[st], mc, mn,
            ma);
      }
      System.out.printf("| %s | **all four** | %.0f | %.0f | %.0f |%n", shapes[sh], totalCpu,
          totalMin, totalAlloc);
    }
    System.out.println("(" + spans + " spans per request, " + requests + " requests per block, "
        + cpu.size() + " blocks after 2 warm-up; " + sink + " WAL bytes encoded)");
  }

  private static String line(double[] v) {
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < v.length; i++) {
      s.append(i == 0 ? "" : " + ").append(STAGES[i]).append(' ').append(Math.round(v[i]));
    }
    return s.toString();
  }

  private static double sum(double[] v) {
    return Arrays.stream(v).sum();
  }

  private static double minimum(List<double[][]> blocks, int shape, int stage) {
    return blocks.stream().mapToDouble(b -> b[shape][stage]).min().orElse(Double.NaN);
  }

  private static double median(List<double[][]> blocks, int shape, int stage) {
    double[] v = blocks.stream().mapToDouble(b -> b[shape][stage]).sorted().toArray();
    return v[v.length / 2];
  }

  /** The ingest benchmark's request: chat spans of one trace, 5 attributes each. */
  static byte[] benchRequest(int n, int spans) {
    long now = System.currentTimeMillis() * 1_000_000L;
    ByteString trace = id(0x0123_4567L, n + 1L);
    ByteString root = id(Long.MAX_VALUE);
    ScopeSpans.Builder scope = ScopeSpans.newBuilder();
    for (int i = 0; i < spans; i++) {
      scope.addSpans(Span.newBuilder()
          .setTraceId(trace)
          .setSpanId(id((long) n * spans + i + 1))
          .setParentSpanId(root)
          .setName("chat gpt-4o-mini")
          .setKind(Span.SpanKind.SPAN_KIND_CLIENT)
          .setStartTimeUnixNano(now)
          .setEndTimeUnixNano(now + 250_000_000L)
          .addAttributes(attr(SpanKeys.OPERATION, "chat"))
          .addAttributes(attr(SpanKeys.PROVIDER, "openai"))
          .addAttributes(attr(SpanKeys.REQUEST_MODEL, "gpt-4o-mini"))
          .addAttributes(attr(SpanKeys.INPUT_TOKENS, 1200))
          .addAttributes(attr(SpanKeys.OUTPUT_TOKENS, 150)));
    }
    return request("bench", scope);
  }

  /**
   * Attempt spans as the Flowcost agent exports them: three model calls per workflow (a trace of
   * its own), 22 attributes each.
   */
  static byte[] agentRequest(int n, int spans) {
    long now = System.currentTimeMillis() * 1_000_000L;
    ScopeSpans.Builder scope = ScopeSpans.newBuilder();
    for (int i = 0; i < spans; i++) {
      long spanNo = (long) n * spans + i + 1;
      ByteString trace = id(0x0123_4567L, (long) n * spans + i / 3 + 1);
      String callId = String.format("%016x", spanNo | (1L << 62));
      scope.addSpans(Span.newBuilder()
          .setTraceId(trace)
          .setSpanId(id(spanNo))
          .setParentSpanId(id(spanNo | (1L << 62)))
          .setName("chat gpt-4o-mini")
          .setKind(Span.SpanKind.SPAN_KIND_CLIENT)
          .setStartTimeUnixNano(now + i)
          .setEndTimeUnixNano(now + 250_000_000L)
          .addAttributes(attr(SpanKeys.ATTEMPT, 1))
          .addAttributes(attr(SpanKeys.CALL_ID, callId))
          .addAttributes(attr(SpanKeys.CALL_PARENT_ID, String.format("%016x", spanNo | (1L << 61))))
          .addAttributes(attr(SpanKeys.CALL_KIND, "model"))
          .addAttributes(attr(SpanKeys.OPERATION, "chat"))
          .addAttributes(attr(SpanKeys.PROVIDER, "openai"))
          .addAttributes(attr(SpanKeys.REQUEST_MODEL, "gpt-4o-mini"))
          .addAttributes(attr(SpanKeys.RESPONSE_MODEL, "gpt-4o-mini-2024-07-18"))
          .addAttributes(KeyValue.newBuilder().setKey(SpanKeys.FINISH_REASONS)
              .setValue(AnyValue.newBuilder().setArrayValue(ArrayValue.newBuilder()
                  .addValues(AnyValue.newBuilder().setStringValue("stop")))))
          .addAttributes(attr(SpanKeys.RESPONSE_ID, "chatcmpl-" + Long.toHexString(spanNo)
              + "AbCdEfGhIjKlMnOp"))
          .addAttributes(attr(SpanKeys.HTTP_STATUS, 200))
          .addAttributes(attr(SpanKeys.INPUT_TOKENS, 1200 + i % 7))
          .addAttributes(attr(SpanKeys.CACHE_READ_TOKENS, 1024))
          .addAttributes(attr(SpanKeys.OUTPUT_TOKENS, 150 + i % 11))
          .addAttributes(attr(SpanKeys.REASONING_TOKENS, 0))
          .addAttributes(attr(SpanKeys.OPENAI_SERVICE_TIER, "default"))
          .addAttributes(attr(SpanKeys.WORKFLOW_NAME, "SupportAgent.answer"))
          .addAttributes(attr(SpanKeys.TAG_PREFIX + "team", "support"))
          .addAttributes(attr(SpanKeys.TAG_PREFIX + "feature", "refunds"))
          .addAttributes(attr(SpanKeys.SERVER_ADDRESS, "api.openai.com"))
          .addAttributes(attr(SpanKeys.URL_PATH, "/v1/chat/completions"))
          .addAttributes(KeyValue.newBuilder().setKey(SpanKeys.REQUEST_STREAM)
              .setValue(AnyValue.newBuilder().setBoolValue(false))));
    }
    return request("support-agent", scope);
  }

  private static byte[] request(String service, ScopeSpans.Builder scope) {
    return ExportTraceServiceRequest.newBuilder()
        .addResourceSpans(ResourceSpans.newBuilder()
            .setResource(Resource.newBuilder().addAttributes(attr(SpanKeys.SERVICE_NAME, service)))
            .addScopeSpans(scope))
        .build().toByteArray();
  }

  private static ByteString id(long... longs) {
    ByteBuffer b = ByteBuffer.allocate(8 * longs.length);
    for (long l : longs) {
      b.putLong(l);
    }
    return ByteString.copyFrom(b.array());
  }

  private static KeyValue attr(String key, String value) {
    return KeyValue.newBuilder().setKey(key)
        .setValue(AnyValue.newBuilder().setStringValue(value)).build();
  }

  private static KeyValue attr(String key, long value) {
    return KeyValue.newBuilder().setKey(key)
        .setValue(AnyValue.newBuilder().setIntValue(value)).build();
  }
}
