package io.flowcost.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The official Anthropic Java SDK 3.x ({@code examples/sdk3-app}: a plain message, a retried 429,
 * a 500 on every attempt, a stream) under the agent against the fake provider. SDK 3 made {@code
 * HttpRequest.body()} an {@code Optional}; every row must still carry its requested model — the
 * failed attempts included — and every implicit workflow be named {@code <service>:chat <model>}.
 * {@link SdkEndToEndTest} runs the 2.x SDK.
 */
class Anthropic3EndToEndTest extends OneRunEndToEnd {

  private static final String MODEL = "claude-sonnet-4-5";

  static Path sdk3AppJar() {
    Path jar = ChildJvm.repoRoot().resolve("examples/sdk3-app/target/flowcost-sdk3-app.jar");
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(jar + " is missing: build with 'mvn -B verify'");
    }
    return jar;
  }

  @Override
  AgentRun.Builder agentRun() throws Exception {
    return AgentRun.builder("sdk3")
        .jar(sdk3AppJar())
        .fakeProvider(base -> List.of("--provider-url", base))
        .service("sdk3-app")
        .withoutAgentToo();
  }

  @Test
  void theAppDoesTheSameWithTheAgent() {
    assertThat(plain.exitCode()).as(plain.stderr()).isZero();
    assertThat(plain.stdout().lines()).hasSize(4);
    assertThat(plain.stdout()).contains("3 failed 500");
    assertThat(run.stdout()).isEqualTo(plain.stdout());
  }

  @Test
  void everyExchangeIsOneRowWithItsRequestedModel() throws Exception {
    // plain; 429 + retry; 500 + 500; stream
    assertThat(exchanges).hasSize(6);
    assertThat(FakeExchanges.lakeKeys(duck))
        .containsExactlyInAnyOrderElementsOf(FakeExchanges.keys(exchanges));
    try (Statement st = duck.createStatement(); ResultSet rs = st.executeQuery(
        "SELECT count(*), count(request_model), count(*) FILTER (WHERE request_model = '" + MODEL
            + "') FROM calls")) {
      rs.next();
      assertThat(rs.getLong(1)).isEqualTo(6);
      assertThat(rs.getLong(2)).as("no NULL request_model").isEqualTo(6);
      assertThat(rs.getLong(3)).isEqualTo(6);
    }
  }

  @Test
  void theFailedCallKeepsItsModelOnBothAttempts() throws Exception {
    try (Statement st = duck.createStatement(); ResultSet rs = st.executeQuery(
        "SELECT list(attempt ORDER BY attempt), list(http_status ORDER BY attempt),"
            + " list(request_model ORDER BY attempt), bool_or(unpriced)"
            + " FROM calls WHERE call_id IN (SELECT call_id FROM calls WHERE http_status >= 400)"
            + " GROUP BY call_id ORDER BY min(start_time)")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getString(1)).as("the retried 429").isEqualTo("[1, 2]");
      assertThat(rs.getString(2)).isEqualTo("[429, 200]");
      assertThat(rs.getString(3)).isEqualTo("[" + MODEL + ", " + MODEL + "]");
      assertThat(rs.getBoolean(4)).isFalse();
      assertThat(rs.next()).isTrue();
      assertThat(rs.getString(1)).as("the 500 given up").isEqualTo("[1, 2]");
      assertThat(rs.getString(2)).isEqualTo("[500, 500]");
      assertThat(rs.getString(3)).isEqualTo("[" + MODEL + ", " + MODEL + "]");
      assertThat(rs.getBoolean(4)).isFalse();
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
    String name = "sdk3-app:chat " + MODEL;
    assertThat(names).containsExactly(name + "/1", name + "/1", name + "/1", name + "/1");
    HandPrices.Checked checked = HandPrices.checkPricedAttempts(duck);
    assertThat(checked.rows()).isEqualTo(3); // plain, the retry's 200, the stream
    assertThat(r.decimal("SELECT sum(cost_usd) FROM workflows_latest"))
        .isEqualByComparingTo(checked.total());
  }
}
