package io.flowcost.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.flowcost.collector.Collector;
import io.flowcost.collector.rollup.LakeViews;
import io.flowcost.examples.fakeprovider.FakeProvider;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
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

  private static final List<String> FAST_START = List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC");
  /** The requests, in order; {@code /quit} ends the app. */
  private static final List<String> PATHS =
      List.of("/ask/lisbon", "/ask/porto", "/stream", "/weather/Oslo", "/chained/faro",
          "/delayed/braga");

  private Path work;
  private List<String> plain;
  private List<String> traced;
  private Connection duck;
  private List<FakeExchanges.Expected> exchanges;

  @BeforeAll
  void serveTheRequestsWithAndWithoutTheAgent() throws Exception {
    work = Files.createTempDirectory("flowcost-e2e-spring-ai2-webflux");
    Path lake = work.resolve("lake");
    Path exchangesFile = work.resolve("exchanges.json");
    Path jar = SpringAiEndToEndContract.appJar("spring-ai2-app", "flowcost-spring-ai2-app.jar");
    // the run without the agent talks to a fake of its own, at the same time: one class, one wait
    try (FakeProvider fake = FakeProvider.start(); FakeProvider plainFake = FakeProvider.start()) {
      CompletableFuture<List<String>> plainRun = CompletableFuture.supplyAsync(() -> {
        try {
          return serve(new ArrayList<>(FAST_START), jar, args(plainFake), "plain");
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      });
      Collector collector = Collector.start(Collector.Config.builder()
          .port(0)
          .localLake(lake)
          .dataDir(work.resolve("data"))
          .flushInterval(Duration.ofSeconds(2))
          .rollupDelay(Duration.ofHours(1))
          .maxBodyBytes(16L << 20)
          .maxBufferedRows(1_000_000)
          .instanceId("e2e-spring-ai2-web")
          .build());
      try {
        List<String> jvm = new ArrayList<>(FAST_START);
        jvm.addAll(List.of(
            "-javaagent:" + ChildJvm.agentJar(),
            "-Dflowcost.endpoint=http://127.0.0.1:" + collector.port(),
            "-Dflowcost.service=spring-ai2-web",
            "-Dflowcost.llm-endpoints=" + fake.baseUrl(),
            "-Dflowcost.spool.dir=" + work.resolve("spool")));
        traced = serve(jvm, jar, args(fake), "traced");
      } finally {
        collector.close();
      }
      plain = plainRun.get(300, TimeUnit.SECONDS);
      fake.writeExchanges(exchangesFile);
    }
    exchanges = FakeExchanges.read(exchangesFile);
    duck = DriverManager.getConnection("jdbc:duckdb:");
    LakeViews.install(duck, lake, 7);
  }

  private static List<String> args(FakeProvider fake) {
    return List.of("--spring.profiles.active=server", "--spring.ai.openai.base-url=" + fake.baseUrl());
  }

  /**
   * Starts the app, waits for its {@code listening PORT} line, sends {@link #PATHS} one after the
   * other, then {@code POST /quit}, and waits (bounded) for the app to exit 0. The responses.
   */
  private List<String> serve(List<String> jvm, Path jar, List<String> args, String label)
      throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(ChildJvm.java17().toString());
    cmd.addAll(jvm);
    cmd.add("-jar");
    cmd.add(jar.toString());
    cmd.addAll(args);
    Path err = work.resolve(label + "-stderr.txt");
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
      int p = port.get(90, TimeUnit.SECONDS);
      HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
      List<String> bodies = new ArrayList<>();
      for (String path : PATHS) {
        HttpResponse<String> response = client.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + p + path))
                // a bound, not a timing assertion: generous, for a box at load ~30 (30 s timed out)
                .timeout(Duration.ofSeconds(120)).GET().build(),
            HttpResponse.BodyHandlers.ofString());
        bodies.add(response.statusCode() + " " + response.body());
      }
      client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + p + "/quit"))
          .timeout(Duration.ofSeconds(10)).POST(HttpRequest.BodyPublishers.noBody()).build(),
          HttpResponse.BodyHandlers.discarding());
      assertThat(app.waitFor(60, TimeUnit.SECONDS)).as("the app exits after /quit").isTrue();
      assertThat(app.exitValue()).as(Files.readString(err)).isZero();
      return bodies;
    } finally {
      if (app.isAlive()) {
        app.descendants().forEach(ProcessHandle::destroyForcibly);
        app.destroyForcibly();
      }
    }
  }

  @AfterAll
  void close() throws Exception {
    if (duck != null) {
      duck.close();
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
    assertThat(scalar("SELECT count(*) FROM calls WHERE kind = 'model' AND request_model IS NULL"))
        .isZero();
    assertThat(scalar("SELECT count(*) FILTER (WHERE streaming) FROM calls WHERE kind = 'model'"))
        .isEqualTo(2);
    assertThat(scalar("SELECT count(*) FROM calls WHERE kind = 'tool' AND tool_name = 'getWeather'"
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
    assertThat(decimal("SELECT sum(cost_usd) FROM workflows_latest"))
        .isEqualByComparingTo(checked.total());
  }

  private long scalar(String sql) throws Exception {
    try (Statement st = duck.createStatement(); ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private String string(String sql) throws Exception {
    try (Statement st = duck.createStatement(); ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getString(1);
    }
  }

  private BigDecimal decimal(String sql) throws Exception {
    try (Statement st = duck.createStatement(); ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getBigDecimal(1);
    }
  }
}
