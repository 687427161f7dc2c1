package io.flowcost.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.flowcost.collector.Collector;
import io.flowcost.collector.rollup.LakeViews;
import io.flowcost.examples.fakeprovider.FakeProvider;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The OpenTelemetry Java agent 2.x and Flowcost's agent on the same JVM: the app prints the same,
 * its APM spans reach an OTLP sink, Flowcost's lake holds the same rows and costs as without the
 * OTel agent, and every request to the provider carries exactly one {@code traceparent}. Run for
 * the LangChain4j demo and for the SDK app (OkHttp, JDK HttpClient, Apache, Vert.x).
 */
class OtelAgentCoexistenceTest {

  @TempDir Path work;
  private FakeProvider fake;
  private RecordingProxy proxy;
  private HttpServer sink;
  private final AtomicInteger sinkPosts = new AtomicInteger();
  private final AtomicLong sinkBytes = new AtomicLong();

  /** What one run left behind. */
  record Run(ChildJvm.Result result, List<String> calls, List<String> workflows,
      List<RecordingProxy.Seen> seen) {}

  static Path otelAgent() {
    Path jar = Path.of("target", "otel", "opentelemetry-javaagent.jar").toAbsolutePath();
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(jar + " is missing: the build copies it"
          + " (maven-dependency-plugin, process-test-resources)");
    }
    return jar;
  }

  @BeforeEach
  void start() throws Exception {
    fake = FakeProvider.start();
    proxy = new RecordingProxy(fake.baseUrl().replaceAll("/v1$", ""));
    sink = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    sink.createContext("/v1/traces", exchange -> {
      try (exchange) {
        sinkBytes.addAndGet(exchange.getRequestBody().readAllBytes().length);
        sinkPosts.incrementAndGet();
        exchange.getResponseHeaders().set("Content-Type", "application/x-protobuf");
        exchange.sendResponseHeaders(200, -1);
      }
    });
    sink.start();
  }

  @AfterEach
  void stop() {
    sink.stop(0);
    proxy.close();
    fake.close();
  }

  @ParameterizedTest
  @ValueSource(strings = {"demo", "sdk-app"})
  void bothAgentsTogetherChangeNothingAndSendOneTraceparent(String app) throws Exception {
    Run flowcostOnly = run(app, false);
    fake.reset();
    proxy.seen().clear();
    Run both = run(app, true);

    assertThat(flowcostOnly.result().exitCode()).as(flowcostOnly.result().stderr()).isZero();
    assertThat(both.result().exitCode()).as(both.result().stderr()).isZero();
    assertThat(both.result().stdout()).isEqualTo(flowcostOnly.result().stdout());

    assertThat(flowcostOnly.calls()).isNotEmpty();
    assertThat(both.calls()).containsExactlyInAnyOrderElementsOf(flowcostOnly.calls());
    assertThat(both.workflows()).containsExactlyInAnyOrderElementsOf(flowcostOnly.workflows());

    assertThat(both.seen()).isNotEmpty().allSatisfy(s ->
        assertThat(s.traceparent()).as(s.path() + " carries one traceparent").hasSize(1));
    assertThat(flowcostOnly.seen()).allSatisfy(s ->
        assertThat(s.traceparent()).as(s.path()).hasSizeLessThanOrEqualTo(1));
    assertThat(both.seen()).allSatisfy(s -> assertThat(s.baggage()).isEmpty());

    assertThat(sinkPosts.get()).as("APM spans reached the OTLP sink").isPositive();
    assertThat(sinkBytes.get()).isPositive();
  }

  private Run run(String app, boolean withOtel) throws Exception {
    Path dir = work.resolve(app + (withOtel ? "-both" : "-flowcost"));
    Files.createDirectories(dir);
    Path lake = dir.resolve("lake");
    String base = proxy.root() + "/v1";
    Collector collector = Collector.start(AgentRun.collectorConfig(dir, "e2e-otel").build());
    ChildJvm.Result result;
    try {
      List<String> jvm = new ArrayList<>();
      if (withOtel) {
        jvm.add("-javaagent:" + otelAgent());
        jvm.add("-Dotel.service.name=" + app);
        jvm.add("-Dotel.exporter.otlp.protocol=http/protobuf");
        jvm.add("-Dotel.exporter.otlp.endpoint=http://127.0.0.1:" + sink.getAddress().getPort());
        jvm.add("-Dotel.metrics.exporter=none");
        jvm.add("-Dotel.logs.exporter=none");
        jvm.add("-Dotel.bsp.schedule.delay=200");
      }
      jvm.add("-javaagent:" + ChildJvm.agentJar());
      jvm.add("-Dflowcost.endpoint=http://127.0.0.1:" + collector.port());
      jvm.add("-Dflowcost.service=" + app);
      jvm.add("-Dflowcost.tags=env=coexist");
      jvm.add("-Dflowcost.llm-endpoints=" + base);
      jvm.add("-Dflowcost.spool.dir=" + dir.resolve("spool"));
      jvm.add("-Dsun.net.httpserver.nodelay=true");
      Path jar = app.equals("demo") ? ChildJvm.demoJar() : SdkEndToEndTest.sdkAppJar();
      result = ChildJvm.run(ChildJvm.java17(), jvm, jar, List.of("--provider-url", base), dir, 240);
    } finally {
      collector.close();
    }
    List<String> calls = new ArrayList<>();
    List<String> workflows = new ArrayList<>();
    try (Connection duck = DriverManager.getConnection("jdbc:duckdb:")) {
      LakeViews.install(duck, lake, 7);
      try (Statement st = duck.createStatement(); ResultSet rs = st.executeQuery(
          "SELECT concat_ws('|', kind, provider, request_model, response_model, attempt, status,"
              + " http_status, input_tokens, cache_read_tokens, cache_write_tokens, output_tokens,"
              + " reasoning_tokens, cost_usd, unpriced, tool_name, waste_cause) FROM calls")) {
        while (rs.next()) {
          calls.add(rs.getString(1));
        }
      }
      try (Statement st = duck.createStatement(); ResultSet rs = st.executeQuery(
          "SELECT concat_ws('|', workflow_name, calls, cost_usd, failure_waste_usd, outcome, error,"
              + " env) FROM workflows_latest")) {
        while (rs.next()) {
          workflows.add(rs.getString(1));
        }
      }
    }
    return new Run(result, calls, workflows, List.copyOf(proxy.seen()));
  }
}
