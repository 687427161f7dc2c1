package io.flowcost.e2e;

/** Apache HttpClient 4.5.14 classic under the agent: {@link HttpClientEndToEndContract}. */
class Apache4EndToEndTest extends HttpClientEndToEndContract {

  @Override
  String clients() {
    return "apache4";
  }

  @Override
  String unit() {
    return "apache-httpclient-4";
  }
}
