package io.flowcost.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Tool loops the SDKs run or show, under the agent against the fake provider: {@code sdk-app
 * --tool-loops} (the OpenAI SDK's function-calling loop inside an outcome-api workflow and without
 * one; the Anthropic SDK 2.11.1 {@code BetaToolRunner} on its own, with a retried 429 on every
 * turn and a tool that throws, and inside an outcome-api workflow) and {@code sdk3-app
 * --tool-runner} (the Anthropic SDK 3.16.0 runner, its server-side message thread included, and
 * its streaming loop). The lake must hold one row per exchange the fake received with its exact
 * tokens, one tool row per tool the apps executed, each runner loop as one workflow (or a step of
 * the open one) and costs equal to the list prices; the apps print the same without the agent.
 */
class SdkToolLoopsEndToEndTest extends OneRunEndToEnd {

  private static final String CLAUDE = "claude-sonnet-4-5";

  private ChildJvm.Result sdk;
  private ChildJvm.Result sdkPlain;
  private ChildJvm.Result sdk3;
  private ChildJvm.Result sdk3Plain;
  private Path exchangesFile;

  @Override
  AgentRun.Builder agentRun() {
    return sdkThenSdk3("tool-loops", List.of("--tool-loops"), List.of("--tool-runner"));
  }

  @BeforeAll
  void nameTheTwoApps() {
    sdk = r.run(0);
    sdk3 = r.run(1);
    sdkPlain = r.plain(0);
    sdk3Plain = r.plain(1);
    exchangesFile = r.exchangesFile();
  }

  /**
   * The set-up of the tool-loop classes: {@code sdk-app} then {@code sdk3-app}, each with {@code
   * --provider-url BASE} and its mode's flags, under the agent against one fake provider and
   * collector, and each without the agent at the same time.
   */
  static AgentRun.Builder sdkThenSdk3(String name, List<String> sdkMode, List<String> sdk3Mode) {
    return AgentRun.builder(name)
        .jar(SdkEndToEndTest.sdkAppJar())
        .fakeProvider(base -> provider(base, sdkMode))
        .service("sdk-app")
        .thenApp()
        .jar(Anthropic3EndToEndTest.sdk3AppJar())
        .fakeProvider(base -> provider(base, sdk3Mode))
        .service("sdk3-app")
        .withoutAgentToo()
        .plainOutcomeSink();
  }

  private static List<String> provider(String base, List<String> mode) {
    List<String> args = new ArrayList<>(List.of("--provider-url", base));
    args.addAll(mode);
    return args;
  }

  @Test
  void theAppsPrintTheSameWithTheAgent() {
    assertThat(sdkPlain.exitCode()).as(sdkPlain.stderr()).isZero();
    assertThat(sdk3Plain.exitCode()).as(sdk3Plain.stderr()).isZero();
    assertThat(sdkPlain.stdout().lines()).hasSize(4);
    assertThat(sdkPlain.stdout())
        .contains("1 openai-loop-in-workflow tools=[get_weather:sunny, 21C in Paris,"
            + " get_weather:sunny, 21C in Rome]")
        .contains("3 anthropic-runner stops=[tool_use, tool_use, end_turn]")
        .contains("handled after 2 tool calls");
    assertThat(sdk3Plain.stdout().lines()).hasSize(2);
    assertThat(sdk3Plain.stdout())
        .contains("5 runner stops=[tool_use, tool_use, end_turn]")
        .contains("6 streaming-runner stops=[tool_use, end_turn]");
    assertThat(sdk.stdout()).isEqualTo(sdkPlain.stdout());
    assertThat(sdk3.stdout()).isEqualTo(sdk3Plain.stdout());
  }

  @Test
  void everyExchangeIsOneRowWithTheFakesTokens() throws Exception {
    // OpenAI: 3 + 2; Anthropic 2.x runner: 3 × (429, 200), in a workflow 2; 3.x: 3 × (429, 200), 2
    assertThat(exchanges).hasSize(21);
    assertThat(FakeExchanges.lakeKeys(duck))
        .containsExactlyInAnyOrderElementsOf(FakeExchanges.keys(exchanges));
  }

