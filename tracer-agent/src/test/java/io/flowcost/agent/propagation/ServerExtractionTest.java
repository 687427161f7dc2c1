package io.flowcost.agent.propagation;

import static org.assertj.core.api.Assertions.assertThat;

import io.flowcost.agent.context.AgentContext;
import io.flowcost.agent.context.Workflow;
import io.flowcost.agent.propagation.servlet.ServletTracing;
import io.flowcost.agent.propagation.vertxserver.VertxServerTracing;
import io.flowcost.agent.testing.AgentTelemetryExtension;
import io.opentelemetry.context.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.client.WebClient;
import jakarta.servlet.http.HttpServletRequest;
import java.lang.reflect.Proxy;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The Vert.x and Servlet server helpers, called as their advice calls them around the handler. */
class ServerExtractionTest {

  @RegisterExtension final AgentTelemetryExtension telemetry = new AgentTelemetryExtension();

  static final String ID = "4bf92f3577b34da6a3ce929d0e0e4736";
  static final String PARENT = "00-" + ID + "-00f067aa0ba902b7-01";
  static final String BAGGAGE = "flowcost.workflow.id=" + ID + ",flowcost.tag.team=claims";

  @Test
  void aVertxHandlerRunsInTheCallersWorkflow() throws Exception {
    Vertx vertx = Vertx.vertx();
    AtomicReference<String> seen = new AtomicReference<>("none");
    AtomicReference<Upstream> upstream = new AtomicReference<>();
    try {
      HttpServer server = vertx.createHttpServer().requestHandler(request -> {
        Object scope = VertxServerTracing.enter(request); // what RequestHandlerAdvice does
        try {
          Workflow wf = AgentContext.startedWorkflow(); // joined, or none (a boundary waits)
          seen.set(wf == null ? null : wf.id());
          upstream.set(Upstream.from(Context.current()));
          request.response().setStatusCode(204).end();
        } finally {
          VertxServerTracing.exit(scope);
        }
      });
      int port = server.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture()
          .get(10, TimeUnit.SECONDS).actualPort();
      WebClient client = WebClient.create(vertx);
      int status = client.get(port, "127.0.0.1", "/tool").putHeader("traceparent", PARENT)
          .putHeader("baggage", BAGGAGE).send().toCompletionStage().toCompletableFuture()
          .get(10, TimeUnit.SECONDS).statusCode();
      assertThat(status).isEqualTo(204);
      assertThat(seen.get()).isEqualTo(ID);
      assertThat(upstream.get().tags()).containsEntry("team", "claims");

      client.get(port, "127.0.0.1", "/tool").putHeader("traceparent", PARENT).send()
          .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      assertThat(seen.get()).as("no baggage, no join").isNull();
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void aServletRunsInTheCallersWorkflowAndTheContextIsRestoredAfterwards() {
    Map<String, List<String>> headers = Map.of("traceparent", List.of(PARENT), "baggage", List.of(BAGGAGE));
    HttpServletRequest request = (HttpServletRequest) Proxy.newProxyInstance(
        getClass().getClassLoader(), new Class<?>[] {HttpServletRequest.class},
        (proxy, method, args) -> method.getName().equals("getHeaders")
            ? Collections.enumeration(headers.getOrDefault((String) args[0], List.of()))
            : null);
    Object scope = ServletTracing.enter(request);
    Object nested = ServletTracing.enter(request); // a servlet calling super.service
    try {
      assertThat(nested).isNull();
      assertThat(AgentContext.currentWorkflow().id()).isEqualTo(ID);
    } finally {
      ServletTracing.exit(nested, request, null, null);
      ServletTracing.exit(scope, request, null, null);
    }
    assertThat(AgentContext.currentWorkflow()).isNull();
    assertThat(telemetry.spans()).as("joining records nothing by itself").isEmpty();
  }
}
