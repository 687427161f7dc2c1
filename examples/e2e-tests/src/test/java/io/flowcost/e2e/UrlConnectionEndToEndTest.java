package io.flowcost.e2e;

/** The JDK's {@code HttpURLConnection} (Java 17) under the agent: {@link HttpClientEndToEndContract}. */
class UrlConnectionEndToEndTest extends HttpClientEndToEndContract {

  @Override
  String clients() {
    return "url-connection";
  }

  @Override
  String unit() {
    return "http-url-connection";
  }
}
