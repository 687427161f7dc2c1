package io.flowcost.e2e;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Vert.x 5.0.7 Web ({@code Router} as the server's request handler) under the shaded agent:
 * {@link VertxWebBoundaryApp}, {@link ServerBoundaryContract}. Its requests arrive over HTTP/2
 * (h2c, the JDK client's default: {@code Http2ServerRequest.dispatch}) and over HTTP/1.1 ({@code
 * Http1xServerRequestHandler}); each workflow is named by the Vert.x Web route's path.
 */
class VertxWebBoundaryEndToEndTest extends ServerBoundaryContract {

  @Override
  ChildJvm.Result runApp(List<String> jvm, String providerV1, Path work)
      throws IOException, InterruptedException {
    return ChildJvm.runMain(ChildJvm.java17(), jvm, VertxWebBoundaryApp.class,
        List.of("--provider-url", providerV1), work, 120);
  }

  @Override
  List<String> routes() {
    return List.of("GET /claims/:id/summary", "POST /claims/:id", "GET /escalate/:id",
        "GET /later/:id");
  }

  @Override
  String laterLine() {
    return "GET /later/1005";
  }
}
