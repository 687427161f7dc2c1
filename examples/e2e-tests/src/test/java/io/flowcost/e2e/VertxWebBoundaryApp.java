package io.flowcost.e2e;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A small Vert.x 5 Web service with no Flowcost code, for {@link VertxWebBoundaryEndToEndTest}: a
 * {@code Router} set as the server's request handler on 127.0.0.1, whose claim routes ask the model
 * (through {@link ServerBoundaryApp#ask}, on Vert.x's worker pool via {@code blockingHandler}),
 * whose {@code /health} asks nothing, whose {@code /escalate} answers 500 and whose {@code /later}
 * asks from the common pool and answers from there. It sends itself the six requests of {@link
 * ServerBoundaryContract} with the JDK {@code HttpClient}: the default client upgrades to HTTP/2
 * (h2c, which Vert.x accepts), the filing and the health check go over HTTP/1.1 — both server
 * paths. Prints each status and reply.
 *
 * <p>Usage: {@code --provider-url http://127.0.0.1:PORT/v1}
 */
public final class VertxWebBoundaryApp {

  private VertxWebBoundaryApp() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 2 || !args[0].equals("--provider-url")) {
      System.err.println("usage: --provider-url http://127.0.0.1:PORT/v1");
      System.exit(2);
    }
    ServerBoundaryApp.useProvider(args[1]);
    Vertx vertx = Vertx.vertx();
    try {
      Router router = Router.router(vertx);
      router.get("/claims/:id/summary").blockingHandler(ctx -> answer(ctx, 200,
          "claim answered " + (unchecked("summarise claim")
              + unchecked("check claim"))));
      router.post("/claims/:id").blockingHandler(ctx -> answer(ctx, 200,
          "claim filed " + unchecked("file claim")));
      router.get("/health").handler(ctx -> ctx.response().end("ok"));
      router.get("/escalate/:id").blockingHandler(ctx -> answer(ctx, 500,
          "escalation failed " + unchecked("escalate claim")));
      router.get("/later/:id").handler(ctx -> CompletableFuture
          .supplyAsync(() -> unchecked("later claim"))
          .whenComplete((length, failure) -> {
            if (failure != null) {
              ctx.fail(failure);
            } else {
              ctx.response().end("later answered " + length);
            }
          }));
      HttpServer server = vertx.createHttpServer().requestHandler(router)
          .listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      String base = "http://127.0.0.1:" + server.actualPort();
      HttpClient h2c = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
      HttpClient http11 = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(10)).build();
      print(h2c, "GET", base + "/claims/1001/summary?user=alice");
      print(h2c, "GET", base + "/claims/1002/summary?user=bob");
      print(http11, "POST", base + "/claims/1003");
      print(http11, "GET", base + "/health");
      print(h2c, "GET", base + "/escalate/1004");
      print(h2c, "GET", base + "/later/1005");
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }

  private static void answer(RoutingContext ctx, int status, String body) {
    ctx.response().setStatusCode(status).end(body);
  }

  private static int unchecked(String question) {
    try {
      return ServerBoundaryApp.ask(question);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void print(HttpClient client, String method, String url) throws Exception {
    HttpRequest request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
        .method(method, method.equals("GET") ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString("{}"))
        .build();
    HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
    System.out.println(method + " " + URI.create(url).getPath() + " " + response.statusCode() + " "
        + response.body());
  }
}
