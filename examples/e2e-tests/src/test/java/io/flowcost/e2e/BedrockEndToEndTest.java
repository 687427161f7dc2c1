package io.flowcost.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The AWS SDK v2 Bedrock Runtime client ({@code examples/bedrock-app}, SDK 2.59.1) under the agent
 * against the fake provider's Bedrock wire: Converse on the synchronous client over Apache
 * HttpClient 4 (a cached system prompt; a 500 the SDK retries) and over {@code HttpURLConnection},
 * InvokeModel with an Anthropic body, and on the asynchronous Netty client a Converse by
 * inference-profile ARN, a ConverseStream (binary event stream) and a throttle the SDK retries;
 * then two function-calling loops the app runs itself — over Converse inside the outcome-api
 * workflow {@code claim-review} (two tools, the second failing: its result goes back with {@code
 * status: "error"}) and over ConverseStream with no workflow of the app's (one tool).
 * The lake must hold one row per request the fake received (the Apache 4 unit below the SDK
 * records nothing of its own), tokens exactly as sent, costs to the nano-dollar from hand prices,
 * one logical call per SDK operation whose attempts are the SDK's retries, one {@code tool} row per
 * tool the app ran (failed when its result was an error), timed between the answer that asked and
 * the request that answered; and the app must print the same with and without the agent.
 */
class BedrockEndToEndTest extends OneRunEndToEnd {

  private static final String HAIKU = "us.anthropic.claude-haiku-4-5-20251001-v1:0";

