package io.flowcost.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.flowcost.collector.Collector;
import io.flowcost.collector.rollup.LakeViews;
import io.flowcost.examples.fakeprovider.FakeProvider;
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
 * Caps refuse model calls of the AWS SDK's Bedrock Runtime client and of the Google Gen AI SDK
 * under the shaded agent, {@code flowcost.caps.mode=enforce}, through the real SDKs end to end.
 * {@code examples/bedrock-app --capped} and {@code examples/genai-app --capped} each open one
 * outcome-api workflow, {@code capped-loop}, capped at three model calls, and run a
 * function-calling loop the fake provider never ends ({@code [tool-loop:lookupPolicy]}): each
 * turn the app runs the tool and sends its result back. The fourth call is refused before any
 * byte leaves the JVM — each fake receives exactly three requests — and the app sees the refusal
 * as what the SDK surfaces; each workflow has three model calls and one breach row, {@code
 * enforced = true}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SdkCapsEndToEndTest {

  static final String CAP_EXCEPTION = "io.flowcost.outcome.WorkflowCapExceededException";

  /** The cap of both apps' workflow. */
  static final int MAX_MODEL_CALLS = 3;

  private Path work;
  private ChildJvm.Result bedrock;
  private ChildJvm.Result gemini;
  private int bedrockReceived;
  private int geminiReceived;
  private Connection duck;

  @BeforeAll
  void runBothCappedLoopsUnderTheAgent() throws Exception {
    work = Files.createTempDirectory("flowcost-e2e-sdk-caps");
    Path lake = work.resolve("lake");
    Collector collector = Collector.start(Collector.Config.builder()
        .port(0)
        .localLake(lake)
        .dataDir(work.resolve("data"))
        .flushInterval(Duration.ofSeconds(2))
        .rollupDelay(Duration.ofHours(1))
        .maxBodyBytes(16L << 20)
        .maxBufferedRows(1_000_000)
        .instanceId("e2e-sdk-caps")
        .build());
    // the two apps run side by side (one fake each, to count each app's requests): half the time
    try (FakeProvider bedrockFake = FakeProvider.start();
        FakeProvider geminiFake = FakeProvider.start()) {
      String bedrockBase = "http://127.0.0.1:" + bedrockFake.port();
      String geminiBase = "http://127.0.0.1:" + geminiFake.port();
      CompletableFuture<ChildJvm.Result> bedrockRun = CompletableFuture.supplyAsync(() ->
          run(agent(collector, "bedrock-caps", bedrockBase, false),
              BedrockEndToEndTest.bedrockAppJar(), bedrockBase));
      CompletableFuture<ChildJvm.Result> geminiRun = CompletableFuture.supplyAsync(() ->
          run(agent(collector, "gemini-caps", geminiBase, true),
              GeminiEndToEndTest.genaiAppJar(), geminiBase));
      bedrock = bedrockRun.get(150, TimeUnit.SECONDS);
      gemini = geminiRun.get(150, TimeUnit.SECONDS);
      bedrockReceived = bedrockFake.exchanges().size();
      geminiReceived = geminiFake.exchanges().size();
    } finally {
      collector.close();
    }
    duck = DriverManager.getConnection("jdbc:duckdb:");
    LakeViews.install(duck, lake, 7);
  }

  private ChildJvm.Result run(List<String> jvmOptions, Path jar, String base) {
    try {
      return ChildJvm.run(ChildJvm.java17(), jvmOptions, jar,
          List.of("--provider-url", base, "--capped"), work, 120);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private List<String> agent(Collector collector, String service, String base, boolean gateway) {
    List<String> options = new ArrayList<>(List.of(
        "-javaagent:" + ChildJvm.agentJar(),
        "-Dflowcost.endpoint=http://127.0.0.1:" + collector.port(),
        "-Dflowcost.service=" + service,
        "-Dflowcost.caps.mode=enforce",
        "-Dflowcost.spool.dir=" + work.resolve("spool-" + service),
        "-Dflowcost.shutdown.timeout.ms=30000"));
    if (gateway) {
      // the fake is no Google host: name it as a model endpoint, as for a gateway
      options.add("-Dflowcost.llm-endpoints=" + base);
    }
    return options;
  }

  @AfterAll
  void close() throws Exception {
    if (duck != null) {
      duck.close();
    }
  }

  @Test
  void theBedrockCallPastTheCapIsRefusedBeforeItLeavesTheJvm() {
    assertThat(bedrock.exitCode()).as(bedrock.stderr()).isZero();
    assertThat(bedrock.stdout().lines()).containsExactly(
        "capped-1 tool_use", "capped-2 tool_use", "capped-3 tool_use",
        // the sync client throws the refusal itself, unwrapped
        "capped-4 refused " + CAP_EXCEPTION);
    assertThat(bedrockReceived).as("requests the provider received").isEqualTo(MAX_MODEL_CALLS);
    assertThat(bedrock.stderr()).doesNotContain("internal error");
  }

  @Test
  void theGeminiCallPastTheCapIsRefusedBeforeItLeavesTheJvm() {
    assertThat(gemini.exitCode()).as(gemini.stderr()).isZero();
    assertThat(gemini.stdout().lines()).containsExactly(
        "capped-1 1 call", "capped-2 1 call", "capped-3 1 call",
        "capped-4 refused " + CAP_EXCEPTION);
    assertThat(geminiReceived).as("requests the provider received").isEqualTo(MAX_MODEL_CALLS);
    assertThat(gemini.stderr()).doesNotContain("internal error");
  }

  @Test
  void eachWorkflowHasItsModelCallsAndOneEnforcedBreach() throws Exception {
    for (String service : List.of("bedrock-caps", "gemini-caps")) {
      try (Statement st = duck.createStatement(); ResultSet rs = st.executeQuery(
          "SELECT count(*) FILTER (WHERE c.kind = 'model'), count(DISTINCT c.call_id) FILTER"
              + " (WHERE c.kind = 'model'), count(*) FILTER (WHERE c.kind = 'tool'),"
              + " min(w.workflow_name), count(DISTINCT c.workflow_id), bool_and(w.error)"
              + " FROM calls c JOIN workflows_latest w USING (workflow_id)"
              + " WHERE c.service = '" + service + "'")) {
        rs.next();
        assertThat(rs.getLong(1)).as(service + ": model rows = requests sent")
            .isEqualTo(MAX_MODEL_CALLS);
        assertThat(rs.getLong(2)).as(service + ": logical calls").isEqualTo(MAX_MODEL_CALLS);
        // the app ran a tool after each answered call: one row each, the last one's too, whose
        // result the refused request carried (Gemini: read where the SDK method starts, above the
        // refused HTTP request; Bedrock: from the refused request object)
        assertThat(rs.getLong(3)).as(service + ": tool rows = tools run").isEqualTo(MAX_MODEL_CALLS);
        assertThat(rs.getString(4)).isEqualTo("capped-loop");
        assertThat(rs.getLong(5)).as(service + ": one workflow").isEqualTo(1);
        assertThat(rs.getBoolean(6)).as(service + ": the app failed it with the refusal").isTrue();
      }
      try (Statement st = duck.createStatement(); ResultSet rs = st.executeQuery(
          "SELECT count(*), bool_and(enforced), bool_and(mode = 'enforce'),"
              + " bool_and(cap_kind = 'max-model-calls'), min(model_calls), max(model_calls)"
              + " FROM cap_breaches WHERE service = '" + service + "'")) {
        rs.next();
        assertThat(rs.getLong(1)).as(service + ": one breach row").isEqualTo(1);
        assertThat(rs.getBoolean(2)).as("enforced").isTrue();
        assertThat(rs.getBoolean(3)).isTrue();
        assertThat(rs.getBoolean(4)).isTrue();
        assertThat(rs.getLong(5)).isEqualTo(MAX_MODEL_CALLS);
        assertThat(rs.getLong(6)).isEqualTo(MAX_MODEL_CALLS);
      }
    }
  }
}
