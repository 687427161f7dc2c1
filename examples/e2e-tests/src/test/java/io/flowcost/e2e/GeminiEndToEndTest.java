package io.flowcost.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.Statement;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The Google Gen AI Java SDK 2.3.0 ({@code examples/genai-app}: a plain {@code generateContent}, a
 * cached prefix on {@code gemini-2.5-pro}, a 503 the SDK retries, a stream, a function-call round
 * inside a workflow, a 500 given up after the SDK's second attempt, a 429 retried on the async
 * client, a function-call round over {@code generateContentStream} in a workflow) under the agent
 * against the
 * fake provider's Gemini wire. The lake must hold one row per exchange the fake answered, with the
 * tokens it sent normalised by hand (thoughts are output), each priced to the nano-dollar by hand,
 * and the app must print the same with and without the agent.
 */
class GeminiEndToEndTest extends OneRunEndToEnd {

  static Path genaiAppJar() {
    Path jar = ChildJvm.repoRoot().resolve("examples/genai-app/target/flowcost-genai-app.jar");
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(jar + " is missing: build with 'mvn -B verify'");
    }
    return jar;
  }

  @Override
  AgentRun.Builder agentRun() throws Exception {
    return AgentRun.builder("gemini")
        .jar(genaiAppJar())
        .fakeProvider(base -> List.of("--provider-url", AgentRun.origin(base)))
        .service("gemini-app")
        // the fake is no Google host: name it as a model endpoint, as for a gateway
        .agentFlags(base -> List.of("-Dflowcost.llm-endpoints=" + AgentRun.origin(base)))
        .withoutAgentToo()
        // without the agent, outcome-api sends the app's workflow report itself
        .plainOutcomeSink();
  }

  @Test
  void theAppPrintsTheSameWithTheAgent() {
    assertThat(plain.exitCode()).as(plain.stderr()).isZero();
    assertThat(plain.stdout().lines()).hasSize(8);
    assertThat(plain.stdout())
        .contains("4 streamed The request was handled. in 3 chunks")
        .contains("7 async The request was handled.")
        .contains("5 tool lookupPolicy(P-7) -> The request was handled after 1 tool call.")
        .contains("6 failed 500 INTERNAL")
        .contains("8 stream-tool lookupPolicy(P-8) -> The request was handled after 1 tool call."
            + " in 3 chunks");
    assertThat(run.stdout()).isEqualTo(plain.stdout());
    assertThat(run.stderr()).doesNotContain("internal error")
        .as("the start line names the SDK found on the class path")
        .contains("; found: Google Gen AI SDK");
  }

  @Test
  void everyExchangeTheFakeAnsweredIsOneRowWithItsTokens() throws Exception {
    // plain; cached; 503 + retry; stream; function call + answer; 500 + 500; async 429 + retry;
    // streamed function call + streamed answer
    assertThat(exchanges).hasSize(13);
    assertThat(FakeExchanges.lakeKeys(duck))
        .containsExactlyInAnyOrderElementsOf(FakeExchanges.keys(exchanges));
    try (Statement st = duck.createStatement(); ResultSet rs = st.executeQuery(
        "SELECT count(*), count(request_model), count(*) FILTER (WHERE provider = 'gcp.gemini'),"
            + " count(*) FILTER (WHERE streaming), count(*) FILTER (WHERE reasoning_tokens = 64)"
            + " FROM calls WHERE kind = 'model'")) { // the tool row: see the test below
      rs.next();
      assertThat(rs.getLong(1)).isEqualTo(13);
      assertThat(rs.getLong(2)).as("no NULL request_model").isEqualTo(13);
      assertThat(rs.getLong(3)).isEqualTo(13);
      assertThat(rs.getLong(4)).as("the streams").isEqualTo(3);
      assertThat(rs.getLong(5)).as("thinking answers (not flash-lite)").isEqualTo(8);
    }
  }

  @Test
  void theSdksRetriesAreAttemptsOfOneCall() throws Exception {
    try (Statement st = duck.createStatement(); ResultSet rs = st.executeQuery(
        "SELECT list(attempt ORDER BY attempt), list(http_status ORDER BY attempt),"
            + " list(request_model ORDER BY attempt), sum(cost_usd)"
            + " FROM calls WHERE call_id IN (SELECT call_id FROM calls WHERE http_status >= 400)"
            + " GROUP BY call_id ORDER BY min(start_time)")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getString(1)).as("the retried 503").isEqualTo("[1, 2]");
      assertThat(rs.getString(2)).isEqualTo("[503, 200]");
      assertThat(rs.getString(3)).isEqualTo("[gemini-2.5-flash-lite, gemini-2.5-flash-lite]");
      // 116 in, 42 out at $0.10 / $0.40 per million: 0.0000116 + 0.0000168
      assertThat(rs.getBigDecimal(4)).isEqualByComparingTo("0.000028400");
      assertThat(rs.next()).isTrue();
      assertThat(rs.getString(1)).as("the 500 given up").isEqualTo("[1, 2]");
      assertThat(rs.getString(2)).isEqualTo("[500, 500]");
      assertThat(rs.getString(3)).isEqualTo("[gemini-2.5-flash, gemini-2.5-flash]");
      assertThat(rs.getBigDecimal(4)).as("failed attempts cost a priced 0").isEqualByComparingTo("0");
      assertThat(rs.next()).isTrue();
      assertThat(rs.getString(1)).as("the async 429, retried on OkHttp's dispatcher thread")
          .isEqualTo("[1, 2]");
      assertThat(rs.getString(2)).isEqualTo("[429, 200]");
      assertThat(rs.getString(3)).isEqualTo("[gemini-2.5-flash, gemini-2.5-flash]");
      // 116 in (the prompt is 23 characters), 42 + 64 out at $0.30 / $2.50 per million:
      // 0.0000348 + 0.000265
      assertThat(rs.getBigDecimal(4)).isEqualByComparingTo("0.000299800");
      assertThat(rs.next()).isFalse();
    }
  }

  @Test
  void thoughtsAreBilledAsOutputAndTheCachedPrefixAtTheCacheReadPrice() throws Exception {
    try (Statement st = duck.createStatement(); ResultSet rs = st.executeQuery(
        "SELECT input_tokens, cache_read_tokens, output_tokens, reasoning_tokens, cost_usd"
            + " FROM calls WHERE request_model = 'gemini-2.5-pro'")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getLong(1)).isEqualTo(1226);
      assertThat(rs.getLong(2)).isEqualTo(1100);
      assertThat(rs.getLong(3)).isEqualTo(42 + 64);
      assertThat(rs.getLong(4)).isEqualTo(64);
      // (1226 − 1100) × $1.25 + 1100 × $0.125 + 106 × $10, per million
      // = 157.5 + 137.5 + 1060 = 1355 µ$
      assertThat(rs.getBigDecimal(5)).isEqualByComparingTo("0.001355000");
      assertThat(rs.next()).isFalse();
    }
  }

  @Test
  void workflowsAreNamedAndCostWhatTheListPricesSay() throws Exception {
    List<String> names = new ArrayList<>();
    try (Statement st = duck.createStatement(); ResultSet rs = st.executeQuery(
        "SELECT workflow_name, calls FROM workflows_latest ORDER BY start_time")) {
      while (rs.next()) {
        names.add(rs.getString(1) + "/" + rs.getLong(2));
      }
    }
    String implicit = "gemini-app:generate_content ";
    assertThat(names).containsExactly(
        implicit + "gemini-2.5-flash/1",
        implicit + "gemini-2.5-pro/1",
        implicit + "gemini-2.5-flash-lite/1",
        implicit + "gemini-2.5-flash/1",
        "claim-lookup/3", // two model calls and the app's tool run
        implicit + "gemini-2.5-flash/1",
        implicit + "gemini-2.5-flash/1",
        "claim-lookup-stream/3"); // two streamed model calls and the app's tool run
    HandPrices.Checked checked = HandPrices.checkPricedAttempts(duck);
    // every 200: plain, cached, retry, stream, 2 in the round, async retry, 2 in the stream round
    assertThat(checked.rows()).isEqualTo(9);
    assertThat(r.decimal("SELECT sum(cost_usd) FROM workflows_latest"))
        .isEqualByComparingTo(checked.total());
    assertThat(r.decimal("SELECT count(*) FROM workflows_latest WHERE NOT cost_complete"))
        .isEqualByComparingTo("0");
  }

  @Test
  void theFunctionTheAppRanIsOneToolRowOfItsWorkflowBetweenTheTwoModelCalls() throws Exception {
    try (Statement st = duck.createStatement(); ResultSet rs = st.executeQuery(
        "SELECT count(*) FROM calls WHERE kind = 'tool'")) {
      rs.next();
      assertThat(rs.getLong(1)).as("the app ran two functions, one per round").isEqualTo(2);
    }
    assertOneToolRowBetweenItsModelCalls("claim-lookup", false);
  }

  @Test
  void theFunctionAStreamAskedForIsOneToolRowOfItsWorkflowToo() throws Exception {
    assertOneToolRowBetweenItsModelCalls("claim-lookup-stream", true);
  }

  private void assertOneToolRowBetweenItsModelCalls(String workflow, boolean streamed)
      throws Exception {
    List<String> tools = new ArrayList<>();
    List<Timestamp[]> models = new ArrayList<>();
    Timestamp[] tool = null;
    try (Statement st = duck.createStatement(); ResultSet rs = st.executeQuery(
        "SELECT kind, tool_name, status, start_time, end_time FROM calls"
            + " WHERE workflow_id = (SELECT workflow_id FROM workflows_latest"
            + " WHERE workflow_name = '" + workflow + "') ORDER BY start_time")) {
      while (rs.next()) {
        Timestamp[] span = {rs.getTimestamp(4), rs.getTimestamp(5)};
        if ("tool".equals(rs.getString(1))) {
          tools.add(rs.getString(2) + "/" + rs.getString(3));
          tool = span;
        } else {
          models.add(span);
        }
      }
    }
    // the round's one function: exactly one row, named by the function
    assertThat(tools).as(workflow).containsExactly("lookupPolicy/ok");
    assertThat(models).hasSize(2);
    // a whole answer is read when its call ends; a stream's chunk asking for the function is read
    // before the stream's end is, so its tool starts inside the streamed call
    assertThat(tool[0]).as("starts once the answer asking for it was read")
        .isAfterOrEqualTo(streamed ? models.get(0)[0] : models.get(0)[1]);
    assertThat(tool[0]).isBeforeOrEqualTo(tool[1]);
    assertThat(tool[1]).as("ends when the request answering it is sent")
        .isBeforeOrEqualTo(models.get(1)[0]);
  }
}