  static Path bedrockAppJar() {
    Path jar = ChildJvm.repoRoot().resolve("examples/bedrock-app/target/flowcost-bedrock-app.jar");
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(jar + " is missing: build with 'mvn -B verify'");
    }
    return jar;
  }

  @Override
  AgentRun.Builder agentRun() throws Exception {
    return AgentRun.builder("bedrock")
        .jar(bedrockAppJar())
        .fakeProvider(base -> List.of("--provider-url", AgentRun.origin(base)))
        .service("bedrock-app")
        .withoutAgentToo()
        // without the agent, outcome-api sends the app's workflow report itself
        .plainOutcomeSink();
  }

  @Test
  void theAppDoesTheSameWithTheAgent() {
    assertThat(plain.exitCode()).as(plain.stderr()).isZero();
    assertThat(plain.stdout().lines()).hasSize(9);
    assertThat(plain.stdout()).contains("6 stream ").contains("end_turn in=")
        .contains("8 tools lookupPolicy(P-8)=ok checkFraud(CLM-8)=error -> The request was handled"
            + " after 2 tool calls. end_turn in=")
        .contains("9 stream-tool tool_use lookupPolicy(P-9)=ok -> The request was handled after"
            + " 1 tool call. end_turn in=");
    assertThat(run.stdout()).isEqualTo(plain.stdout());
    assertThat(run.stderr()).doesNotContain("internal error")
        .as("the start line names the SDK found on the class path").contains("; found: Bedrock SDK");
  }

  @Test
  void everyRequestTheFakeReceivedIsOneRowWithExactTokens() throws Exception {
    // 7 operations, two of them retried once (a 500 and a 429); 3 + 2 in the tool loops
    assertThat(exchanges).hasSize(14);
    assertThat(FakeExchanges.lakeKeys(duck))
        .containsExactlyInAnyOrderElementsOf(FakeExchanges.keys(exchanges));
    try (Statement st = duck.createStatement(); ResultSet rs = st.executeQuery(
        "SELECT count(*), count(DISTINCT call_id), count(request_model),"
            + " count(*) FILTER (WHERE provider = 'aws.bedrock'),"
            + " count(*) FILTER (WHERE streaming AND output_tokens > 0),"
            + " count(*) FILTER (WHERE cache_write_tokens > 0) FROM calls WHERE kind = 'model'")) {
      rs.next();
      assertThat(rs.getLong(1)).isEqualTo(14);
      assertThat(rs.getLong(2)).as("one logical call per SDK operation").isEqualTo(12);
      assertThat(rs.getLong(3)).as("no NULL request_model").isEqualTo(14);
      assertThat(rs.getLong(4)).isEqualTo(14);
      assertThat(rs.getLong(5)).as("the ConverseStreams, usage from their metadata event")
          .isEqualTo(3);
      assertThat(rs.getLong(6)).as("the cached system prompt").isEqualTo(1);
    }
  }

  @Test
  void theSdksRetriesAreAttemptsOfOneCall() throws Exception {
    try (Statement st = duck.createStatement(); ResultSet rs = st.executeQuery(
        "SELECT list(http_status ORDER BY attempt), count(DISTINCT request_model),"
            + " min(request_model)"
            + " FROM calls WHERE call_id IN (SELECT call_id FROM calls WHERE http_status >= 400)"
            + " GROUP BY call_id ORDER BY min(start_time)")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getString(1)).as("sync, Apache: a 500 retried").isEqualTo("[500, 200]");
      assertThat(rs.getLong(2)).as("both attempts keep the model").isEqualTo(1);
      assertThat(rs.getString(3)).isEqualTo(HAIKU);
      assertThat(rs.next()).isTrue();
      assertThat(rs.getString(1)).as("async, Netty: a throttle retried").isEqualTo("[429, 200]");
      assertThat(rs.getLong(2)).isEqualTo(1);
      assertThat(rs.getString(3)).isEqualTo(HAIKU);
      assertThat(rs.next()).isFalse();
    }
  }

  @Test
  void workflowsAreNamedWithTheirModelAndCostWhatTheListPricesSay() throws Exception {
    List<String> names = new ArrayList<>();
    try (Statement st = duck.createStatement(); ResultSet rs = st.executeQuery(
        "SELECT workflow_name, calls FROM workflows_latest ORDER BY start_time")) {
      while (rs.next()) {
        names.add(rs.getString(1) + "/" + rs.getLong(2));
      }
    }
    String haiku = "bedrock-app:chat " + HAIKU;
    assertThat(names).containsExactly(
        haiku + "/1", haiku + "/1", "bedrock-app:chat amazon.nova-lite-v1:0/1",
        "bedrock-app:chat anthropic.claude-sonnet-4-5-20250929-v1:0/1",
        "bedrock-app:chat arn:aws:bedrock:us-east-1:123456789012:inference-profile/" + HAIKU + "/1",
        haiku + "/1", haiku + "/1",
        "claim-review/5", // three model calls and the two tools the app ran
        // no workflow of the app's: each model call is its own implicit workflow, and the tool
        // row lands in the one of the request that answered it
        haiku + "/1", haiku + "/2");
    HandPrices.Checked checked = HandPrices.checkPricedAttempts(duck);
    // every 200 (the 500 and the 429 carry no usage): 7 operations and 5 tool-loop requests
    assertThat(checked.rows()).isEqualTo(12);
    assertThat(r.decimal("SELECT sum(cost_usd) FROM workflows_latest"))
        .isEqualByComparingTo(checked.total());
    // the cache write, by hand: (inputTokens × 1.10 + cacheWrite × 1.375 + output × 5.50) / 1e6
    FakeExchanges.Expected cached = exchanges.stream()
        .filter(e -> e.cacheWrite() != null && e.cacheWrite() > 0).findFirst().orElseThrow();
    BigDecimal byHand = BigDecimal.valueOf(cached.input() - cached.cacheWrite())
        .multiply(new BigDecimal("1.10"))
        .add(BigDecimal.valueOf(cached.cacheWrite()).multiply(new BigDecimal("1.375")))
        .add(BigDecimal.valueOf(cached.output()).multiply(new BigDecimal("5.50")))
        .divide(BigDecimal.valueOf(1_000_000));
    assertThat(r.decimal("SELECT cost_usd FROM calls WHERE cache_write_tokens > 0"))
        .isEqualByComparingTo(byHand);
  }

  @Test
  void everyToolTheAppRanIsOneToolRowBetweenTheAnswerThatAskedAndTheRequestThatAnswered()
      throws Exception {
    List<String> rows = new ArrayList<>();
    List<Timestamp[]> tools = new ArrayList<>();
    try (Statement st = duck.createStatement(); ResultSet rs = st.executeQuery(
        "SELECT c.tool_name, c.status, c.error_type, w.workflow_name, c.start_time, c.end_time,"
            + " c.cost_usd FROM calls c JOIN workflows_latest w USING (workflow_id)"
            + " WHERE c.kind = 'tool' ORDER BY c.start_time")) {
      while (rs.next()) {
        rows.add(rs.getString(1) + "/" + rs.getString(2) + "/" + rs.getString(3) + "/"
            + rs.getString(4).replace(HAIKU, "haiku"));
        tools.add(new Timestamp[] {rs.getTimestamp(5), rs.getTimestamp(6)});
        assertThat(rs.getBigDecimal(7)).as("a tool row costs nothing").isEqualByComparingTo("0");
      }
    }
    // the app ran three tools: each exactly one row, the one whose result was an error failed
    assertThat(rows).containsExactly(
        "lookupPolicy/ok/null/claim-review",
        "checkFraud/error/tool_error/claim-review",
        "lookupPolicy/ok/null/bedrock-app:chat haiku");
    // each lies between the model call that asked (its end) and the one that answered (its start)
    List<Timestamp[]> models = new ArrayList<>();
    try (Statement st = duck.createStatement(); ResultSet rs = st.executeQuery(
        "SELECT min(start_time), max(end_time) FROM calls WHERE kind = 'model'"
            + " AND start_time >= (SELECT min(start_time) FROM calls WHERE kind = 'tool')"
            + " - INTERVAL 30 SECOND GROUP BY call_id ORDER BY 1")) {
      while (rs.next()) {
        models.add(new Timestamp[] {rs.getTimestamp(1), rs.getTimestamp(2)});
      }
    }
    for (Timestamp[] tool : tools) {
      Timestamp[] asked = models.stream().filter(m -> !m[1].after(tool[0]))
          .reduce((a, b) -> b).orElseThrow();
      Timestamp[] answered = models.stream().filter(m -> !m[0].before(tool[1]))
          .findFirst().orElseThrow();
      assertThat(tool[1]).as("a plausible duration").isAfterOrEqualTo(tool[0]);
      assertThat(Duration.between(asked[1].toInstant(), tool[0].toInstant()))
          .as("starts when the answer asking for it was read").isLessThan(Duration.ofSeconds(5));
      assertThat(Duration.between(tool[1].toInstant(), answered[0].toInstant()))
          .as("ends when the request answering it is sent").isLessThan(Duration.ofSeconds(5));
    }
  }
}
