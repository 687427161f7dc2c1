package io.flowcost.examples.httpclients;

import io.flowcost.outcome.CapKind;
import io.flowcost.outcome.Flowcost;
import io.flowcost.outcome.Workflow;
import java.io.IOException;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Makes five fixed model requests per HTTP client and prints one deterministic line each (the
 * fake's replies are a function of the request; ids and timestamps are never printed).
 *
 * <pre>
 * java -jar flowcost-http-clients-app.jar --provider-url http://127.0.0.1:PORT/v1 \
 *     --clients reactor-netty,webclient,url-connection,apache4,jetty
 * </pre>
 *
 * <p>Per client: a plain chat completion; a stream with {@code stream_options.include_usage}; a
 * stream without it (the provider sends no usage); a request the provider fails with 500 once,
 * which the app retries itself with the same body (two requests, 500 then 200).
 *
 * <p>With {@code --capped}, per client instead: one workflow capped at two model calls ({@code
 * outcome-api}) making four requests — plain, stream, plain, stream — printing for each its status
 * or, when refused, the exception chain the app caught (class names, outermost first).
 *
 * <p>With {@code --queued} (clients {@code reactor-netty} and {@code jetty}, one connection per
 * host), per client instead: request A, in workflow {@code queued-<client>}, held by the fake
 * ({@code [hold]}); then request B, outside any workflow, which waits for A's connection; then the
 * fake lets A go, and B goes out when A's end hands the connection over — on A's thread. Prints
 * {@code <client> queued-first STATUS}, {@code <client> queued-second STATUS} and {@code <client>
 * waited N} (the requests that waited for a connection when A was let go).
 */
public final class HttpClientsApp {

  private static final String MODEL = "gpt-4o-mini";
  private static final Pattern CONTENT = Pattern.compile("\"content\"\\s*:\\s*\"((?:[^\"\\\\]|\\\\.)*)\"");

  private HttpClientsApp() {}

  /** Entry point. */
  public static void main(String[] args) throws Exception {
    String base = null;
    String clients = null;
    boolean capped = java.util.Arrays.asList(args).contains("--capped");
    boolean queued = java.util.Arrays.asList(args).contains("--queued");
    for (int i = 0; i + 1 < args.length; i++) {
      if (args[i].equals("--provider-url")) {
        base = args[i + 1];
      } else if (args[i].equals("--clients")) {
        clients = args[i + 1];
      }
    }
    if (base == null || clients == null) {
      System.err.println("usage: --provider-url http://127.0.0.1:PORT/v1 --clients reactor-netty,webclient");
      System.exit(2);
    }
    PrintStream out = System.out;
    for (String name : clients.split(",")) {
      try (Transport transport = queued ? oneConnection(name.trim()) : transport(name.trim())) {
        if (queued) {
          runQueued(name.trim(), transport, base, out);
        } else if (capped) {
          runCapped(name.trim(), transport, base + "/chat/completions", out);
        } else {
          run(name.trim(), transport, base + "/chat/completions", out);
        }
      }
    }
  }

  private static Transport transport(String name) throws Exception {
    switch (name.toLowerCase(Locale.ROOT)) {
      case "reactor-netty":
        return new ReactorNettyTransport();
      case "webclient":
        return new WebClientTransport();
      case "restclient":
        return new RestClientTransport();
      case "url-connection":
        return new UrlConnectionTransport();
      case "apache4":
        return new Apache4Transport();
      case "jetty":
        return new JettyTransport();
      default:
        throw new IllegalArgumentException(
            "unknown client (reactor-netty, webclient, restclient, url-connection, apache4, jetty)");
    }
  }

  private static Transport oneConnection(String name) throws Exception {
    switch (name.toLowerCase(Locale.ROOT)) {
      case "reactor-netty":
        return new ReactorNettyTransport(1);
      case "jetty":
        return new JettyTransport(1);
      default:
        throw new IllegalArgumentException("--queued: reactor-netty or jetty");
    }
  }

  /** A held request in a workflow, a second one outside any waiting for its connection. */
  private static void runQueued(String name, Transport transport, String base, PrintStream out)
      throws Exception {
    String url = base + "/chat/completions";
    String fake = base.substring(0, base.length() - "/v1".length()) + "/_fake/";
    HttpClient control = HttpClient.newHttpClient();
    CompletableFuture<Transport.Reply> first = new CompletableFuture<>();
    Thread one = new Thread(() -> {
      try (Workflow wf = Flowcost.workflow("queued " + name).externalKey("queued-" + name).start()) {
        first.complete(transport.post(url, body(name + " queued first [hold]", "")));
      } catch (Exception | Error e) {
        first.completeExceptionally(e);
      }
    }, "queued-first");
    one.start();
    await(() -> held(control, fake) >= 1, "the first request held by the fake");
    CompletableFuture<Transport.Reply> second = new CompletableFuture<>();
    Thread two = new Thread(() -> {
      try {
        second.complete(transport.post(url,
            body(name + " queued second, outside any workflow, with a longer prompt", "")));
      } catch (Exception | Error e) {
        second.completeExceptionally(e);
      }
    }, "queued-second");
    two.start();
    await(() -> transport.waiting() >= 1, "the second request waiting for a connection");
    int waited = transport.waiting();
    control.send(HttpRequest.newBuilder(URI.create(fake + "release"))
        .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding());
    out.println(name + " queued-first " + first.get(60, TimeUnit.SECONDS).status());
    out.println(name + " queued-second " + second.get(60, TimeUnit.SECONDS).status());
    out.println(name + " waited " + waited);
    one.join();
    two.join();
  }

  private static int held(HttpClient control, String fake) {
    try {
      String json = control.send(HttpRequest.newBuilder(URI.create(fake + "held")).build(),
          HttpResponse.BodyHandlers.ofString()).body();
      Matcher m = Pattern.compile("\"held\"\\s*:\\s*(\\d+)").matcher(json);
      return m.find() ? Integer.parseInt(m.group(1)) : 0;
    } catch (IOException e) {
      return 0;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 0;
    }
  }

  /** Waits (at most 60 s) until {@code condition} holds: a state of the client or the fake. */
  private static void await(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("timed out waiting for " + what);
      }
      Thread.sleep(5); // polls a condition; the order itself is forced by the fake's hold
    }
  }

  private static void run(String name, Transport transport, String url, PrintStream out)
      throws Exception {
    Transport.Reply sync = transport.post(url, body(name + " sync question", ""));
    out.println(name + " sync " + sync.status() + " " + content(sync.body()));
    Transport.Reply usage = transport.post(url, body(name + " stream with usage",
        ",\"stream\":true,\"stream_options\":{\"include_usage\":true}"));
    out.println(name + " stream+usage " + usage.status() + " " + content(usage.body()));
    Transport.Reply noUsage = transport.post(url, body(name + " stream without usage", ",\"stream\":true"));
    out.println(name + " stream " + noUsage.status() + " " + content(noUsage.body()));
    String flaky = body(name + " flaky [fail:500]", "");
    Transport.Reply first = transport.post(url, flaky);
    out.println(name + " attempt-1 " + first.status());
    if (first.status() >= 500) {
      Transport.Reply second = transport.post(url, flaky); // the app's own retry: the same body
      out.println(name + " attempt-2 " + second.status() + " " + content(second.body()));
    }
  }

  /** Four requests in one workflow capped at two model calls: the last two are refused. */
  private static void runCapped(String name, Transport transport, String url, PrintStream out) {
    try (Workflow wf = Flowcost.workflow("capped " + name)
        .cap(CapKind.MAX_MODEL_CALLS, BigDecimal.valueOf(2)).start()) {
      for (int i = 1; i <= 4; i++) {
        String extra = i % 2 == 0 ? ",\"stream\":true,\"stream_options\":{\"include_usage\":true}" : "";
        try {
          Transport.Reply reply = transport.post(url, body(name + " capped " + i, extra));
          out.println(name + " capped-" + i + " " + reply.status());
        } catch (Exception e) {
          out.println(name + " capped-" + i + " refused " + chain(e));
        }
      }
    }
  }

  /** The class names of an exception and its causes, outermost first. */
  private static String chain(Throwable e) {
    List<String> names = new ArrayList<>();
    for (Throwable t = e; t != null && names.size() < 5; t = t.getCause()) {
      names.add(t.getClass().getName());
    }
    return String.join(" <- ", names);
  }

  private static String body(String text, String extra) {
    return "{\"model\":\"" + MODEL + "\",\"messages\":[{\"role\":\"user\",\"content\":\"" + text
        + "\"}]" + extra + "}";
  }

  /** The text of a reply: every {@code content} string of a JSON body or an SSE stream, joined. */
  static String content(String body) {
    List<String> parts = new ArrayList<>();
    Matcher m = CONTENT.matcher(body);
    while (m.find()) {
      parts.add(m.group(1));
    }
    return String.join("", parts);
  }
}
