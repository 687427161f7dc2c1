package io.flowcost.e2e;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Vert.x 5.0 Web under the shaded agent ({@link VertxBoundaryApp}, run from the test class path):
 * {@link ServerBoundaryContract}. Its {@code /later/:id} route asks the model from a {@code
 * vertx.setTimer} callback, which fires on the event loop outside the route handler: the timer
 * carries the request's workflow ({@code executors} unit, {@code VertxImpl.scheduleTimeout}).
 */
class VertxWebBoundaryEndToEndTest extends ServerBoundaryContract {

  @Override
  ChildJvm.Result runApp(List<String> jvm, String providerV1, Path work)
      throws IOException, InterruptedException {
    return ChildJvm.runMain(ChildJvm.java17(), jvm, VertxBoundaryApp.class,
        List.of("--provider-url", providerV1), work, 120);
  }

  @Override
  List<String> routes() {
    return List.of("GET /claims/:id/summary", "POST /claims/:id", "GET /escalate/:id", "GET /later/:id");
  }

  @Override
  String laterLine() {
    return "GET /later/1005";
  }
}
