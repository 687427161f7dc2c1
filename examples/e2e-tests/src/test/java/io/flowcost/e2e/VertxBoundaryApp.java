package io.flowcost.e2e;

import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A Vert.x 5 Web service with no Flowcost code, for {@link VertxWebBoundaryEndToEndTest}: its
 * routes ask the model ({@link ServerBoundaryApp#ask}, blocking, so through {@code
 * executeBlocking}) twice ({@code GET /claims/:id/summary}), once ({@code POST /claims/:id}, after
 * a {@code BodyHandler}), once then answer 500 ({@code GET /escalate/:id}), never ({@code GET
 * /health}), and once from a {@code vertx.setTimer} callback ({@code GET /later/:id}: the timer
 * fires on the event loop, outside the route handler). It sends itself those requests, from
 * outside any workflow, printing each status and reply.
 *
 * <p>Usage: {@code --provider-url http://127.0.0.1:PORT/v1}
 */
public final class VertxBoundaryApp {

  private VertxBoundaryApp() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 2 || !args[0].equals("--provider-url")) {
      System.err.println("usage: --provider-url http://127.0.0.1:PORT/v1");
      System.exit(2);
    }
    ServerBoundaryApp.chatUrl = args[1] + "/chat/completions";
    Vertx vertx = Vertx.vertx();
    try {
      Router router = Router.router(vertx);
      router.route().handler(BodyHandler.create());
      router.get("/claims/:id/summary").handler(ctx -> ask(vertx, ctx, 2, 200, "claim answered"));
      router.post("/claims/:id").handler(ctx -> ask(vertx, ctx, 1, 200, "claim filed"));
      router.get("/health").handler(ctx -> ctx.response().end("ok"));
      router.get("/escalate/:id").handler(ctx -> ask(vertx, ctx, 1, 500, "escalation failed"));
      router.get("/later/:id").handler(ctx ->
          vertx.setTimer(20, timer -> ask(vertx, ctx, 1, 200, "answered later")));
      int port = vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1")
          .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS).actualPort();
      String base = "http://127.0.0.1:" + port;
      HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
      for (String request : new String[] {"GET /claims/1001/summary", "GET /claims/1002/summary",
          "POST /claims/1003", "GET /health", "GET /escalate/1004", "GET /later/1005"}) {
        String[] parts = request.split(" ");
        HttpResponse<String> response = client.send(
            HttpRequest.newBuilder(URI.create(base + parts[1])).timeout(Duration.ofSeconds(30))
                .method(parts[0], parts[0].equals("GET") ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString("{\"claim\":1003}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
        System.out.println(request + " " + response.statusCode() + " " + response.body());
      }
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }

  /** Asks the model {@code times} times off the event loop, then answers {@code status}. */
  private static void ask(Vertx vertx, RoutingContext ctx, int times, int status, String text) {
    vertx.executeBlocking(() -> {
      int length = 0;
      for (int i = 0; i < times; i++) {
        length += ServerBoundaryApp.ask(text + " " + ctx.pathParam("id") + " #" + i);
      }
      return length;
    }).onComplete(result -> ctx.response().setStatusCode(result.succeeded() ? status : 502)
        .end(text + " " + (result.succeeded() ? result.result() : "failed")));
  }
}
