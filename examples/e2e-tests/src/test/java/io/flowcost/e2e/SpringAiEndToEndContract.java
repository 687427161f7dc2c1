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
 * A real Spring AI app under the agent against the fake provider, in one Spring context per run: a
 * {@code ChatClient} {@code call()}, a {@code stream()} without and one with {@code
 * stream_options.include_usage}, a {@code @Tool} loop, a two-turn chat-memory conversation and a
 * 500 retried (by Spring AI's {@code RetryTemplate} on 1.x, by the OpenAI SDK under Spring AI 2)
 * — seven user requests, nine provider requests — and, on Spring AI 2, a structured-output {@code
 * entity()} call in a second conversation. The lake is compared with the fake's exchange log, and
 * the app's output with a run without the agent. Subclasses name the app and the HTTP client
 * under it.
 */
abstract class SpringAiEndToEndContract extends OneRunEndToEnd {

  private static final String MODEL = "gpt-4o-mini";

  /** The app's fat jar. */
  abstract Path appJar();

  /** The app's arguments beside the provider's base URL (which HTTP client it runs on). */
  abstract List<String> appArgs();

  /** The base URL the OpenAI starter wants from the fake's {@code http://host:port/v1}. */
  abstract String baseUrl(String fakeV1);

  /** The app's line naming the HTTP clients Boot chose, or {@code null} when it prints none. */
  abstract String clientsLine();

  /** The name every workflow gets: the app code that made the {@code ChatClient} call. */
  abstract String workflowName();

  /** Whether the app ends with the structured-output {@code entity()} request (Spring AI 2). */
  abstract boolean entityRequest();

  static Path appJar(String module, String name) {
    Path jar = ChildJvm.repoRoot().resolve("examples/" + module + "/target/" + name);
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(jar + " is missing: build with 'mvn -B verify'");
    }
    return jar;
  }

  /** Provider requests (the fake's log): call, two streams, tool loop (2), memory (2), 500 + retry. */
  private int providerRequests() {
    return entityRequest() ? 10 : 9;
  }

  /** Logical model calls: every provider request but the failed attempt. */
  private int logicalCalls() {
    return providerRequests() - 1;
  }

  @Override
  AgentRun.Builder agentRun() throws Exception {
    // the run without the agent talks to a fake of its own, at the same time: one class, one wait
    return AgentRun.builder("spring-ai")
        .jar(appJar())
        .fakeProvider(base -> {
          List<String> args = new ArrayList<>(appArgs());
          args.add("--spring.ai.openai.base-url=" + baseUrl(base));
          return args;
        })
        .service("spring-ai-app")
        .agentFlags(base -> List.of("-Dflowcost.llm-endpoints=" + base))
        .withoutAgentToo();
  }

  @Test
  void theAppDoesTheSameWithTheAgent() {
    assertThat(plain.exitCode()).as(plain.stderr()).isZero();
    List<String> lines = plain.stdout().lines().toList();
    int clients = clientsLine() == null ? 0 : 1;
    assertThat(lines).hasSize(clients + (entityRequest() ? 7 : 6));
    if (clientsLine() != null) {
      assertThat(lines.get(0)).as("the HTTP clients Boot chose").isEqualTo(clientsLine());
    }
    assertThat(plain.stdout()).contains("4 tool ").contains("calls=1").contains("remembered=4")
        .contains("6 retried fake-reply");
    if (entityRequest()) {
      assertThat(lines.get(lines.size() - 1)).isEqualTo("7 entity Forecast[city=Oslo, celsius=4]");
    }
    assertThat(run.stdout()).isEqualTo(plain.stdout());
  }

  @Test
  void everyProviderRequestIsOneRowWithExactUsageWhereItWasReported() throws Exception {
    // call; stream; stream with usage; tool loop (2); memory (2); 500 + retry; entity (2.x)
    assertThat(exchanges).hasSize(providerRequests());
    List<String> lake = new ArrayList<>();
    try (Statement st = duck.createStatement(); ResultSet rs = st.executeQuery(
        "SELECT provider, request_model, http_status, streaming, tokens_estimated, input_tokens,"
            + " cache_read_tokens, cache_write_tokens, cache_write_1h_tokens, output_tokens,"
            + " reasoning_tokens FROM calls WHERE kind = 'model'")) {
      while (rs.next()) {
        boolean estimated = rs.getBoolean(5);
        lake.add(new FakeExchanges.Expected(rs.getString(1), rs.getString(2), rs.getInt(3),
            rs.getBoolean(4), estimated ? null : (Long) rs.getObject(6),
            estimated ? null : (Long) rs.getObject(7), estimated ? null : (Long) rs.getObject(8),
            estimated ? null : (Long) rs.getObject(9), estimated ? null : (Long) rs.getObject(10),
            estimated ? null : (Long) rs.getObject(11)).key());
      }
    }
    // an exchange without usage on the wire has NULL tokens in the log: the lake's estimate
    assertThat(lake).containsExactlyInAnyOrderElementsOf(FakeExchanges.keys(exchanges));
    assertThat(scalar("SELECT count(*) FROM calls WHERE kind = 'model' AND request_model IS NULL")).isZero();
    assertThat(scalar("SELECT count(*) FILTER (WHERE streaming) FROM calls WHERE kind = 'model'"))
        .as("both streams").isEqualTo(2);
  }

  @Test
  void theStreamWithoutUsageIsEstimatedAndPriced() throws Exception {
    FakeExchanges.Expected unreported = null;
    for (FakeExchanges.Expected e : exchanges) {
      if (e.input() == null && e.httpStatus() == 200) {
        assertThat(unreported).as("one exchange without usage").isNull();
        unreported = e;
      }
    }
    assertThat(unreported).isNotNull();
    assertThat(unreported.streaming()).isTrue();
    try (Statement st = duck.createStatement(); ResultSet rs = st.executeQuery(
        "SELECT input_tokens, output_tokens, unpriced, cost_usd FROM calls"
            + " WHERE kind = 'model' AND tokens_estimated")) {
      assertThat(rs.next()).isTrue();
      long in = rs.getLong(1);
      long out = rs.getLong(2);
      assertThat(rs.getBoolean(3)).as("estimated, so priced").isFalse();
      assertThat(rs.getBigDecimal(4)).isEqualByComparingTo(HandPrices.cost(MODEL, in, 0, 0, 0, out));
      assertThat(rs.next()).as("one estimate").isFalse();
    }
    // both streams send the same conversation marked [exact-usage]: the one with include_usage
    // reports what OpenAI's encoding counts, the figure the estimate is measured against
    try (Statement st = duck.createStatement(); ResultSet rs = st.executeQuery(
        "SELECT e.input_tokens, e.output_tokens, x.input_tokens, x.output_tokens FROM calls e,"
            + " calls x WHERE e.kind = 'model' AND e.tokens_estimated AND x.kind = 'model'"
            + " AND x.streaming AND NOT x.tokens_estimated")) {
      assertThat(rs.next()).isTrue();
      long in = rs.getLong(1);
      long out = rs.getLong(2);
      long exactIn = rs.getLong(3);
      long exactOut = rs.getLong(4);
      System.out.printf("spring-ai stream without usage: estimate input %d vs %d (%+.2f%%),"
              + " output %d vs %d (%+.2f%%)%n", in, exactIn, 100.0 * (in - exactIn) / exactIn,
          out, exactOut, 100.0 * (out - exactOut) / exactOut);
      assertThat((double) Math.abs(in - exactIn) / exactIn).as("input error").isLessThanOrEqualTo(0.05);
      assertThat((double) Math.abs(out - exactOut) / exactOut).as("output error")
          .isLessThanOrEqualTo(0.05);
      assertThat(rs.next()).isFalse();
    }
  }

  @Test
  void theRetried500IsOneCallOfTwoAttempts() throws Exception {
    try (Statement st = duck.createStatement(); ResultSet rs = st.executeQuery(
        "SELECT call_id, list(attempt ORDER BY attempt), list(http_status ORDER BY attempt)"
            + " FROM calls WHERE kind = 'model' GROUP BY call_id HAVING count(*) > 1")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getString(2)).isEqualTo("[1, 2]");
      assertThat(rs.getString(3)).isEqualTo("[500, 200]");
      assertThat(rs.next()).as("no other call has several attempts").isFalse();
    }
    assertThat(scalar("SELECT count(DISTINCT call_id) FROM calls WHERE kind = 'model'"))
        .isEqualTo(logicalCalls());
  }

  @Test
  void eachUserRequestIsOneWorkflowNamedAfterTheCodeThatMadeIt() throws Exception {
    List<String> workflows = new ArrayList<>();
    try (Statement st = duck.createStatement(); ResultSet rs = st.executeQuery(
        "SELECT workflow_name, calls, coalesce(conversation_id, '-') FROM workflows_latest"
            + " ORDER BY start_time")) {
      while (rs.next()) {
        workflows.add(rs.getString(1) + "/" + rs.getLong(2) + "/" + rs.getString(3));
      }
    }
    String name = workflowName();
    List<String> expected = new ArrayList<>(List.of(
        name + "/1/-", // call
        name + "/1/-", // stream without usage
        name + "/1/-", // stream with usage
        name + "/3/-", // tool loop: two model calls and the tool
        name + "/1/trip-42", // chat memory, first turn
        name + "/1/trip-42", // chat memory, second turn
        name + "/1/-")); // the retried 500: one call
    if (entityRequest()) {
      expected.add(name + "/1/forecast-7"); // entity(): the two-argument form, its conversation
    }
    assertThat(workflows).containsExactlyElementsOf(expected);
  }

  @Test
  void theToolExecutionIsAToolRowOfTheToolLoopsWorkflow() throws Exception {
    try (Statement st = duck.createStatement(); ResultSet rs = st.executeQuery(
        "SELECT t.tool_name, t.status, (SELECT count(*) FROM calls m WHERE m.kind = 'model'"
            + " AND m.workflow_id = t.workflow_id) FROM calls t WHERE t.kind = 'tool'")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getString(1)).isEqualTo("getWeather");
      assertThat(rs.getString(2)).isEqualTo("ok");
      assertThat(rs.getLong(3)).as("the loop's two model requests").isEqualTo(2);
      assertThat(rs.next()).isFalse();
    }
  }

  @Test
  void costsAreTheListPricesOfTheTokens() throws Exception {
    HandPrices.Checked checked = HandPrices.checkPricedAttempts(duck);
    // every answered exchange, the estimate included
    assertThat(checked.rows()).isEqualTo(logicalCalls());
    assertThat(r.decimal("SELECT sum(cost_usd) FROM workflows_latest"))
        .isEqualByComparingTo(checked.total());
  }

  private long scalar(String sql) throws Exception {
    try (Statement st = duck.createStatement(); ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

}
