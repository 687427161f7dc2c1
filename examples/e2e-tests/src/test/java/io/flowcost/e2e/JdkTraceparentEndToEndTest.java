package io.flowcost.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The agent adds {@code traceparent} (and baggage, to a host in {@code flowcost.propagation.hosts})
 * to the JDK {@code HttpClient}'s requests without copying them (it hands the JDK's own copy of
 * the request's headers the added ones): the server sees exactly one {@code traceparent}, of the
 * workflow, on every request sent inside it and none outside; the application's own headers
 * (repeated ones included) unchanged, its own {@code traceparent} kept as it is, its baggage
 * merged with the workflow's; a request sent twice carries a fresh value each time; and the
 * application's request objects still hold exactly the headers it gave them. On Java 17 and 25:
 * the advised class is the JDK's own {@code HttpHeaders}.
 */
class JdkTraceparentEndToEndTest {

  private static final Pattern TRACEPARENT =
      Pattern.compile("00-([0-9a-f]{32})-([0-9a-f]{16})-03");

  @TempDir Path work;

  record Seen(String path, Map<String, List<String>> headers) {
    List<String> get(String name) {
      return headers.getOrDefault(name, List.of());
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {17, 25})
  void theServerSeesOneTraceparentAndTheAppsHeadersAsTheyWere(int javaVersion) throws Exception {
    List<Seen> seen = java.util.Collections.synchronizedList(new ArrayList<>());
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/", exchange -> {
      Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
      exchange.getRequestHeaders().forEach((k, v) -> headers.put(k, List.copyOf(v)));
      seen.add(new Seen(exchange.getRequestURI().getPath(), headers));
      exchange.getRequestBody().readAllBytes();
      byte[] body = "ok".getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(200, body.length);
      exchange.getResponseBody().write(body);
      exchange.close();
    });
    server.start();
    ChildJvm.Result run;
    try {
      List<String> jvm = AgentRun.fastStart(List.of("-javaagent:" + ChildJvm.agentJar(),
          "-Dflowcost.endpoint=http://127.0.0.1:9", // nothing listens: spans are spooled
          "-Dflowcost.spool.dir=" + work.resolve("spool"),
          "-Dflowcost.propagation.hosts=127.0.0.1", "-Dflowcost.debug=true"));
      run = ChildJvm.runMain(javaVersion == 17 ? ChildJvm.java17() : ChildJvm.java25(), jvm,
          JdkHeadersApp.class,
          List.of("http://127.0.0.1:" + server.getAddress().getPort()), work, 120);
    } finally {
      server.stop(0);
    }
    assertThat(run.exitCode()).as(run.stderr()).isZero();
    assertThat(run.stdout()).contains("requests unchanged true");
    // the headers reach the JDK's copy of each request through the advised HttpHeaders.of (the
    // request is held for that copy only when the advice runs: had it missed the copy, no
    // traceparent would be on the wire); not instrumented, the agent would have copied each
    // request (same headers on the wire)
    assertThat(run.stderr()).contains("instrumented java.net.http.HttpHeaders")
        .doesNotContain("could not instrument");
    Matcher id = Pattern.compile("workflow (\\S+)").matcher(run.stdout());
    assertThat(id.find()).isTrue();
    String workflow = id.group(1);

    Map<String, List<Seen>> byPath = new TreeMap<>();
    seen.forEach(s -> byPath.computeIfAbsent(s.path(), k -> new ArrayList<>()).add(s));
    assertThat(byPath).containsOnlyKeys(
        "/own-headers", "/own-traceparent", "/post", "/twice", "/outside");

    Seen own = byPath.get("/own-headers").get(0);
    assertThat(own.get("traceparent")).hasSize(1);
    Matcher tp = TRACEPARENT.matcher(own.get("traceparent").get(0));
    assertThat(tp.matches()).as(own.get("traceparent").get(0)).isTrue();
    assertThat(tp.group(1)).isEqualTo(workflow.replace("-", ""));
    assertThat(tp.group(2)).isNotEqualTo("0000000000000000");
    assertThat(own.get("X-App")).containsExactly("a");
    assertThat(own.get("X-Multi")).containsExactly("1", "2");
    assertThat(own.get("baggage")).hasSize(1);
    assertThat(own.get("baggage").get(0)).contains("app=1")
        .contains("flowcost.workflow.id=" + workflow);

    Seen traced = byPath.get("/own-traceparent").get(0);
    assertThat(traced.get("traceparent"))
        .containsExactly("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");

    Seen post = byPath.get("/post").get(0);
    assertThat(post.get("traceparent")).hasSize(1).allMatch(v -> TRACEPARENT.matcher(v).matches());
    assertThat(post.get("Content-Type")).containsExactly("application/json");

    List<Seen> twice = byPath.get("/twice");
    assertThat(twice).hasSize(2);
    assertThat(twice).allSatisfy(s -> assertThat(s.get("traceparent")).hasSize(1)
        .allMatch(v -> TRACEPARENT.matcher(v).matches() && v.startsWith("00-" + tp.group(1))));

    Seen outside = byPath.get("/outside").get(0);
    assertThat(outside.get("traceparent")).isEmpty();
    assertThat(outside.get("baggage")).isEmpty();
    assertThat(outside.get("X-App")).containsExactly("b");
  }
}
