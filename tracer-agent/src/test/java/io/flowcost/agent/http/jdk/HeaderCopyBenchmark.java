package io.flowcost.agent.http.jdk;

import static io.flowcost.agent.testing.ThreadCpu.median;
import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.BiPredicate;
import org.junit.jupiter.api.Test;

/**
 * What the JDK client's header path costs per request, split into the JDK's part and the agent's,
 * in one JVM, with no bytecode instrumentation: the JDK's own copy of a request's headers ({@code
 * HttpHeaders.of(request.headers().map(), filter)}, what {@code HttpRequestImpl} does as {@code
 * sendAsync} starts) made
 *
 * <ul>
 *   <li>{@code none}: from a request without {@code traceparent} (no agent);
 *   <li>{@code header}: from a request the application built with the same {@code traceparent}
 *       itself (what the header costs the JDK, whoever adds it);
 *   <li>{@code view}: from the agent's view of the first request's map with {@code traceparent}
 *       added ({@link JdkTypes#headersWith}), the value given;
 *   <li>{@code agent}: as {@code JdkSendAdvice} and {@code JdkHeadersAdvice} make it: {@link
 *       JdkHttpTracing#request} (the request's own {@code traceparent} and baggage looked up, the
 *       header computed for the current span, the thread's holder set) then {@link
 *       JdkHttpTracing#map} on the copy's argument;
 *   <li>{@code lookups}: only the two look-ups {@code request} makes in the request's own map.
 * </ul>
 *
 * The variants take turns block by block, the order rotating from round to round. Per request,
 * median of the blocks after the first quarter, the application thread's CPU ns and allocated
 * bytes. Not a test (its name does not end in {@code Test}); {@code docs/benchmarks.md} has the
 * command, the table goes to {@code target/header-copy-benchmark.txt}.
 */
public class HeaderCopyBenchmark {

  /** The filter of the JDK's copy: every header kept (the copy's own checks still run). */
  private static final BiPredicate<String, String> ALL = (name, value) -> true;

  private static final String[] VARIANTS = {"none", "header", "view", "agent", "lookups"};

  private long sink;

  @Test
  void runsTheVariantsInTurn() throws Throwable {
    int rounds = Integer.getInteger("bench.rounds", 40);
    int perBlock = Integer.getInteger("bench.requests", 20_000);
    JdkHttpTracing.headersAdvised(true);
    SpanContext span = SpanContext.create("0af7651916cd43dd8448eb211c80319c",
        "b7ad6b7169203331", TraceFlags.getSampled(), TraceState.getDefault());
    String traceparent = "00-" + span.getTraceId() + "-" + span.getSpanId() + "-01";
    // as LangChain4j's JDK client builds a chat request
    HttpRequest plain = request(null);
    HttpRequest withHeader = request(traceparent);
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long self = Thread.currentThread().getId();
    List<List<double[]>> figures = new ArrayList<>();
    for (int v = 0; v < VARIANTS.length; v++) {
      figures.add(new ArrayList<>());
    }
    try (Scope ignored = Context.root().with(Span.wrap(span)).makeCurrent()) {
      // the same headers reach the JDK's copy on every path but none
      assertThat(copy(2, plain, withHeader, traceparent).map())
          .isEqualTo(copy(1, plain, withHeader, traceparent).map())
          .isEqualTo(copy(3, plain, withHeader, traceparent).map());
      for (int round = 0; round < rounds; round++) {
        for (int turn = 0; turn < VARIANTS.length; turn++) {
          int v = (round + turn) % VARIANTS.length;
          long cpuAt = threads.getCurrentThreadCpuTime();
          long allocatedAt = threads.getThreadAllocatedBytes(self);
          for (int i = 0; i < perBlock; i++) {
            if (v == 4) {
              Map<String, List<String>> own = plain.headers().map();
              String a = JdkTypes.first(own, "traceparent");
              String b = JdkTypes.first(own, "baggage");
              sink += (a == null ? 1 : 2) + (b == null ? 1 : 2);
            } else {
              sink += copy(v, plain, withHeader, traceparent).map().size();
            }
          }
          double cpu = (threads.getCurrentThreadCpuTime() - cpuAt) / (double) perBlock;
          double bytes = (threads.getThreadAllocatedBytes(self) - allocatedAt) / (double) perBlock;
          if (round >= rounds / 4) {
            figures.get(v).add(new double[] {cpu, bytes});
          }
        }
      }
    }
    StringBuilder table = new StringBuilder(String.format("Java %s, %d rounds of %d requests per"
        + " variant (the first quarter not counted)%n%n| per request, application thread (median"
        + " of blocks) | CPU ns | bytes allocated |%n|---|---:|---:|%n",
        Runtime.version(), rounds, perBlock));
    for (int v = 0; v < VARIANTS.length; v++) {
      table.append(String.format("| %s | %.0f | %.0f |%n", VARIANTS[v],
          median(figures.get(v), 0), median(figures.get(v), 1)));
    }
    table.append(String.format("%n| per round, median (quartiles) | CPU ns |%n|---|---|%n"));
    diff(table, "header − none (the JDK's work for the header)", figures.get(1), figures.get(0));
    diff(table, "view − header (the agent's part of the copy)", figures.get(2), figures.get(1));
    diff(table, "agent − header (all the agent's work, header computed)", figures.get(3),
        figures.get(1));
    System.out.print(table);
    Files.writeString(Path.of("target", "header-copy-benchmark.txt"), table);
    assertThat(sink).isPositive();
  }

  @SuppressWarnings("unchecked")
  private static HttpHeaders copy(int v, HttpRequest plain, HttpRequest withHeader,
      String traceparent) {
    switch (v) {
      case 0:
        return HttpHeaders.of(plain.headers().map(), ALL);
      case 1:
        return HttpHeaders.of(withHeader.headers().map(), ALL);
      case 2:
        return HttpHeaders.of(JdkTypes.headersWith(plain.headers().map(), traceparent, null), ALL);
      default:
        HttpRequest sent = (HttpRequest) JdkHttpTracing.request(null, plain);
        return HttpHeaders.of(
            (Map<String, List<String>>) JdkHttpTracing.map(sent.headers().map()), ALL);
    }
  }

  private static HttpRequest request(String traceparent) {
    HttpRequest.Builder builder =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:1/v1/chat/completions"))
            .header("Authorization", "Bearer sk-test")
            .header("User-Agent", "langchain4j-openai")
            .header("Content-Type", "application/json");
    if (traceparent != null) {
      builder.header("traceparent", traceparent);
    }
    return builder.POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"gpt-4o-mini\"}"))
        .build();
  }

  private static void diff(StringBuilder table, String what, List<double[]> a, List<double[]> b) {
    int n = Math.min(a.size(), b.size());
    double[] d = new double[n];
    for (int i = 0; i < n; i++) {
      d[i] = a.get(i)[0] - b.get(i)[0];
    }
    Arrays.sort(d);
    table.append(String.format("| %s | %+.0f (%+.0f … %+.0f) |%n", what, d[n / 2], d[n / 4],
        d[3 * n / 4]));
  }
}
