package io.flowcost.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The whole path: an embedded collector, the demo app in a child JVM with
 * {@code -javaagent:flowcost-agent.jar} against the fake provider, outcomes through
 * {@code outcome-api}, then the Parquet lake read back with DuckDB and every figure checked
 * against the fake provider's exchange log and list prices written down by hand.
 */
class DemoEndToEndTest extends OneRunEndToEnd {

  /** Phrases of prompt, completion, tool argument/result and exception text in the demo. */
  static final List<String> PRIVATE_PHRASES = List.of(
      "Northwind Mutual",                 // system prompt (the cached claims manual)
      "hovercraft damaged at the marina", // user message
      "\"item\":\"hovercraft\"",         // tool arguments
      "glass deductible 100 EUR",         // tool result
      "no repair tariff",                 // tool exception message
      "The request was handled");         // completion text

  @Override
  AgentRun.Builder agentRun() throws Exception {
    return demoRun("demo", ChildJvm.demoJar());
  }

  /**
   * A run of {@code jar} (the demo app, or an app like it with a fake provider of its own, writing
   * its exchange log) under the agent as the demo's service: {@code claims-desk}, tagged {@code
   * env=demo} — the flags of {@link #agentArgs}.
   */
  static AgentRun.Builder demoRun(String name, Path jar, String... args) {
    return AgentRun.builder(name)
        .jar(jar)
        .appWritesExchanges(List.of(args))
        .service("claims-desk")
        .agentFlags(base -> List.of("-Dflowcost.tags=env=demo"))
        .jvmArgs("-Dsun.net.httpserver.nodelay=true")
        .timeoutSeconds(180);
  }

  /**
   * JVM flags for a demo run under the agent. Each run gets a spool directory of its own, so spans
   * another run left behind (e.g. one with no collector) never reach this run's collector.
   */
  static List<String> agentArgs(int port, Path spool) {
    return List.of(
        "-javaagent:" + ChildJvm.agentJar(),
        "-Dflowcost.spool.dir=" + spool,
        "-Dflowcost.endpoint=http://127.0.0.1:" + port,
        "-Dflowcost.service=claims-desk",
        "-Dflowcost.tags=env=demo",
        "-Dsun.net.httpserver.nodelay=true");
  }

  @Test
  void everyModelAttemptAppearsExactlyOnceWithTheTokensTheFakeSent() throws Exception {
    List<String> expected = FakeExchanges.keys(exchanges);
    List<String> actual = FakeExchanges.lakeKeys(duck);
    assertThat(exchanges).hasSize(20);
    assertThat(actual).containsExactlyInAnyOrderElementsOf(expected);
    // span ids are unique row keys even in the raw files (no duplicates written)
    assertThat(r.scalar("SELECT count(*) - count(DISTINCT span_id) FROM read_parquet('"
        + r.lake() + "/calls/date=*/*.parquet')")).isEqualTo(0L);
  }

