package io.flowcost.e2e;

import io.flowcost.outcome.Flowcost;
import io.flowcost.outcome.Workflow;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.TreeMap;

/**
 * Sends requests with the JDK's {@code HttpClient} to the server at {@code args[0]}, inside a
 * workflow and outside one ({@link JdkTraceparentEndToEndTest}): one with headers of its own (a
 * repeated one and a {@code baggage}), one with its own {@code traceparent}, a POST with a body,
 * and one sent twice, asynchronously. Prints the workflow id, and whether every request it built
 * still has exactly the headers it was given after being sent.
 */
public final class JdkHeadersApp {

  private JdkHeadersApp() {}

  /** Entry point. */
  public static void main(String[] args) throws Exception {
    String base = args[0];
    HttpClient client = HttpClient.newHttpClient();
    HttpRequest own = HttpRequest.newBuilder(URI.create(base + "/own-headers"))
        .header("X-App", "a").header("X-Multi", "1").header("X-Multi", "2")
        .header("Baggage", "app=1").build();
    HttpRequest traced = HttpRequest.newBuilder(URI.create(base + "/own-traceparent"))
        .header("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01").build();
    HttpRequest post = HttpRequest.newBuilder(URI.create(base + "/post"))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"q\":1}")).build();
    HttpRequest twice = HttpRequest.newBuilder(URI.create(base + "/twice")).build();
    HttpRequest outside = HttpRequest.newBuilder(URI.create(base + "/outside"))
        .header("X-App", "b").build();
    Map<String, Object> before = new TreeMap<>();
    for (HttpRequest r : new HttpRequest[] {own, traced, post, twice, outside}) {
      before.put(r.uri().getPath(), r.headers().map());
    }
    try (Workflow wf = Flowcost.workflow("headers").start()) {
      System.out.println("workflow " + wf.id());
      for (HttpRequest r : new HttpRequest[] {own, traced, post}) {
        client.send(r, HttpResponse.BodyHandlers.ofString());
      }
      client.sendAsync(twice, HttpResponse.BodyHandlers.ofString()).join();
      client.sendAsync(twice, HttpResponse.BodyHandlers.ofString()).join();
    }
    client.send(outside, HttpResponse.BodyHandlers.ofString());
    Map<String, Object> after = new TreeMap<>();
    for (HttpRequest r : new HttpRequest[] {own, traced, post, twice, outside}) {
      after.put(r.uri().getPath(), r.headers().map());
    }
    System.out.println("requests unchanged " + before.equals(after));
  }
}
