package io.flowcost.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Failure waste made real: the demo's {@code --waste-scenarios} under the agent, where the fake
 * provider bills answers the app throws away (an output-guardrail reprompt, a structured-output
 * reprompt, a structured-output parse failure the app retries, a client time-out after the
 * provider answered) next to 429/500 failures the provider does not bill. Every figure is checked
 * against the fake's exchange log priced by hand.
 */
class WasteEndToEndTest extends OneRunEndToEnd {

  /** {@code WasteDesk.HASTY_MAX_TOKENS}: the output a time-out estimate bills. */
  static final long HASTY_MAX_TOKENS = 200;
  /** {@code WasteDesk.HASTY_MODEL}: the model of the request the client gave up on. */
  static final String HASTY_MODEL = "gpt-4o-mini-2024-07-18";

  /** The fake's exchanges as it logged them (all fields), in the order they were answered. */
  private List<JsonNode> answered;
  /** Hand-computed waste and its cause, per business key. */
  private final Map<String, BigDecimal> handWaste = new HashMap<>();
  private final Map<String, String> handCause = new HashMap<>();

  @Override
  AgentRun.Builder agentRun() {
    return DemoEndToEndTest.demoRun("waste", ChildJvm.demoJar(), "--waste-scenarios");
  }

  @BeforeAll
  void readTheExchangesAndComputeTheWasteByHand() throws Exception {
    answered = new ArrayList<>();
    new ObjectMapper().readTree(r.exchangesFile().toFile()).forEach(answered::add);
    answered.sort(Comparator.comparingLong(e -> e.path("sequence").asLong()));
    handComputeWaste();
  }

  /**
   * The script runs its workflows one after the other, so the first six answers are W1's
   * rejected and accepted ones, W2's unparseable and reprompted ones, W3's unparseable and
   * retried ones. Then W4's fallback and W5's 429 + 200 and 500 + 200 (retried after a back-off),
   * and somewhere among them the answer to W4's timed-out request, which the fake finished after
   * the client had given up: the only exchange of {@link #HASTY_MODEL}.
   */
  private void handComputeWaste() {
    assertThat(answered).hasSize(12);
    assertThat(answered).extracting(e -> e.path("http_status").asInt())
        .containsExactlyInAnyOrder(200, 200, 200, 200, 200, 200, 200, 429, 200, 500, 200, 200)
        .startsWith(200, 200, 200, 200, 200, 200);
    handWaste.put("WST-2001", billed(answered.get(0)));
    handCause.put("WST-2001", "discarded");
    handWaste.put("WST-2002", billed(answered.get(2)));
    handCause.put("WST-2002", "discarded");
    handWaste.put("WST-2003", billed(answered.get(4)));
    handCause.put("WST-2003", "failed_step");
    // the client never saw the usage: ⌈request bytes ÷ 4⌉ in, the request's max_tokens out
    handWaste.put("WST-2004", HandPrices.cost("gpt-4o-mini",
        (timedOut().path("request_bytes").asLong() + 3) / 4, 0, 0, 0, HASTY_MAX_TOKENS));
    handCause.put("WST-2004", "discarded");
    handWaste.put("WST-2005", BigDecimal.ZERO);
  }

  private JsonNode timedOut() {
    List<JsonNode> hasty =
        answered.stream().filter(e -> e.path("model").asText().equals(HASTY_MODEL)).toList();
    assertThat(hasty).hasSize(1);
    assertThat(hasty.get(0).path("http_status").asInt()).isEqualTo(200); // answered, billed
    return hasty.get(0);
  }

  private static BigDecimal billed(JsonNode exchange) {
    JsonNode u = exchange.path("usage");
    return HandPrices.cost("gpt-4o-mini", u.path("prompt_tokens").asLong(),
        u.path("prompt_tokens_details.cached_tokens").asLong(), 0, 0,
        u.path("completion_tokens").asLong());
  }

  @Test
  void eachDiscardedAnswerIsOneWastedCallCostingWhatTheProviderBilled() throws Exception {
    Map<String, List<String>> wastedByKey = new HashMap<>();
    try (Statement st = duck.createStatement(); ResultSet rs = st.executeQuery(
        "SELECT w.external_key, c.waste_cause, c.cost_usd, c.tokens_estimated, c.input_tokens,"
            + " c.output_tokens, c.status FROM calls c JOIN workflows_latest w USING (workflow_id)"
            + " WHERE c.wasted ORDER BY c.start_time")) {
      while (rs.next()) {
        String key = rs.getString(1);
        wastedByKey.computeIfAbsent(key, k -> new ArrayList<>()).add(rs.getString(2));
        assertThat(rs.getString(2)).as(key).isEqualTo(handCause.get(key));
        assertThat(rs.getBigDecimal(3)).as(key).isEqualByComparingTo(handWaste.get(key)).isPositive();
        boolean timeout = key.equals("WST-2004");
        assertThat(rs.getBoolean(4)).as(key + " tokens_estimated").isEqualTo(timeout);
        if (timeout) {
          assertThat(rs.getLong(5)).isEqualTo((timedOut().path("request_bytes").asLong() + 3) / 4);
          assertThat(rs.getLong(6)).isEqualTo(HASTY_MAX_TOKENS);
          assertThat(rs.getString(7)).isEqualTo("error"); // billed, and failed for the client
        }
      }
    }
    assertThat(wastedByKey).containsOnlyKeys("WST-2001", "WST-2002", "WST-2003", "WST-2004");
    assertThat(wastedByKey.values()).allSatisfy(causes -> assertThat(causes).hasSize(1));
  }

