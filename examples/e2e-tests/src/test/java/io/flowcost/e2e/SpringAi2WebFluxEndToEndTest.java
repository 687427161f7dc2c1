package io.flowcost.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Spring AI 2.0.1 behind a WebFlux controller ({@code examples/spring-ai2-app}, profile {@code
 * server}: Spring Boot 4.0.7 on Reactor Netty 1.3) under the agent: six HTTP requests — two
 * {@code Mono} answers of a {@code call()} run on {@code boundedElastic}, a {@code Flux} answer of a
 * {@code stream()}, a tool loop, a {@code stream()} chained after a non-model Reactor Netty request
 * (subscribed on that client's I/O thread, where the caller's context used to be lost) and a {@code
 * call()} after a {@code Mono.delay} — each one workflow (the server request, named {@code
 * <METHOD> <route template>}) whose rows match the fake's exchange log; the app's own {@code /ping}
 * (no model call) records nothing; the responses are the same with and without the agent.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SpringAi2WebFluxEndToEndTest {

  /** The requests, in order; {@code /quit} ends the app. */
  private static final List<String> PATHS =
      List.of("/ask/lisbon", "/ask/porto", "/stream", "/weather/Oslo", "/chained/faro",
          "/delayed/braga");

  private AgentRun r;
  private final Map<Boolean, List<String>> responses = new ConcurrentHashMap<>();
  private List<String> plain;
  private List<String> traced;
  private Connection duck;
  private List<FakeExchanges.Expected> exchanges;

  @BeforeAll
  void serveTheRequestsWithAndWithoutTheAgent() throws Exception {
    // the run without the agent talks to a fake of its own, at the same time: one class, one wait
    r = AgentRun.builder("spring-ai2-web")
        .jar(SpringAiEndToEndContract.appJar("spring-ai2-app", "flowcost-spring-ai2-app.jar"))
        .fakeProvider(base -> List.of("--spring.profiles.active=server",
            "--spring.ai.openai.base-url=" + base))
        .service("spring-ai2-web")
        .agentFlags(base -> List.of("-Dflowcost.llm-endpoints=" + base))
        .withoutAgentToo()
        .launcher((java, jvm, jar, args, work, underAgent) -> {
          long start = System.nanoTime();
          String label = underAgent ? "traced" : "plain";
          responses.put(underAgent, serve(java, jvm, jar, args, work, label));
          return new ChildJvm.Result(0, "", "", (System.nanoTime() - start) / 1_000_000);
        })
        .timeoutSeconds(270) // serve's own bounds: start-up, six requests, exit
        .run();
    plain = responses.get(false);
    traced = responses.get(true);
    duck = r.duck();
    exchanges = r.exchanges();
  }

  /**
   * The bound of one {@link #serve}: start-up, the requests and the exit share it, within the
   * run's {@code timeoutSeconds(270)}. One budget rather than a bound per step: a Spring Boot 4
   * app took 45-55 s to start at load 24 (with and without the agent), and a fixed 90 s for the
   * start-up alone ran out at load ~29 in a run whose requests then took seconds.
   */
  private static final Duration SERVE_BOUND = Duration.ofSeconds(250);

  /**
   * Starts the app, waits for its {@code listening PORT} line, sends {@link #PATHS} one after the
   * other, then {@code POST /quit}, and waits (bounded) for the app to exit 0. The responses.
   */
  private static List<String> serve(Path java, List<String> jvm, Path jar, List<String> args,
      Path work, String label) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(java.toString());
    cmd.addAll(jvm);
    cmd.add("-jar");
    cmd.add(jar.toString());
    cmd.addAll(args);
    Path err = work.resolve(label + "-stderr.txt");
    long deadline = System.nanoTime() + SERVE_BOUND.toNanos();
    Process app = new ProcessBuilder(cmd).directory(work.toFile())
        .redirectError(err.toFile()).start();
    try {
      CompletableFuture<Integer> port = new CompletableFuture<>();
      Thread reader = new Thread(() -> {
        try (BufferedReader out = new BufferedReader(
            new InputStreamReader(app.getInputStream(), StandardCharsets.UTF_8))) {
          String line;
          while ((line = out.readLine()) != null) { // to the end: a full pipe would block the app
            if (line.startsWith("listening ")) {
              port.complete(Integer.parseInt(line.substring("listening ".length()).trim()));
            }
          }
          port.completeExceptionally(new IllegalStateException("the app ended without a port"));
        } catch (IOException | RuntimeException e) {
          port.completeExceptionally(e);
        }
      }, "spring-ai2-stdout");
      reader.setDaemon(true);
      reader.start();
      int p;
      try {
        p = port.get(left(deadline).toMillis(), TimeUnit.MILLISECONDS);
      } catch (java.util.concurrent.TimeoutException e) {
        throw new AssertionError("the " + label + " app printed no 'listening' line within "
            + SERVE_BOUND.toSeconds() + " s (alive: " + app.isAlive() + "); its stderr ends: "
            + tail(err), e);
      }
      HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
      List<String> bodies = new ArrayList<>();
      for (String path : PATHS) {
        HttpResponse<String> response = client.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + p + path))
                // a bound, not a timing assertion: generous, for a box at load ~30 (30 s timed out)
                .timeout(min(Duration.ofSeconds(120), left(deadline))).GET().build(),
            HttpResponse.BodyHandlers.ofString());
        bodies.add(response.statusCode() + " " + response.body());
      }
      client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + p + "/quit"))
          .timeout(Duration.ofSeconds(10)).POST(HttpRequest.BodyPublishers.noBody()).build(),
          HttpResponse.BodyHandlers.discarding());
      assertThat(app.waitFor(min(Duration.ofSeconds(60), left(deadline)).toMillis(),
          TimeUnit.MILLISECONDS)).as("the app exits after /quit").isTrue();
      assertThat(app.exitValue()).as(Files.readString(err)).isZero();
      return bodies;
    } finally {
      if (app.isAlive()) {
        app.descendants().forEach(ProcessHandle::destroyForcibly);
        app.destroyForcibly();
      }
    }
  }

  /** What is left until {@code deadline}, at least a second (each step gets a chance). */
  private static Duration left(long deadline) {
    return Duration.ofNanos(Math.max(deadline - System.nanoTime(), 1_000_000_000L));
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }

  /** The last 2,000 characters of a file, or why it cannot be read. */
  private static String tail(Path file) {
    try {
      String text = Files.readString(file);
      return text.substring(Math.max(0, text.length() - 2_000));
    } catch (IOException | RuntimeException e) {
      return "(unreadable: " + e.getClass().getName() + ")";
    }
  }

  @AfterAll
  void close() throws Exception {
    if (r != null) {
      r.close();
    }
  }

  @Test
  void theResponsesAreTheSameWithTheAgent() {
    assertThat(plain).hasSize(PATHS.size());
    assertThat(plain).allSatisfy(body -> assertThat(body).startsWith("200 ").contains("fake-reply"));
    assertThat(plain.get(3)).endsWith(" calls=1");
    assertThat(traced).isEqualTo(plain);
  }

  @Test
  void everyProviderRequestIsOneRowWithItsUsage() throws Exception {
    // ask (1), ask (1), stream (1), tool loop (2), chained stream (1), delayed call (1)
    assertThat(exchanges).hasSize(7);
    assertThat(FakeExchanges.lakeKeys(duck))
        .containsExactlyInAnyOrderElementsOf(FakeExchanges.keys(exchanges));
    assertThat(r.scalar("SELECT count(*) FROM calls WHERE kind = 'model' AND request_model IS NULL"))
        .isZero();
    assertThat(r.scalar("SELECT count(*) FILTER (WHERE streaming) FROM calls WHERE kind = 'model'"))
        .isEqualTo(2);
    assertThat(r.scalar("SELECT count(*) FROM calls WHERE kind = 'tool' AND tool_name = 'getWeather'"
        + " AND status = 'ok'")).isEqualTo(1);
  }

  @Test
  void eachHttpRequestIsOneWorkflow() throws Exception {
    List<String> workflows = new ArrayList<>();
    try (Statement st = duck.createStatement(); ResultSet rs = st.executeQuery(
        "SELECT workflow_name, calls FROM workflows_latest ORDER BY start_time")) {
      while (rs.next()) {
        workflows.add(rs.getString(1) + "/" + rs.getLong(2));
      }
    }
    // Each request is one workflow: the incoming server request (source server_request), named
    // <METHOD> <route template>; the ChatClient invocation inside it is a step, not a workflow
    // the tool loop: two model calls and the tool; /ping (inside /chained) made no model call
    assertThat(workflows).containsExactly("GET /ask/{topic}/1", "GET /ask/{topic}/1",
        "GET /stream/1", "GET /weather/{city}/3", "GET /chained/{topic}/1", "GET /delayed/{topic}/1");
    assertThat(string("SELECT string_agg(DISTINCT source, ',' ORDER BY source) FROM workflow_spans"
        + " WHERE source IS NOT NULL")).isEqualTo("server_request");
  }

  @Test
  void costsAreTheListPricesOfTheTokens() throws Exception {
    HandPrices.Checked checked = HandPrices.checkPricedAttempts(duck);
    assertThat(checked.rows()).isEqualTo(7);
    assertThat(r.decimal("SELECT sum(cost_usd) FROM workflows_latest"))
        .isEqualByComparingTo(checked.total());
  }

  private String string(String sql) throws Exception {
    try (Statement st = duck.createStatement(); ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getString(1);
    }
  }}
