package io.flowcost.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Tool loops the agent can only see on the wire, under the agent against the fake provider: {@code
 * sdk-app --responses --manual-tool-loop} (the OpenAI SDK 4.41.0's Responses API — whole, with a
 * warm cache, a reasoning model, streamed, a retried 429 — and its function-calling loop inside an
 * outcome-api workflow and without one; an Anthropic SDK 2.11.1 tool loop written by hand, its
 * second tool throwing, inside a workflow) and {@code sdk3-app --manual-tool-loop} (the same loop on
 * SDK 3.16.0, no workflow, its first tool throwing). The lake must hold one row per exchange the
 * fake received with its exact tokens and list-price cost, one tool row per tool the apps ran —
 * failed where the app answered with an Anthropic {@code is_error} result — and the apps must print
 * the same without the agent.
 */
class WireToolLoopsEndToEndTest extends OneRunEndToEnd {

  private static final String CLAUDE = "claude-sonnet-4-5";

  private ChildJvm.Result sdk;
  private ChildJvm.Result sdkPlain;
  private ChildJvm.Result sdk3;
  private ChildJvm.Result sdk3Plain;
  private Path exchangesFile;

  @Override
  AgentRun.Builder agentRun() {
    return SdkToolLoopsEndToEndTest.sdkThenSdk3("wire-tool-loops",
        List.of("--responses", "--manual-tool-loop"), List.of("--manual-tool-loop"));
  }

  @BeforeAll
  void nameTheTwoApps() {
    sdk = r.run(0);
    sdk3 = r.run(1);
    sdkPlain = r.plain(0);
    sdk3Plain = r.plain(1);
    exchangesFile = r.exchangesFile();
  }

  @Test
  void theAppsPrintTheSameWithTheAgent() {
    assertThat(sdkPlain.exitCode()).as(sdkPlain.stderr()).isZero();
    assertThat(sdk3Plain.exitCode()).as(sdk3Plain.stderr()).isZero();
    assertThat(sdkPlain.stdout().lines()).hasSize(7);
    assertThat(sdkPlain.stdout())
        .contains("r1 responses-cached in=1249 cached=1024 out=42 reasoning=0")
        .contains("r2 responses-reasoning in=114 cached=0 out=106 reasoning=64")
        .contains("r5 responses-loop-in-workflow tools=[get_weather:sunny, 21C in Paris,"
            + " get_weather:sunny, 21C in Rome]")
        .contains("m1 anthropic-manual-loop tools=[get_weather:ok, get_forecast:failed]")
        .contains("handled after 2 tool calls");
    assertThat(sdk3Plain.stdout().lines()).hasSize(1);
    assertThat(sdk3Plain.stdout())
        .contains("7 manual-loop tools=[get_forecast:failed, get_weather:ok]");
    assertThat(sdk.stdout()).isEqualTo(sdkPlain.stdout());
    assertThat(sdk3.stdout()).isEqualTo(sdk3Plain.stdout());
  }

  @Test
  void everyExchangeIsOneRowWithTheFakesTokens() throws Exception {
    // Responses: 1 + 1 + 1 + (429, 200) + 3 + 2; Anthropic 2.x by hand: 3; 3.x by hand: 3
    assertThat(exchanges).hasSize(16);
    assertThat(exchanges.stream().filter(e -> e.provider().equals("openai")).count())
        .isEqualTo(10);
    assertThat(FakeExchanges.lakeKeys(duck))
        .containsExactlyInAnyOrderElementsOf(FakeExchanges.keys(exchanges));
  }

