package io.flowcost.e2e;

import java.util.List;

/**
 * Vert.x 5.0.7 Web ({@code Router} as the server's request handler) under the shaded agent:
 * {@link VertxWebBoundaryApp}, {@link ServerBoundaryContract}. Its requests arrive over HTTP/2
 * (h2c, the JDK client's default: {@code Http2ServerRequest.dispatch}) and over HTTP/1.1 ({@code
 * Http1xServerRequestHandler}); each workflow is named by the Vert.x Web route's path.
 */
class VertxWebBoundaryEndToEndTest extends ServerBoundaryContract {

  @Override
  AgentRun.Builder app(AgentRun.Builder run) {
    return run.mainClass(VertxWebBoundaryApp.class)
        .fakeProvider(base -> List.of("--provider-url", base));
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
