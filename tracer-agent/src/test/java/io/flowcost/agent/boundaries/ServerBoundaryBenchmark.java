package io.flowcost.agent.boundaries;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpPrincipal;
import io.flowcost.agent.AgentConfig;
import io.flowcost.agent.context.AgentContext;
import io.flowcost.agent.methods.MethodBoundaries;
import io.flowcost.agent.propagation.jdkserver.JdkServerTracing;
import io.opentelemetry.api.trace.TracerProvider;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * JMH: what a workflow boundary costs a request or listed method that makes no model call — the
 * common case the boundary must not tax: {@code JdkServerTracing.enter}/{@code exit} around a JDK
 * {@code HttpServer} exchange without baggage (headers read, boundary created and made current,
 * ended without a span), and {@code MethodBoundaries.enter}/{@code exit}. Not a test (its name does
 * not end in {@code Test}); run it with the command in {@code docs/benchmarks.md}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class ServerBoundaryBenchmark {

  /** The agent installed with a no-op tracer; one exchange reused. */
  @State(org.openjdk.jmh.annotations.Scope.Thread)
  public static class Installed {
    final HttpExchange exchange = new FakeExchange();

    @Setup(Level.Trial)
    public void install() {
      AgentContext.install(TracerProvider.noop().get("bench"),
          AgentConfig.from(Map.of("flowcost.service", "bench")::get, n -> null));
    }
  }

  /** A JDK server request that makes no model call. */
  @Benchmark
  public Object jdkServerRequestWithoutModelCall(Installed s) {
    Object token = JdkServerTracing.enter(s.exchange);
    JdkServerTracing.exit(token, s.exchange, null);
    return token;
  }

  /** A listed method that makes no model call. */
  @Benchmark
  public Object listedMethodWithoutModelCall(Installed s) {
    Object token = MethodBoundaries.enter(ServerBoundaryBenchmark.class, "run");
    MethodBoundaries.exit(token, null);
    return token;
  }

  /** Runs the benchmarks (JUnit entry point, only when named with -Dtest). */
  @Test
  void run() throws Exception {
    Collection<RunResult> results = new Runner(new OptionsBuilder()
        .include(ServerBoundaryBenchmark.class.getName() + "\\.")
        .build()).run();
    StringBuilder table = new StringBuilder(
        "| benchmark | ns/op (mean) | ± (99.9%) |\n|---|---|---|\n");
    for (RunResult r : results) {
      String name = r.getParams().getBenchmark();
      table.append("| ").append(name.substring(name.lastIndexOf('.') + 1))
          .append(" | ").append(String.format("%.1f", r.getPrimaryResult().getScore()))
          .append(" | ").append(String.format("%.1f", r.getPrimaryResult().getScoreError()))
          .append(" |\n");
    }
    System.out.println(table);
    Files.writeString(Path.of("target", "server-boundary-benchmark.txt"), table,
        StandardCharsets.UTF_8);
    assertThat(results).hasSize(2);
  }

  /** A GET of {@code /claims/1} in context {@code /claims}, answered 200, no baggage. */
  static final class FakeExchange extends HttpExchange {
    private final Headers request = new Headers();
    private final Headers response = new Headers();

    FakeExchange() {
      request.add("Accept", "*/*");
    }

    @Override public Headers getRequestHeaders() { return request; }
    @Override public Headers getResponseHeaders() { return response; }
    @Override public URI getRequestURI() { return URI.create("/claims/1"); }
    @Override public String getRequestMethod() { return "GET"; }
    @Override public HttpContext getHttpContext() { return CONTEXT; }
    @Override public void close() {}
    @Override public InputStream getRequestBody() { return new ByteArrayInputStream(new byte[0]); }
    @Override public OutputStream getResponseBody() { return new ByteArrayOutputStream(); }
    @Override public void sendResponseHeaders(int code, long length) {}
    @Override public InetSocketAddress getRemoteAddress() { return null; }
    @Override public int getResponseCode() { return 200; }
    @Override public InetSocketAddress getLocalAddress() { return null; }
    @Override public String getProtocol() { return "HTTP/1.1"; }
    @Override public Object getAttribute(String name) { return null; }
    @Override public void setAttribute(String name, Object value) {}
    @Override public void setStreams(InputStream i, OutputStream o) {}
    @Override public HttpPrincipal getPrincipal() { return null; }
  }

  private static final HttpContext CONTEXT = new HttpContext() {
    @Override public com.sun.net.httpserver.HttpHandler getHandler() { return null; }
    @Override public void setHandler(com.sun.net.httpserver.HttpHandler h) {}
    @Override public String getPath() { return "/claims"; }
    @Override public com.sun.net.httpserver.HttpServer getServer() { return null; }
    @Override public Map<String, Object> getAttributes() { return Map.of(); }
    @Override public java.util.List<com.sun.net.httpserver.Filter> getFilters() { return java.util.List.of(); }
    @Override public com.sun.net.httpserver.Authenticator setAuthenticator(com.sun.net.httpserver.Authenticator a) { return null; }
    @Override public com.sun.net.httpserver.Authenticator getAuthenticator() { return null; }
  };
}
