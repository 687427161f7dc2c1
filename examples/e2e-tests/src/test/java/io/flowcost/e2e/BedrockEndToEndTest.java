package io.flowcost.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.flowcost.collector.Collector;
import io.flowcost.collector.rollup.LakeViews;
import io.flowcost.examples.fakeprovider.FakeProvider;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The AWS SDK v2 Bedrock Runtime client ({@code examples/bedrock-app}, SDK 2.59.1) under the agent
 * against the fake provider's Bedrock wire: Converse on the synchronous client over Apache
 * HttpClient 4 (a cached system prompt; a 500 the SDK retries) and over {@code HttpURLConnection},
 * InvokeModel with an Anthropic body, and on the asynchronous Netty client a Converse by
 * inference-profile ARN, a ConverseStream (binary event stream) and a throttle the SDK retries.
 * The lake must hold one row per request the fake received (the Apache 4 unit below the SDK
 * records nothing of its own), tokens exactly as sent, costs to the nano-dollar from hand prices,
 * one logical call per SDK operation whose attempts are the SDK's retries; and the app must print
 * the same with and without the agent.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BedrockEndToEndTest {

  private static final String HAIKU = "us.anthropic.claude-haiku-4-5-20251001-v1:0";

  private Path work;
  private ChildJvm.Result run;
  private ChildJvm.Result plain;
  private Connection duck;
  private List<FakeExchanges.Expected> exchanges;

  static Path bedrockAppJar() {
    Path jar = ChildJvm.repoRoot().resolve("examples/bedrock-app/target/flowcost-bedrock-app.jar");
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(jar + " is missing: build with 'mvn -B verify'");
    }
    return jar;
  }

  @BeforeAll
  void runTheAppUnderTheAgent() throws Exception {
    work = Files.createTempDirectory("flowcost-e2e-bedrock");
    Path lake = work.resolve("lake");
    Path exchangesFile = work.resolve("exchanges.json");
    try (FakeProvider fake = FakeProvider.start()) {
      String base = "http://127.0.0.1:" + fake.port();
      plain = ChildJvm.run(ChildJvm.java17(), List.of(), bedrockAppJar(),
          List.of("--provider-url", base), work, 120);
      fake.reset();
      Collector collector = Collector.start(Collector.Config.builder()
          .port(0)
          .localLake(lake)
          .dataDir(work.resolve("data"))
          .flushInterval(Duration.ofSeconds(2))
          .rollupDelay(Duration.ofHours(1))
          .maxBodyBytes(16L << 20)
          .maxBufferedRows(1_000_000)
          .instanceId("e2e-bedrock")
          .build());
      try {
        run = ChildJvm.run(ChildJvm.java17(), List.of(
                "-javaagent:" + ChildJvm.agentJar(),
                "-Dflowcost.endpoint=http://127.0.0.1:" + collector.port(),
                "-Dflowcost.service=bedrock-app",
                "-Dflowcost.spool.dir=" + work.resolve("spool")),
            bedrockAppJar(), List.of("--provider-url", base), work, 120);
      } finally {
        collector.close();
      }
      fake.writeExchanges(exchangesFile);
    }
    assertThat(run.exitCode()).as(run.stderr()).isZero();
    exchanges = FakeExchanges.read(exchangesFile);
    duck = DriverManager.getConnection("jdbc:duckdb:");
    LakeViews.install(duck, lake, 7);
  }

  @AfterAll
  void close() throws Exception {
    if (duck != null) {
      duck.close();
    }
  }

  @Test
  void theAppDoesTheSameWithTheAgent() {
    assertThat(plain.exitCode()).as(plain.stderr()).isZero();
    assertThat(plain.stdout().lines()).hasSize(7);
    assertThat(plain.stdout()).contains("6 stream ").contains("end_turn in=");
    assertThat(run.stdout()).isEqualTo(plain.stdout());
    assertThat(run.stderr()).doesNotContain("internal error");
  }

  @Test
  void everyRequestTheFakeReceivedIsOneRowWithExactTokens() throws Exception {
    // 7 operations, two of them retried once (a 500 and a 429)
    assertThat(exchanges).hasSize(9);
    assertThat(FakeExchanges.lakeKeys(duck))
        .containsExactlyInAnyOrderElementsOf(FakeExchanges.keys(exchanges));
    try (Statement st = duck.createStatement(); ResultSet rs = st.executeQuery(
        "SELECT count(*), count(DISTINCT call_id), count(request_model),"
            + " count(*) FILTER (WHERE provider = 'aws.bedrock'),"
            + " count(*) FILTER (WHERE streaming AND output_tokens > 0),"
            + " count(*) FILTER (WHERE cache_write_tokens > 0) FROM calls")) {
      rs.next();
      assertThat(rs.getLong(1)).isEqualTo(9);
      assertThat(rs.getLong(2)).as("one logical call per SDK operation").isEqualTo(7);
      assertThat(rs.getLong(3)).as("no NULL request_model").isEqualTo(9);
      assertThat(rs.getLong(4)).isEqualTo(9);
      assertThat(rs.getLong(5)).as("the ConverseStream, usage from its metadata event")
          .isEqualTo(1);
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
    assertThat(names).hasSize(7).allMatch(n -> n.startsWith("bedrock-app:chat ") && n.endsWith("/1"));
    assertThat(names).contains("bedrock-app:chat amazon.nova-lite-v1:0/1",
        "bedrock-app:chat anthropic.claude-sonnet-4-5-20250929-v1:0/1");
    HandPrices.Checked checked = HandPrices.checkPricedAttempts(duck);
    assertThat(checked.rows()).isEqualTo(7); // every 200; the 500 and the 429 carry no usage
    assertThat(decimal("SELECT sum(cost_usd) FROM workflows_latest"))
        .isEqualByComparingTo(checked.total());
    // the cache write, by hand: (inputTokens × 1.10 + cacheWrite × 1.375 + output × 5.50) / 1e6
    FakeExchanges.Expected cached = exchanges.stream()
        .filter(e -> e.cacheWrite() != null && e.cacheWrite() > 0).findFirst().orElseThrow();
    BigDecimal byHand = BigDecimal.valueOf(cached.input() - cached.cacheWrite())
        .multiply(new BigDecimal("1.10"))
        .add(BigDecimal.valueOf(cached.cacheWrite()).multiply(new BigDecimal("1.375")))
        .add(BigDecimal.valueOf(cached.output()).multiply(new BigDecimal("5.50")))
        .divide(BigDecimal.valueOf(1_000_000));
    assertThat(decimal("SELECT cost_usd FROM calls WHERE cache_write_tokens > 0"))
        .isEqualByComparingTo(byHand);
  }

  private BigDecimal decimal(String sql) throws Exception {
    try (Statement st = duck.createStatement(); ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getBigDecimal(1);
    }
  }
}