  @Test
  void eachLoopIsOneWorkflowOrStep() throws Exception {
    List<String> workflows = new ArrayList<>();
    try (Statement st = duck.createStatement(); ResultSet rs = st.executeQuery(
        "SELECT service, workflow_name, model_calls, tool_calls, attempts, failed_attempts"
            + " FROM workflows_latest ORDER BY start_time")) {
      while (rs.next()) {
        workflows.add(rs.getString(1) + "|" + rs.getString(2) + "|" + rs.getLong(3) + "|"
            + rs.getLong(4) + "|" + rs.getLong(5) + "|" + rs.getLong(6));
      }
    }
    String runner = "anthropic:tool-runner " + CLAUDE;
    assertThat(workflows).containsExactly(
        // model calls | tool calls | attempts (tools included) | failed attempts
        "sdk-app|trip-planner|3|2|5|0",
        // without a boundary, each OpenAI request is its own workflow; the tool row goes with the
        // request that answered it
        "sdk-app|sdk-app:chat gpt-4o-mini|1|0|1|0",
        "sdk-app|sdk-app:chat gpt-4o-mini|1|1|2|0",
        "sdk-app|" + runner + "|3|2|8|4", // a 429 per turn, and the tool that threw
        "sdk-app|support-desk|2|1|3|0",
        "sdk3-app|" + runner + "|3|2|8|4",
        "sdk3-app|anthropic:tool-runner-stream " + CLAUDE + "|2|1|3|0");
    try (Statement st = duck.createStatement(); ResultSet rs = st.executeQuery(
        "SELECT list(DISTINCT attempt ORDER BY attempt), count(DISTINCT call_id) FROM calls"
            + " WHERE kind = 'model' AND provider = 'anthropic' AND workflow_id IN (SELECT"
            + " workflow_id FROM workflows_latest WHERE workflow_name = '" + runner + "')")) {
      rs.next();
      assertThat(rs.getString(1)).as("each runner turn: one call, two attempts").isEqualTo("[1, 2]");
      assertThat(rs.getLong(2)).isEqualTo(6);
    }
  }

  @Test
  void toolRowsAreTheToolsTheAppsExecuted() throws Exception {
    List<String> rows = new ArrayList<>();
    try (Statement st = duck.createStatement(); ResultSet rs = st.executeQuery(
        "SELECT tool_name, status, coalesce(error_type, '-') FROM calls WHERE kind = 'tool'"
            + " ORDER BY start_time")) {
      while (rs.next()) {
        rows.add(rs.getString(1) + "/" + rs.getString(2) + "/" + rs.getString(3));
      }
    }
    String ok = "get_weather/ok/-";
    assertThat(rows).containsExactly(
        ok, ok, // OpenAI loop in the workflow
        ok, // OpenAI loop without one
        ok, "get_forecast/error/java.lang.IllegalStateException", // Anthropic 2.x runner
        ok, // 2.x runner in a workflow
        ok, "get_forecast/error/tool_error_result", // 3.x runner: the SDK keeps the exception
        ok); // 3.x streaming runner
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
  void anOpenAiToolRunsFromTheAnswerThatAskedToTheRequestThatAnswered() throws Exception {
    assertToolsRunBetweenTheirModelCalls(duck, "trip-planner");
  }

  /**
   * The workflow {@code name} holds three model calls and two tools, each tool starting once the
   * answer that asked for it was read and ending when the request that answers it is sent.
   */
  static void assertToolsRunBetweenTheirModelCalls(Connection duck, String name)
      throws Exception {
    List<Timestamp[]> models = new ArrayList<>();
    List<Timestamp[]> tools = new ArrayList<>();
    try (Statement st = duck.createStatement(); ResultSet rs = st.executeQuery(
        "SELECT kind, start_time, end_time FROM calls WHERE workflow_id = (SELECT workflow_id"
            + " FROM workflows_latest WHERE workflow_name = '" + name + "') ORDER BY start_time")) {
      while (rs.next()) {
        Timestamp[] span = {rs.getTimestamp(2), rs.getTimestamp(3)};
        (rs.getString(1).equals("tool") ? tools : models).add(span);
      }
    }
    assertThat(models).hasSize(3);
    assertThat(tools).hasSize(2);
    for (int i = 0; i < 2; i++) {
      assertThat(tools.get(i)[0]).as("tool %d starts once answer %d was read", i, i)
          .isAfterOrEqualTo(models.get(i)[1]);
      assertThat(tools.get(i)[1]).as("tool %d ends when request %d is sent", i, i + 1)
          .isBeforeOrEqualTo(models.get(i + 1)[0]);
    }
  }

  @Test
  void costsAreTheListPricesOfTheTokens() throws Exception {
    HandPrices.Checked checked = HandPrices.checkPricedAttempts(duck);
    assertThat(checked.rows()).isEqualTo(15); // every answered exchange (21 less six 429s)
    try (Statement st = duck.createStatement();
        ResultSet rs = st.executeQuery("SELECT sum(cost_usd) FROM workflows_latest")) {
      rs.next();
      BigDecimal total = rs.getBigDecimal(1);
      assertThat(total).isEqualByComparingTo(checked.total());
    }
  }
}
