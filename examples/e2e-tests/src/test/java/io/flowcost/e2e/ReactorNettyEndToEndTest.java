package io.flowcost.e2e;

/**
 * Reactor Netty's {@code HttpClient} 1.2.16 and Spring's {@code WebClient} (6.2.12) on it, under
 * the agent: {@link HttpClientEndToEndContract}.
 */
class ReactorNettyEndToEndTest extends HttpClientEndToEndContract {

  @Override
  String clients() {
    return "reactor-netty,webclient";
  }

  @Override
  String unit() {
    return "reactor-netty";
  }
}
