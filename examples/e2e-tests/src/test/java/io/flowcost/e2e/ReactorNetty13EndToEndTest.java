package io.flowcost.e2e;

import java.nio.file.Path;

/**
 * Reactor Netty's {@code HttpClient} 1.3.7 (Netty 4.2, the line Spring Boot 4 ships) and Spring's
 * {@code WebClient} 7.0.8 on it, under the agent: {@link HttpClientEndToEndContract}, run in {@code
 * examples/http-clients-app-rn13} (the same app sources built on that client line).
 */
class ReactorNetty13EndToEndTest extends HttpClientEndToEndContract {

  @Override
  Path app() {
    return appJar("http-clients-app-rn13");
  }

  @Override
  String clients() {
    return "reactor-netty,webclient";
  }

  @Override
  String unit() {
    return "reactor-netty";
  }
}