  @Test
  void eachWorkflowHoldsItsModelCallsAndTheToolsItsRequestsAnswered() throws Exception {
    List<String> workflows = new ArrayList<>();
    try (Statement st = duck.createStatement(); ResultSet rs = st.executeQuery(
        "SELECT service, workflow_name, model_calls, tool_calls, attempts, failed_attempts"
            + " FROM workflows_latest ORDER BY start_time")) {
      while (rs.next()) {
        workflows.add(rs.getString(1) + "|" + rs.getString(2) + "|" + rs.getLong(3) + "|"
            + rs.getLong(4) + "|" + rs.getLong(5) + "|" + rs.getLong(6));
      }
    }
    String mini = "sdk-app|sdk-app:chat gpt-4o-mini|";
    String claude3 = "sdk3-app|sdk3-app:chat " + CLAUDE + "|";
    assertThat(workflows).containsExactly(
        // model calls | tool calls | attempts (tools included) | failed attempts
        "sdk-app|sdk-app:chat gpt-4.1|1|0|1|0",
        "sdk-app|sdk-app:chat gpt-5.5-pro|1|0|1|0",
        mini + "1|0|1|0", // the stream
        mini + "1|0|2|1", // a 429 the SDK retried
        "sdk-app|responses-trip|3|2|5|0",
        // without a boundary each request is its own workflow; the tool row goes with the
        // request that answered it
        mini + "1|0|1|0",
        mini + "1|1|2|0",
        "sdk-app|manual-desk|3|2|5|1", // the tool that threw: an is_error result
        claude3 + "1|0|1|0",
        claude3 + "1|1|2|1",
        claude3 + "1|1|2|0");
  }

  @Test
  void toolRowsAreTheToolsTheAppsRanFailedWhereTheAppSentAnErrorResult() throws Exception {
    List<String> rows = new ArrayList<>();
    try (Statement st = duck.createStatement(); ResultSet rs = st.executeQuery(
        "SELECT tool_name, status, coalesce(error_type, '-') FROM calls WHERE kind = 'tool'"
            + " ORDER BY start_time")) {
      while (rs.next()) {
        rows.add(rs.getString(1) + "/" + rs.getString(2) + "/" + rs.getString(3));
      }
    }
    String ok = "get_weather/ok/-";
    String failed = "get_forecast/error/tool_error";
    assertThat(rows).containsExactly(
        ok, ok, // Responses loop in the workflow
        ok, // Responses loop without one (a function_call_output cannot say error)
        ok, failed, // Anthropic 2.x by hand: is_error on the second
        failed, ok); // Anthropic 3.x by hand: is_error on the first
    // the fake asked for each of them: one tool-call answer per tool run
    List<String> asked = new ArrayList<>();
    for (JsonNode e : new ObjectMapper().readTree(exchangesFile.toFile())) {
      if ("TOOL_CALL".equalsIgnoreCase(e.get("reply_kind").asText())) {
        asked.add(e.get("tool_name").asText());
      }
    }
    assertThat(rows.stream().map(r -> r.substring(0, r.indexOf('/'))).toList())
        .containsExactlyInAnyOrderElementsOf(asked);
  }

  @Test
  void aResponsesToolRunsFromTheAnswerThatAskedToTheRequestThatAnswered() throws Exception {
    SdkToolLoopsEndToEndTest.assertToolsRunBetweenTheirModelCalls(duck, "responses-trip");
  }

  @Test
  void costsAreTheListPricesOfTheTokens() throws Exception {
    HandPrices.Checked checked = HandPrices.checkPricedAttempts(duck);
    assertThat(checked.rows()).isEqualTo(15); // every answered exchange (16 less one 429)
    try (Statement st = duck.createStatement();
        ResultSet rs = st.executeQuery("SELECT sum(cost_usd) FROM workflows_latest")) {
      rs.next();
      assertThat(rs.getBigDecimal(1)).isEqualByComparingTo(checked.total());
    }
    // the cached Responses call by hand: gpt-4.1 at $2.00 / $0.50 cached / $8.00 per million,
    // 1249 input of which 1024 cached, 42 output: (225 × 2 + 1024 × 0.5 + 42 × 8) / 1e6
    try (Statement st = duck.createStatement(); ResultSet rs = st.executeQuery(
        "SELECT input_tokens, cache_read_tokens, output_tokens, cost_usd FROM calls"
            + " WHERE kind = 'model' AND request_model = 'gpt-4.1'")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getLong(1)).isEqualTo(1249);
      assertThat(rs.getLong(2)).isEqualTo(1024);
      assertThat(rs.getLong(3)).isEqualTo(42);
      assertThat(rs.getBigDecimal(4)).isEqualByComparingTo(new BigDecimal("0.001298000"));
      assertThat(rs.next()).isFalse();
    }
  }
}
