package io.flowcost.e2e;

import java.nio.file.Path;
import java.util.List;

/**
 * {@link HttpClientCapsEndToEndTest} on Reactor Netty 1.3.7 (Netty 4.2) with Spring Framework
 * 7.0.8's {@code WebClient} and {@code RestClient} on it ({@code examples/http-clients-app-rn13}):
 * in enforce mode with {@code max-model-calls=2} the third and fourth requests (a plain one and a
 * stream) are refused before they are sent, the provider receives exactly two per client, and each
 * workflow has one breach row, {@code enforced=true}.
 */
class ReactorNetty13CapsEndToEndTest extends HttpClientCapsEndToEndTest {

  @Override
  List<String> clients() {
    return List.of("reactor-netty", "webclient", "restclient");
  }

  @Override
  Path app() {
    return HttpClientEndToEndContract.appJar("http-clients-app-rn13");
  }
}
