package io.flowcost.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Model calls without LangChain4j: {@code examples/sdk-app} under the agent, against the fake
 * provider in this JVM — the official OpenAI Java SDK (plain, streaming, a 429 the SDK retries,
 * embeddings, a call inside an outcome-api workflow, a 429 the asynchronous client retries on the
 * SDK's timer thread), the raw JDK {@code HttpClient} (sync, async streaming, a 429), Apache
 * HttpClient 5, the Vert.x web client and the official Anthropic Java SDK (a retried 429). The lake
 * must hold one row per exchange with the fake's tokens, each SDK retry as two attempts of one
 * call, and costs equal to the list prices written down by hand.
 */
class SdkEndToEndTest extends OneRunEndToEnd {

  static Path sdkAppJar() {
    Path jar = ChildJvm.repoRoot().resolve("examples/sdk-app/target/flowcost-sdk-app.jar");
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(jar + " is missing: build with 'mvn -B verify'");
    }
    return jar;
  }

  @Override
  AgentRun.Builder agentRun() throws Exception {
    return AgentRun.builder("sdk")
        .jar(sdkAppJar())
        .fakeProvider(base -> List.of("--provider-url", base))
        .service("sdk-app")
        .agentFlags(base -> List.of("-Dflowcost.llm-endpoints=" + base))
        .withoutAgentToo()
        .plainOutcomeSink();
  }

  @Test
  void theAppDoesTheSameWithTheAgent() {
    assertThat(plain.exitCode()).as(plain.stderr()).isZero();
    assertThat(plain.stdout().lines()).hasSize(12);
    assertThat(run.stdout()).isEqualTo(plain.stdout());
  }

  @Test
  void everyExchangeIsOneRowWithTheTokensTheFakeSent() throws Exception {
    List<String> expected = FakeExchanges.keys(exchanges);
    List<String> actual = FakeExchanges.lakeKeys(duck);
    // SDK: plain, stream, 429 + retry, embeddings, in a workflow; JDK: sync, async stream, 429;
    // SDK async: 429 + retry (on the SDK's timer thread); Apache HttpClient 5; Vert.x web client;
    // the Anthropic SDK: 429 + retry
    assertThat(exchanges).hasSize(15);
    assertThat(actual).containsExactlyInAnyOrderElementsOf(expected);
  }

  @Test
  void theSdkRetryIsOneCallWithTwoAttemptsAndTheRawFailureACallOfItsOwn() throws Exception {
    try (Statement st = duck.createStatement(); ResultSet rs = st.executeQuery(
        "SELECT list(attempt ORDER BY attempt), list(http_status ORDER BY attempt),"
            + " list(cost_usd ORDER BY attempt), bool_or(unpriced)"
            + " FROM calls WHERE call_id IN (SELECT call_id FROM calls WHERE http_status >= 400)"
            + " GROUP BY call_id ORDER BY min(start_time)")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getString(1)).isEqualTo("[1, 2]");
      assertThat(rs.getString(2)).isEqualTo("[429, 200]");
      assertThat(rs.getString(3)).startsWith("[0.000000000, ").doesNotContain("NULL");
      assertThat(rs.getBoolean(4)).isFalse();
      assertThat(rs.next()).isTrue();
      assertThat(rs.getString(1)).isEqualTo("[1]");
      assertThat(rs.getString(2)).isEqualTo("[429]");
      assertThat(rs.getString(3)).isEqualTo("[0.000000000]");
      assertThat(rs.next()).isTrue();
      assertThat(rs.getString(1)).as("the async SDK retry").isEqualTo("[1, 2]");
      assertThat(rs.getString(2)).isEqualTo("[429, 200]");
      assertThat(rs.getString(3)).startsWith("[0.000000000, ").doesNotContain("NULL");
      assertThat(rs.next()).isTrue();
      assertThat(rs.getString(1)).as("the Anthropic SDK retry").isEqualTo("[1, 2]");
      assertThat(rs.getString(2)).isEqualTo("[429, 200]");
      assertThat(rs.getString(3)).startsWith("[0.000000000, ").doesNotContain("NULL");
      assertThat(rs.next()).isFalse();
    }
  }

  @Test
  void everyCallCostsWhatTheListPricesSay() throws Exception {
    HandPrices.Checked checked = HandPrices.checkPricedAttempts(duck);
    BigDecimal handTotal = checked.total();
    int priced = checked.rows();
    assertThat(priced).isEqualTo(11); // 15 exchanges − 4 rate-limited attempts without usage
    assertThat(r.decimal("SELECT sum(cost_usd) FROM calls")).isEqualByComparingTo(handTotal);
    assertThat(r.decimal("SELECT sum(cost_usd) FROM workflows_latest"))
        .isEqualByComparingTo(handTotal);
  }

  @Test
  void bareCallsOpenImplicitWorkflowsAndTheApiWorkflowKeepsItsCallAndTags() throws Exception {
    List<String> names = new ArrayList<>();
    try (Statement st = duck.createStatement(); ResultSet rs = st.executeQuery(
        "SELECT workflow_name, calls, team FROM workflows_latest ORDER BY start_time")) {
      while (rs.next()) {
        names.add(rs.getString(1) + "/" + rs.getLong(2) + "/" + rs.getString(3));
      }
    }
    assertThat(names).containsExactly(
        "sdk-app:chat gpt-4o-mini/1/null",
        "sdk-app:chat gpt-4.1/1/null",
        "sdk-app:chat gpt-4o-mini/1/null",
        "sdk-app:embeddings text-embedding-3-small/1/null",
        "sdk-answer/1/sdk",
        "sdk-app:chat gpt-4o-mini/1/null",
        "sdk-app:chat gpt-4.1/1/null",
        "sdk-app:chat gpt-4o-mini/1/null",
        "sdk-app:chat gpt-4.1/1/null",
        "sdk-app:chat gpt-4o-mini/1/null",
        "sdk-app:chat gpt-4.1/1/null",
        "sdk-app:chat claude-sonnet-4-5/1/null");
  }}
