package io.flowcost.examples.httpclients;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.InputStreamResponseListener;
import org.eclipse.jetty.client.Response;
import org.eclipse.jetty.client.StringRequestContent;
import org.eclipse.jetty.client.transport.HttpDestination;
import org.eclipse.jetty.http.HttpMethod;

/**
 * Jetty's {@code HttpClient} 12: a plain request with the blocking {@code send()}, a stream read
 * as it arrives through an {@code InputStreamResponseListener}.
 */
final class JettyTransport implements Transport {

  private final HttpClient client = new HttpClient();

  /** Jetty's defaults. */
  JettyTransport() throws Exception {
    this(0);
  }

  /**
   * At most {@code maxConnections} connections per destination (0: Jetty's default); requests
   * beyond it wait in the destination's queue.
   */
  JettyTransport(int maxConnections) throws Exception {
    if (maxConnections > 0) {
      client.setMaxConnectionsPerDestination(maxConnections);
    }
    client.start();
  }

  @Override
  public Reply post(String url, String json) throws Exception {
    if (!json.contains("\"stream\":true")) {
      var response = client.newRequest(url).method(HttpMethod.POST)
          .body(new StringRequestContent("application/json", json))
          .timeout(30, TimeUnit.SECONDS)
          .send();
      return new Reply(response.getStatus(), response.getContentAsString());
    }
    InputStreamResponseListener listener = new InputStreamResponseListener();
    client.newRequest(url).method(HttpMethod.POST)
        .body(new StringRequestContent("application/json", json))
        .send(listener);
    Response response = listener.get(30, TimeUnit.SECONDS);
    try (InputStream in = listener.getInputStream()) {
      return new Reply(response.getStatus(), new String(in.readAllBytes(), StandardCharsets.UTF_8));
    }
  }

  @Override
  public int waiting() {
    int queued = 0;
    for (var destination : client.getDestinations()) {
      if (destination instanceof HttpDestination d) {
        queued += d.getQueuedRequestCount();
      }
    }
    return queued;
  }

  @Override
  public void close() throws Exception {
    client.stop();
  }
}
