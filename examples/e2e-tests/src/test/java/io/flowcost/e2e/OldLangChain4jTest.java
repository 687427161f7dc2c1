package io.flowcost.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;

/**
 * The agent on the oldest supported LangChain4j line: the compatibility app (built against
 * LangChain4j 1.4.0, see {@code examples/compat-app}) runs under the agent against an embedded
 * collector, and every row is checked against the fake provider's exchange log and hand prices.
 */
class OldLangChain4jTest extends OneRunEndToEnd {

  /** The LangChain4j line the compatibility app is built against. */
  private static final String OLD_LINE = "1.4.0";

  @Override
  AgentRun.Builder agentRun() throws Exception {
    return DemoEndToEndTest.demoRun("old-lc4j", ChildJvm.compatJar()).withoutAgentToo();
  }

  @Test
  void theAppReallyRunsTheOldLangChain4j() throws Exception {
    try (JarFile jar = new JarFile(ChildJvm.compatJar().toFile())) {
      assertThat(jar.getEntry("META-INF/maven/dev.langchain4j/langchain4j-core/pom.properties"))
          .isNotNull();
      String props = new String(jar.getInputStream(jar.getEntry(
          "META-INF/maven/dev.langchain4j/langchain4j-core/pom.properties")).readAllBytes());
      assertThat(props).contains("version=" + OLD_LINE);
    }
    assertThat(run.stderr()).doesNotContain("could not instrument");
  }

  @Test
  void everyModelAttemptAppearsExactlyOnceWithTheTokensTheFakeSent() throws Exception {
    List<String> expected = FakeExchanges.keys(exchanges);
    List<String> actual = FakeExchanges.lakeKeys(duck);
    // 3 tool loop + 2 Anthropic + 1 stream + 429 and retry + 2 failing-tool loop
    // + 2 Anthropic streaming tool loop + 1 embedding
    assertThat(exchanges).hasSize(13);
    assertThat(actual).containsExactlyInAnyOrderElementsOf(expected);
    // the Anthropic cache write and read, and the OpenAI stream, are among them
    assertThat(r.scalar("SELECT count(*) FROM calls WHERE provider = 'anthropic'"
        + " AND cache_write_tokens > 0 AND cache_read_tokens = 0")).isEqualTo(1L);
    assertThat(r.scalar("SELECT count(*) FROM calls WHERE provider = 'anthropic'"
        + " AND cache_read_tokens > 0 AND cache_write_tokens = 0")).isEqualTo(1L);
    List<String> combos = FakeExchanges.lakeProviderStreaming(duck);
    assertThat(combos).containsExactly("anthropic:false", "anthropic:true", "openai:false",
        "openai:true");
  }

  @Test
  void theRetriedCallKeepsItsAttemptsUnderOneCallId() throws Exception {
    try (Statement st = duck.createStatement(); ResultSet rs = st.executeQuery(
        "SELECT list(attempt ORDER BY attempt), list(http_status ORDER BY attempt),"
            + " list(cost_usd ORDER BY attempt)"
            + " FROM calls WHERE call_id IN (SELECT call_id FROM calls WHERE http_status >= 400)"
            + " GROUP BY call_id")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getString(1)).isEqualTo("[1, 2]");
      assertThat(rs.getString(2)).isEqualTo("[429, 200]");
      assertThat(rs.getString(3)).startsWith("[0.000000000, ").doesNotContain("NULL");
      assertThat(rs.next()).isFalse();
    }
  }

  @Test
  void toolCallsAndTheThrownExceptionClassArePresent() throws Exception {
    List<String> tools = new ArrayList<>();
    try (Statement st = duck.createStatement(); ResultSet rs = st.executeQuery(
        "SELECT tool_name, status, coalesce(error_type, '-') FROM calls WHERE kind = 'tool'"
            + " ORDER BY start_time")) {
      while (rs.next()) {
        tools.add(rs.getString(1) + ":" + rs.getString(2) + ":" + rs.getString(3));
      }
    }
    assertThat(tools).containsExactly("lookupPolicy:ok:-", "estimateRepair:ok:-",
        "estimateRepair:error:java.lang.IllegalArgumentException", "lookupPolicy:ok:-");
  }

  @Test
  void everyCallCostsWhatTheListPricesSay() throws Exception {
    HandPrices.Checked checked = HandPrices.checkPricedAttempts(duck);
    BigDecimal handTotal = checked.total();
    int priced = checked.rows();
    assertThat(priced).isEqualTo(12); // 13 exchanges − the 429 without usage
    assertThat(r.decimal("SELECT sum(cost_usd) FROM calls")).isEqualByComparingTo(handTotal);
    assertThat(r.decimal("SELECT sum(cost_usd) FROM workflows_latest"))
        .isEqualByComparingTo(handTotal);
  }

  @Test
  void workflowsCarryTheirNamesAndTheReportedOutcome() throws Exception {
    List<String> workflows = new ArrayList<>();
    try (Statement st = duck.createStatement(); ResultSet rs = st.executeQuery(
        "SELECT workflow_name, coalesce(external_key, '-'), outcome, calls, model_calls,"
            + " tool_calls FROM workflows_latest ORDER BY start_time")) {
      while (rs.next()) {
        workflows.add(rs.getString(1) + " " + rs.getString(2) + " " + rs.getString(3)
            + " calls=" + rs.getLong(4) + " model=" + rs.getLong(5) + " tool=" + rs.getLong(6));
      }
    }
    assertThat(workflows).containsExactly(
        "assess-damage CMP-1 success calls=5 model=3 tool=2",
        "summarize-claim CMP-2 success calls=2 model=2 tool=0",
        "LetterWriter.draftLetter - unknown calls=1 model=1 tool=0",
        "Screener.screen - unknown calls=1 model=1 tool=0",
        "Assessor.assess - unknown calls=3 model=2 tool=1",
        "Triage.triage - unknown calls=3 model=2 tool=1",
        "route-claim CMP-7 success calls=1 model=0 tool=0");
    try (Statement st = duck.createStatement(); ResultSet rs = st.executeQuery(
        "SELECT o.status, o.value, o.unit FROM outcomes o JOIN workflows_latest w"
            + " ON o.workflow_id = w.workflow_id WHERE w.external_key = 'CMP-1'")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getString(1)).isEqualTo("success");
      assertThat(rs.getBigDecimal(2)).isEqualByComparingTo("480.00");
      assertThat(rs.getString(3)).isEqualTo("EUR");
      assertThat(rs.next()).isFalse();
    }
  }

  @Test
  void theAppPrintsTheSameWithoutTheAgent() throws Exception {
    ChildJvm.Result plain = r.plain();
    assertThat(plain.exitCode()).as(plain.stderr()).isZero();
    assertThat(plain.stdout().lines()).hasSize(7);
    assertThat(run.stdout()).isEqualTo(plain.stdout());
  }
}
