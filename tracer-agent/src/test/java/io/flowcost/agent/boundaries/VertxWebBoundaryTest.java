package io.flowcost.agent.boundaries;

import static org.assertj.core.api.Assertions.assertThat;

import io.flowcost.agent.propagation.vertxserver.VertxServerTracing;
import io.flowcost.agent.testing.AgentTelemetryExtension;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Vert.x 5 with Vert.x Web on 127.0.0.1: a request that makes model calls is one workflow named
 * {@code <METHOD> <route path>} ({@code /claims/:id/summary}), also when its handler runs after a
 * {@code BodyHandler} read the body; it ends with the response (failed on a 5xx); a request without
 * model calls records nothing. The three advices are played by the test as they call {@link
 * VertxServerTracing}: around the server's request handler, around each route handler, and at the
 * response's {@code end}.
 */
class VertxWebBoundaryTest {

  @RegisterExtension final AgentTelemetryExtension telemetry = new AgentTelemetryExtension();

  private Vertx vertx;
  private String base;

  /** A route handler as {@code RouteState.handleContext} runs it under the advice. */
  private static Handler<RoutingContext> traced(Handler<RoutingContext> handler) {
    return ctx -> {
      Object token = VertxServerTracing.routeEnter(ctx);
      try {
        handler.handle(ctx);
      } finally {
        VertxServerTracing.routeExit(token);
      }
    };
  }

  /** {@code response.end} as the advice sees it. */
  private static void end(RoutingContext ctx, int status, String body) {
    ctx.response().setStatusCode(status);
    VertxServerTracing.responseEnd(ctx.response(), false);
    ctx.response().end(body);
  }

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    Router router = Router.router(vertx);
    router.route().handler(traced(BodyHandler.create()));
    router.post("/claims/:id/summary").handler(traced(ctx -> {
      Boundaries.modelCall();
      Boundaries.modelCall();
      end(ctx, 200, "summary of " + ctx.body().length() + " bytes");
    }));
    router.get("/health").handler(traced(ctx -> end(ctx, 200, "ok")));
    router.get("/claims/:id/broken").handler(traced(ctx -> {
      Boundaries.modelCall();
      end(ctx, 502, "upstream");
    }));
    HttpServer server = vertx.createHttpServer().requestHandler(request -> {
      Object token = VertxServerTracing.enter(request); // Http1xServerRequestHandler.handle
      try {
        router.handle(request);
      } finally {
        VertxServerTracing.exit(token);
      }
    });
    int port = server.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture()
        .get(10, TimeUnit.SECONDS).actualPort();
    base = "http://127.0.0.1:" + port;
  }

  @AfterEach
  void stop() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void eachRequestThatCallsAModelIsOneWorkflowNamedByItsRoute() throws Exception {
    assertThat(Boundaries.send("POST", base + "/claims/123/summary?user=alice")).isEqualTo(200);
    assertThat(Boundaries.send("GET", base + "/health")).isEqualTo(200);
    assertThat(Boundaries.send("GET", base + "/claims/9/broken")).isEqualTo(502);
    List<Boundaries.Recorded> workflows = Boundaries.workflows(telemetry, 2);
    assertThat(workflows).extracting(Boundaries.Recorded::toString).containsExactly(
        "POST /claims/:id/summary [server_request, 2 calls]",
        "GET /claims/:id/broken [server_request, 1 calls, failed http_502]");
    assertThat(telemetry.spans()).as("nothing for /health").hasSize(2 + 3);
  }
}
