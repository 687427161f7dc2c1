package io.flowcost.e2e;

/** Jetty's {@code HttpClient} 12.1.14 (blocking {@code send()} and a stream through {@code InputStreamResponseListener}) under the agent: {@link HttpClientEndToEndContract}. */
class JettyClientEndToEndTest extends HttpClientEndToEndContract {

  @Override
  String clients() {
    return "jetty";
  }

  @Override
  String unit() {
    return "jetty-client";
  }
}