  @Test
  void retriedCallsKeepTheirAttemptsUnderOneCallIdAndFailedAttemptsCostZero() throws Exception {
    // the 429 of workflow 06 and the two 500s of workflow 09
    try (Statement st = duck.createStatement(); ResultSet rs = st.executeQuery(
        "SELECT call_id, list(attempt ORDER BY attempt), list(http_status ORDER BY attempt),"
            + " list(cost_usd ORDER BY attempt), bool_or(unpriced)"
            + " FROM calls WHERE call_id IN (SELECT call_id FROM calls WHERE http_status >= 400)"
            + " GROUP BY call_id ORDER BY min(start_time)")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getString(2)).isEqualTo("[1, 2]");
      assertThat(rs.getString(3)).isEqualTo("[429, 200]");
      assertThat(rs.getString(4)).startsWith("[0.000000000, ").doesNotContain("NULL");
      assertThat(rs.getBoolean(5)).isFalse();
      assertThat(rs.next()).isTrue();
      assertThat(rs.getString(2)).isEqualTo("[1, 2]");
      assertThat(rs.getString(3)).isEqualTo("[500, 500]");
      assertThat(rs.getString(4)).isEqualTo("[0.000000000, 0.000000000]");
      assertThat(rs.next()).isFalse();
    }
  }

  @Test
  void everyCallCostsWhatTheListPricesSayToTheNanoDollar() throws Exception {
    HandPrices.Checked checked = HandPrices.checkPricedAttempts(duck);
    BigDecimal handTotal = checked.total();
    int priced = checked.rows();
    assertThat(priced).isEqualTo(17); // 20 exchanges − 3 failed attempts without usage
    assertThat(r.decimal("SELECT sum(cost_usd) FROM calls")).isEqualByComparingTo(handTotal);
    assertThat(r.decimal("SELECT sum(cost_usd) FROM workflows_latest")).isEqualByComparingTo(handTotal);
    assertThat(r.decimal("SELECT sum(total_cost_usd) FROM cost_per_outcome_latest"))
        .isEqualByComparingTo(handTotal);
  }

  @Test
  void toolCallsAndTheirErrorsArePresent() throws Exception {
    try (Statement st = duck.createStatement(); ResultSet rs = st.executeQuery(
        "SELECT tool_name, status, coalesce(error_type, '-') FROM calls WHERE kind = 'tool'"
            + " ORDER BY start_time")) {
      List<String> tools = new ArrayList<>();
      while (rs.next()) {
        tools.add(rs.getString(1) + ":" + rs.getString(2) + ":" + rs.getString(3));
      }
      assertThat(tools).contains("estimateRepair:error:java.lang.IllegalArgumentException")
          .contains("lookupPolicy:ok:-", "estimateRepair:ok:-")
          .hasSize(6);
    }
  }

  @Test
  void plainAndStreamingCallsOfBothProvidersAreRecorded() throws Exception {
    List<String> combos = FakeExchanges.lakeProviderStreaming(duck);
    assertThat(combos).containsExactly("anthropic:false", "anthropic:true", "openai:false",
        "openai:true");
  }

  @Test
  void workflowsCarryNamesTagsOutcomesWasteAndCostPerSuccess() throws Exception {
    Map<String, String> outcomeByName = new HashMap<>();
    try (Statement st = duck.createStatement(); ResultSet rs = st.executeQuery(
        "SELECT workflow_name, external_key, outcome, error, team, env, calls, cost_usd,"
            + " failure_waste_usd FROM workflows_latest ORDER BY start_time")) {
      int n = 0;
      while (rs.next()) {
        n++;
        String name = rs.getString(1);
        String key = rs.getString(2);
        outcomeByName.merge(name + "/" + rs.getString(3), "x", String::concat);
        assertThat(rs.getString(6)).as("env tag from -Dflowcost.tags").isEqualTo("demo");
        assertThat(rs.getLong(7)).as(name + " " + key + " has calls").isPositive();
        BigDecimal cost = rs.getBigDecimal(8);
        BigDecimal waste = rs.getBigDecimal(9);
        assertThat(waste).isBetween(BigDecimal.ZERO, cost);
        if ("failure".equals(rs.getString(3))) {
          assertThat(waste).isEqualByComparingTo(cost);
        }
        if ("CLM-1009".equals(key)) {
          assertThat(rs.getBoolean(4)).as("root invocation threw").isTrue();
        }
        if (key != null) {
          assertThat(rs.getString(5)).isIn("claims", "fraud");
        }
      }
      assertThat(n).isEqualTo(12);
    }
    assertThat(outcomeByName).containsOnlyKeys(
        "summarize-claim/success", "summarize-claim/unknown", "assess-damage/success",
        "assess-damage/failure", "draft-letter/success", "screen-fraud/success",
        "screen-fraud/failure", "route-claim/success", "DamageAssessor.assess/unknown",
        "TriageDesk.triage/unknown");
    assertThat(outcomeByName.get("summarize-claim/success")).isEqualTo("xx"); // CLM-1002 by key
    assertThat(outcomeByName.get("screen-fraud/failure")).isEqualTo("xx");

    // failure waste, computed by hand: the full hand-priced cost of the failed workflows
    BigDecimal handWaste = handCostOfWorkflows("outcome = 'failure'");
    assertThat(r.decimal("SELECT sum(failure_waste_usd) FROM workflows_latest"))
        .isEqualByComparingTo(handWaste).isPositive();

    // cost per successful outcome per intent = Σ cost ÷ successes, HALF_EVEN at 9 decimals
    for (String intent : List.of("summarize-claim", "assess-damage", "screen-fraud",
        "draft-letter", "route-claim")) {
      BigDecimal cost = handCostOfWorkflows("workflow_name = '" + intent + "'");
      long successes = r.scalar("SELECT count(*) FROM workflows_latest WHERE workflow_name = '"
          + intent + "' AND outcome = 'success'");
      BigDecimal expected = cost.divide(BigDecimal.valueOf(successes), 9, RoundingMode.HALF_EVEN);
      assertThat(r.decimal("SELECT cost_per_success_usd FROM cost_per_outcome_latest"
          + " WHERE workflow_name = '" + intent + "'")).as(intent).isEqualByComparingTo(expected);
    }
    assertThat(r.scalar("SELECT count(*) FROM cost_per_outcome_latest"
        + " WHERE successes = 0 AND cost_per_success_usd IS NOT NULL")).isZero();
  }

  @Test
  void noPromptCompletionToolOrExceptionTextIsStoredOrLogged() throws Exception {
    List<Path> files = new ArrayList<>();
    try (Stream<Path> s = Files.walk(r.work())) {
      s.filter(Files::isRegularFile)
          .filter(p -> !p.equals(r.exchangesFile()))           // the fake's own log (test fixture)
          .filter(p -> !p.getFileName().toString().startsWith("stdout")) // the demo's own output
          .forEach(files::add);
    }
    assertThat(files).anySatisfy(p -> assertThat(p.toString()).contains("calls"));
    for (Path f : files) {
      String text = new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
      for (String phrase : PRIVATE_PHRASES) {
        assertThat(text).as(f + " must not contain '" + phrase + "'").doesNotContain(phrase);
      }
    }
  }

  private BigDecimal handCostOfWorkflows(String where) throws Exception {
    BigDecimal total = BigDecimal.ZERO;
    try (Statement st = duck.createStatement(); ResultSet rs = st.executeQuery(
        "SELECT request_model, input_tokens, cache_read_tokens, cache_write_tokens,"
            + " cache_write_1h_tokens, output_tokens FROM calls WHERE input_tokens IS NOT NULL"
            + " AND workflow_id IN (SELECT workflow_id FROM workflows_latest WHERE " + where + ")")) {
      while (rs.next()) {
        total = total.add(HandPrices.cost(rs.getString(1), rs.getLong(2), rs.getLong(3),
            rs.getLong(4), rs.getLong(5), rs.getLong(6)));
      }
    }
    return total;
  }
}