  @Test
  void unbilledFailuresCostNothingAndAreNotWaste() throws Exception {
    try (Statement st = duck.createStatement(); ResultSet rs = st.executeQuery(
        "SELECT http_status, cost_usd, wasted, waste_cause, tokens_estimated FROM calls"
            + " WHERE http_status >= 400 ORDER BY start_time")) {
      List<Integer> statuses = new ArrayList<>();
      while (rs.next()) {
        statuses.add(rs.getInt(1));
        assertThat(rs.getBigDecimal(2)).isEqualByComparingTo(BigDecimal.ZERO);
        assertThat(rs.getBoolean(3)).isFalse();
        assertThat(rs.getString(4)).isNull();
        assertThat(rs.getBoolean(5)).isFalse();
      }
      assertThat(statuses).containsExactly(429, 500);
    }
    assertThat(r.decimal("SELECT failure_waste_usd FROM workflows_latest WHERE external_key = 'WST-2005'"))
        .isEqualByComparingTo(BigDecimal.ZERO);
  }

  @Test
  void workflowWasteIsTheHandCostOfItsDiscardedAnswers() throws Exception {
    try (Statement st = duck.createStatement(); ResultSet rs = st.executeQuery(
        "SELECT external_key, outcome, cost_usd, call_waste_usd, failure_waste_usd,"
            + " estimated_calls, cost_complete FROM workflows_latest WHERE team = 'waste'")) {
      int n = 0;
      while (rs.next()) {
        n++;
        String key = rs.getString(1);
        assertThat(rs.getString(2)).as(key).isEqualTo("success");
        assertThat(rs.getBigDecimal(4)).as(key).isEqualByComparingTo(handWaste.get(key));
        assertThat(rs.getBigDecimal(5)).as(key).isEqualByComparingTo(handWaste.get(key));
        assertThat(rs.getBigDecimal(5)).as(key).isLessThan(rs.getBigDecimal(3)); // it succeeded
        assertThat(rs.getLong(6)).as(key).isEqualTo(key.equals("WST-2004") ? 1 : 0);
        assertThat(rs.getBoolean(7)).as(key).isTrue();
      }
      assertThat(n).isEqualTo(5);
    }
  }

  @Test
  void theMemoryIdOfAnAiServiceIsTheWorkflowsConversation() throws Exception {
    // advise-payout and grade-damage (WST-2002) call AI services whose first argument is the
    // claim id as @MemoryId; the other workflows' services have no memory
    Map<String, String> conversations = new java.util.TreeMap<>();
    try (Statement st = duck.createStatement(); ResultSet rs = st.executeQuery(
        "SELECT external_key, coalesce(conversation_id, '-') FROM workflows_latest"
            + " WHERE team = 'waste'")) {
      while (rs.next()) {
        conversations.put(rs.getString(1), rs.getString(2));
      }
    }
    assertThat(conversations).containsExactlyEntriesOf(new java.util.TreeMap<>(Map.of(
        "WST-2001", "WST-2001", "WST-2002", "WST-2002",
        "WST-2003", "-", "WST-2004", "-", "WST-2005", "-")));
  }

  @Test
  void groupWasteSumsItsWorkflowsAndCostPerSuccessCountsTheWaste() throws Exception {
    Map<String, BigDecimal> byIntent = Map.of(
        "advise-payout", handWaste.get("WST-2001"),
        "grade-damage", handWaste.get("WST-2002").add(handWaste.get("WST-2003")),
        "summarize-claim", handWaste.get("WST-2004"),
        "screen-fraud", BigDecimal.ZERO);
    for (Map.Entry<String, BigDecimal> e : byIntent.entrySet()) {
      String where = " FROM cost_per_outcome_latest WHERE team = 'waste' AND workflow_name = '"
          + e.getKey() + "'";
      assertThat(r.decimal("SELECT failure_waste_usd" + where)).as(e.getKey())
          .isEqualByComparingTo(e.getValue());
      // every workflow succeeded: the waste is inside the cost each success carries
      assertThat(r.decimal("SELECT cost_per_success_usd * successes - total_cost_usd" + where).abs())
          .as(e.getKey()).isLessThanOrEqualTo(new BigDecimal("0.000000001"));
    }
    BigDecimal total = handWaste.values().stream().reduce(BigDecimal.ZERO, BigDecimal::add);
    assertThat(r.decimal("SELECT sum(failure_waste_usd) FROM cost_per_outcome_latest"))
        .isEqualByComparingTo(total).isPositive();
    assertThat(r.decimal("SELECT sum(cost_usd) FILTER (WHERE wasted) FROM calls"))
        .isEqualByComparingTo(total);
  }

  @Test
  void noPromptAnswerOrRepromptTextIsStored() throws Exception {
    List<String> phrases = List.of(
        "stolen bicycle",                  // user message
        "OFF-POLICY",                      // the rejected answer
        "without promising any payout",    // the guardrail's reprompt
        "the answer promises",             // the guardrail's failure message
        "\"severity\"",                    // structured answers
        "flooded basement");               // the timed-out request
    List<Path> files;
    try (var walk = Files.walk(r.work())) {
      files = walk.filter(Files::isRegularFile)
          .filter(p -> !p.getFileName().toString().equals("exchanges.json")) // the fake's log
          .filter(p -> !p.getFileName().toString().startsWith("stdout"))     // the demo's output
          .toList();
    }
    assertThat(files).anySatisfy(p -> assertThat(p.toString()).contains("calls"));
    for (Path f : files) {
      String text = new String(Files.readAllBytes(f), java.nio.charset.StandardCharsets.ISO_8859_1);
      for (String phrase : phrases) {
        assertThat(text).as(f + " must not contain '" + phrase + "'").doesNotContain(phrase);
      }
    }
  }
}
