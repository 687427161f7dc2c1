package io.flowcost.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
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

  private AgentRun bedrockRun;
  private AgentRun geminiRun;
  private ChildJvm.Result bedrock;
  private ChildJvm.Result gemini;
  private int bedrockReceived;
  private int geminiReceived;

  @BeforeAll
  void runBothCappedLoopsUnderTheAgent() throws Exception {
    // the two apps run side by side (one fake each, to count each app's requests): half the time
    List<AgentRun> runs = AgentRun.atOnce(
        capped("bedrock-caps", BedrockEndToEndTest.bedrockAppJar()),
        // the fake is no Google host: name it as a model endpoint, as for a gateway
        capped("gemini-caps", GeminiEndToEndTest.genaiAppJar())
            .agentFlags(base -> List.of("-Dflowcost.llm-endpoints=" + AgentRun.origin(base))));
    bedrockRun = runs.get(0);
    geminiRun = runs.get(1);
    bedrock = bedrockRun.run();
    gemini = geminiRun.run();
    bedrockReceived = bedrockRun.exchanges().size();
    geminiReceived = geminiRun.exchanges().size();
  }

  private static AgentRun.Builder capped(String service, Path jar) {
    return AgentRun.builder(service)
        .jar(jar)
        .fakeProvider(base -> List.of("--provider-url", AgentRun.origin(base), "--capped"))
        .service(service)
        .jvmArgs("-Dflowcost.caps.mode=enforce");
  }

  @AfterAll
  void close() throws Exception {
    try {
      if (bedrockRun != null) {
        bedrockRun.close();
      }
    } finally {
      if (geminiRun != null) {
        geminiRun.close();
      }
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
    for (Map.Entry<String, AgentRun> app
        : Map.of("bedrock-caps", bedrockRun, "gemini-caps", geminiRun).entrySet()) {
      String service = app.getKey();
      Connection duck = app.getValue().duck(); // each app reported to a lake of its own
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
