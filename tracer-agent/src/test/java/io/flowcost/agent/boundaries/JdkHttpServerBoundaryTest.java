package io.flowcost.agent.boundaries;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.Filter;
import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import io.flowcost.agent.concurrent.ContextTasks;
import io.flowcost.agent.context.SpanAttributes;
import io.flowcost.agent.propagation.jdkserver.JdkServerTracing;
import io.flowcost.agent.testing.AgentTelemetryExtension;
import io.flowcost.contract.WorkflowSource;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The JDK {@code HttpServer} on 127.0.0.1: a request that makes model calls is one workflow named
 * {@code <METHOD> <context path>} (never the raw path), a request that makes none records nothing,
 * a 5xx or a throwing handler marks the workflow failed, a call on a pool thread lands in the
 * request's workflow, and a request carrying a propagated workflow still joins it. The advice on
 * {@code Filter.Chain.doFilter} is played by a filter calling {@link JdkServerTracing} as it does.
 */
class JdkHttpServerBoundaryTest {

  @RegisterExtension final AgentTelemetryExtension telemetry = new AgentTelemetryExtension();

  private HttpServer server;
  private ExecutorService pool;
  private String base;

  @BeforeEach
  void start() throws IOException {
    pool = Executors.newFixedThreadPool(2);
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    context("/claims", exchange -> {
      Boundaries.modelCall();
      // a second call on a pool thread (the executors unit wraps tasks the same way)
      try {
        pool.submit(ContextTasks.wrap((Runnable) Boundaries::modelCall)).get(10, TimeUnit.SECONDS);
      } catch (Exception e) {
        throw new IOException(e);
      }
      respond(exchange, 200);
    });
    context("/health", exchange -> respond(exchange, 200));
    context("/broken", exchange -> {
      Boundaries.modelCall();
      respond(exchange, 503);
    });
    context("/throws", exchange -> {
      Boundaries.modelCall();
      throw new IllegalStateException("handler failed");
    });
    server.start();
    base = "http://127.0.0.1:" + server.getAddress().getPort();
  }

  @AfterEach
  void stop() {
    server.stop(0);
    pool.shutdownNow();
  }

  private void context(String path, HttpHandler handler) {
    HttpContext context = server.createContext(path, handler);
    context.getFilters().add(new Filter() {
      @Override
      public void doFilter(HttpExchange exchange, Chain chain) throws IOException {
        Object token = JdkServerTracing.enter(exchange); // what DoFilterAdvice does
        Throwable thrown = null;
        try {
          chain.doFilter(exchange);
        } catch (IOException | RuntimeException e) {
          thrown = e;
          throw e;
        } finally {
          JdkServerTracing.exit(token, exchange, thrown);
        }
      }

      @Override
      public String description() {
        return "advice";
      }
    });
  }

  private static void respond(HttpExchange exchange, int status) throws IOException {
    exchange.sendResponseHeaders(status, -1);
    exchange.close();
  }

  @Test
  void eachRequestThatCallsAModelIsOneWorkflowNamedByItsContextPath() throws Exception {
    assertThat(Boundaries.send("GET", base + "/claims/123?token=secret")).isEqualTo(200);
    assertThat(Boundaries.send("POST", base + "/claims/456")).isEqualTo(200);
    List<Boundaries.Recorded> workflows = Boundaries.workflows(telemetry, 2);
    assertThat(workflows).extracting(Boundaries.Recorded::name)
        .containsExactly("GET /claims", "POST /claims");
    assertThat(workflows).allSatisfy(w -> {
      assertThat(w.source()).isEqualTo(WorkflowSource.SERVER_REQUEST.wire());
      assertThat(w.root().getAttributes().get(SpanAttributes.WORKFLOW_NAME)).isEqualTo(w.name());
      assertThat(w.failed()).isFalse();
      assertThat(w.calls()).as("both calls, the pool thread's too").hasSize(2)
          .allSatisfy(call -> assertThat(call.getParentSpanId())
              .isEqualTo(w.root().getSpanContext().getSpanId()));
      // back-dated to the request's start: the workflow span holds its calls
      assertThat(w.root().getStartEpochNanos())
          .isLessThanOrEqualTo(w.calls().stream().mapToLong(SpanData::getStartEpochNanos).min().orElseThrow());
    });
    assertThat(workflows.get(0).root().getTraceId()).isNotEqualTo(workflows.get(1).root().getTraceId());
    assertThat(telemetry.spans()).hasSize(2 + 4);
  }

  @Test
  void aRequestThatMakesNoModelCallRecordsNothing() throws Exception {
    assertThat(Boundaries.send("GET", base + "/health")).isEqualTo(200);
    assertThat(Boundaries.send("GET", base + "/claims/1")).isEqualTo(200); // a marker that comes after
    assertThat(Boundaries.workflows(telemetry, 1)).extracting(Boundaries.Recorded::name)
        .containsExactly("GET /claims");
    assertThat(telemetry.spans()).as("no span for /health").hasSize(3);
  }

  @Test
  void aFiveHundredOrAThrowingHandlerMarksTheWorkflowFailed() throws Exception {
    assertThat(Boundaries.send("GET", base + "/broken")).isEqualTo(503);
    try {
      Boundaries.send("POST", base + "/throws"); // a GET would be retried by the client
    } catch (IOException closedWithoutResponse) {
      // the JDK server closes the connection when a handler throws
    }
    List<Boundaries.Recorded> workflows = Boundaries.workflows(telemetry, 2);
    assertThat(workflows).extracting(Boundaries.Recorded::toString).containsExactlyInAnyOrder(
        "GET /broken [server_request, 1 calls, failed http_503]",
        "POST /throws [server_request, 1 calls, failed java.lang.IllegalStateException]");
  }

  @Test
  void aRequestCarryingAWorkflowJoinsItInsteadOfOpeningOne() throws Exception {
    String id = "4bf92f3577b34da6a3ce929d0e0e4736";
    HttpResponse<String> response = Boundaries.CLIENT.send(
        HttpRequest.newBuilder(URI.create(base + "/claims/9")).timeout(Duration.ofSeconds(20))
            .header("traceparent", "00-" + id + "-00f067aa0ba902b7-01")
            .header("baggage", "flowcost.workflow.id=" + id).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(telemetry.spans()).hasSize(2).allSatisfy(span -> {
      assertThat(span.getTraceId()).isEqualTo(id);
      assertThat(span.getAttributes().get(SpanAttributes.WORKFLOW_ROOT)).isNull();
    });
  }
}
