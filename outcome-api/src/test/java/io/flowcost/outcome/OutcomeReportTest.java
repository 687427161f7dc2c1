package io.flowcost.outcome;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.flowcost.outcome.CollectorStub.Received;
import io.flowcost.outcome.CollectorStub.Reply;
import io.flowcost.outcome.internal.Delivery;
import io.flowcost.outcome.internal.Settings;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class OutcomeReportTest {

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final String WORKFLOW_ID = "4bf92f3577b34da6a3ce929d0e0e4736";

  private CollectorStub collector;

  @BeforeEach
  void setUp() throws Exception {
    collector = new CollectorStub();
    Settings settings = new Settings(collector.endpoint() + "/", "billing", "key-123", Map.of());
    Flowcost.use(new Reporter(settings, new Delivery(settings, 100, Duration.ofMillis(50), 4)));
  }

  @AfterEach
  void tearDown() {
    collector.close();
  }

  @Test
  void sendsTheOutcomeContract() throws Exception {
    Instant reportedAt = Instant.parse("2026-11-24T10:15:30.123456Z");
    String outcomeId =
        Flowcost.outcome(WORKFLOW_ID.toUpperCase())
            .failure("wrong_answer")
            .value(new BigDecimal("129.90"))
            .unit("EUR")
            .reportedAt(reportedAt)
            .report();

    assertThat(Flowcost.flush(Duration.ofSeconds(5))).isTrue();
    Received request = collector.await(1, Duration.ofSeconds(5)).get(0);
    assertThat(request.method()).isEqualTo("POST");
    assertThat(request.path()).isEqualTo("/v1/outcomes");
    assertThat(request.header("Content-Type")).isEqualTo("application/json");
    assertThat(request.header("X-Flowcost-Api-Key")).isEqualTo("key-123");

    JsonNode body = MAPPER.readTree(request.body());
    assertThat(fieldNames(body))
        .containsExactlyInAnyOrder("workflow_id", "status", "reason", "value", "unit", "outcome_id", "reported_at");
    assertThat(body.get("workflow_id").asText()).isEqualTo(WORKFLOW_ID);
    assertThat(body.get("status").asText()).isEqualTo("failure");
    assertThat(body.get("reason").asText()).isEqualTo("wrong_answer");
    assertThat(body.get("value").isNumber()).isTrue();
    assertThat(body.get("value").decimalValue()).isEqualByComparingTo("129.90");
    assertThat(body.get("unit").asText()).isEqualTo("EUR");
    assertThat(body.get("outcome_id").asText()).isEqualTo(outcomeId);
    assertThat(UUID.fromString(outcomeId)).isNotNull();
    assertThat(Instant.parse(body.get("reported_at").asText())).isEqualTo(reportedAt);
  }

  @Test
  void reportsByExternalKeyWithDefaults() throws Exception {
    Instant before = Instant.now().minusSeconds(1);
    String first = Flowcost.outcomeForKey("order-4711").success().report();
    String second = Flowcost.outcomeForKey("order-4711").success().outcomeId("fixed-1").report();

    assertThat(Flowcost.flush(Duration.ofSeconds(5))).isTrue();
    List<Received> requests = collector.await(2, Duration.ofSeconds(5));
    JsonNode body = MAPPER.readTree(requests.get(0).body());
    assertThat(fieldNames(body)).containsExactlyInAnyOrder("external_key", "status", "outcome_id", "reported_at");
    assertThat(body.get("external_key").asText()).isEqualTo("order-4711");
    assertThat(body.get("status").asText()).isEqualTo("success");
    assertThat(body.get("outcome_id").asText()).isEqualTo(first);
    assertThat(Instant.parse(body.get("reported_at").asText())).isBetween(before, Instant.now());
    assertThat(MAPPER.readTree(requests.get(1).body()).get("outcome_id").asText()).isEqualTo("fixed-1").isEqualTo(second);
  }

  @Test
  void retriesA503AfterRetryAfterThenStops() throws Exception {
    collector.reply(new Reply(503, "1", 0));

    Flowcost.outcome(WORKFLOW_ID).success().report();

    assertThat(Flowcost.flush(Duration.ofSeconds(10))).isTrue();
    List<Received> requests = collector.received();
    assertThat(requests).hasSize(2);
    // Retry-After: 1 overrides the 50 ms backoff configured for this test.
    assertThat(Duration.ofNanos(requests.get(1).nanoTime() - requests.get(0).nanoTime()))
        .isGreaterThanOrEqualTo(Duration.ofMillis(950));
    // The retry is the same report: same outcome_id, so the collector stores it once.
    assertThat(requests.get(1).body()).isEqualTo(requests.get(0).body());
  }

  @Test
  void retriesWithBackoffOn429ThenSpoolsAfterMaxAttemptsAndSendsLater() throws Exception {
    collector.reply(new Reply(429, null, 0), new Reply(429, null, 0), new Reply(429, null, 0), new Reply(429, null, 0));

    String outcomeId = Flowcost.outcome(WORKFLOW_ID).success().report();

    // flush waits for the spool too while the collector answers
    assertThat(Flowcost.flush(Duration.ofSeconds(10))).isTrue();
    List<Received> requests = collector.received();
    assertThat(requests).hasSize(5); // maxAttempts (4) of this test's delivery, then from the spool
    assertThat(MAPPER.readTree(requests.get(4).body()).get("outcome_id").asText()).isEqualTo(outcomeId);
  }

  @Test
  void retriesConnectionErrorsUntilTheCollectorIsUp() throws Exception {
    int port = collector.port();
    collector.close(); // nothing listens on the port now
    Settings settings = new Settings("http://127.0.0.1:" + port, "billing", null, Map.of());
    Flowcost.use(new Reporter(settings, new Delivery(settings, 100, Duration.ofMillis(100), 8)));

    String outcomeId = Flowcost.outcome(WORKFLOW_ID).success().report();
    assertThat(Flowcost.flush(Duration.ofMillis(300))).isFalse(); // still retrying
    collector = new CollectorStub(port);

    assertThat(Flowcost.flush(Duration.ofSeconds(15))).isTrue();
    List<Received> requests = collector.received();
    assertThat(requests).hasSize(1);
    assertThat(MAPPER.readTree(requests.get(0).body()).get("outcome_id").asText()).isEqualTo(outcomeId);
  }

  @Test
  void doesNotRetryA400() throws Exception {
    collector.reply(new Reply(400, null, 0));

    Flowcost.outcome(WORKFLOW_ID).success().report();
    Flowcost.outcome(WORKFLOW_ID).failure(null).report();

    assertThat(Flowcost.flush(Duration.ofSeconds(5))).isTrue();
    List<Received> requests = collector.received();
    assertThat(requests).hasSize(2);
    assertThat(MAPPER.readTree(requests.get(0).body()).get("status").asText()).isEqualTo("success");
    assertThat(MAPPER.readTree(requests.get(1).body()).get("status").asText()).isEqualTo("failure");
  }

  @Test
  void flushWaitsForSlowDeliveriesAndTimesOut() throws Exception {
    collector.reply(new Reply(202, null, 600));
    Flowcost.outcome(WORKFLOW_ID).success().report();
    Flowcost.outcome(WORKFLOW_ID).success().report();

    long start = System.nanoTime();
    assertThat(Flowcost.flush(Duration.ofMillis(100))).isFalse();
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(550));

    assertThat(Flowcost.flush(Duration.ofSeconds(5))).isTrue();
    assertThat(collector.received()).hasSize(2);
  }

  @Test
  void reportReturnsAtOnceWhileTheCollectorIsSlow() {
    collector.reply(new Reply(202, null, 1000));
    long start = System.nanoTime();
    for (int i = 0; i < 20; i++) {
      Flowcost.outcome(WORKFLOW_ID).success().report();
    }
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(500));
  }

  @Test
  void rejectsBadArgumentsAtOnce() {
    assertThatThrownBy(() -> Flowcost.outcome("not-hex")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Flowcost.outcome("0".repeat(32))).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Flowcost.outcome("g" + WORKFLOW_ID.substring(1))).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Flowcost.outcomeForKey(" ")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Flowcost.outcome(WORKFLOW_ID).status(null)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Flowcost.outcome(WORKFLOW_ID).value(null)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Flowcost.outcome(WORKFLOW_ID).value(new BigDecimal("1e9"))).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Flowcost.outcome(WORKFLOW_ID).value(new BigDecimal("0.0000000001"))).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Flowcost.outcomeForKey("k".repeat(257))).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Flowcost.workflow(" ")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Flowcost.workflow("w").tag("k", null)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Flowcost.outcome(WORKFLOW_ID).report()).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> Flowcost.outcome(WORKFLOW_ID).reportedAt(java.time.Instant.MIN))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("2000-01-01");
    assertThatThrownBy(() -> Flowcost.outcome(WORKFLOW_ID)
        .reportedAt(java.time.Instant.parse("2200-01-01T00:00:00Z")))
        .isInstanceOf(IllegalArgumentException.class);
    Flowcost.outcome(WORKFLOW_ID).reportedAt(java.time.Instant.parse("2000-01-01T00:00:00Z"));
    assertThat(collector.received()).isEmpty();
  }

  @Test
  void escapesOddStringsSoTheyParseBack() throws Exception {
    StringBuilder odd = new StringBuilder("quote\" backslash\\ slash/ ");
    for (char c = 0; c < 0x20; c++) {
      odd.append(c);
    }
    odd.append('\u007f').append("\u2028\u2029 é 漢字 😀 \uFEFF end");

    Flowcost.outcomeForKey(odd.toString()).failure(odd.toString()).unit("µ").report();

    assertThat(Flowcost.flush(Duration.ofSeconds(5))).isTrue();
    String raw = collector.await(1, Duration.ofSeconds(5)).get(0).body();
    assertThat(raw.chars().filter(c -> c < 0x20)).isEmpty();
    JsonNode body = MAPPER.readTree(raw);
    assertThat(body.get("external_key").asText()).isEqualTo(odd.toString());
    assertThat(body.get("reason").asText()).isEqualTo(odd.toString());
    assertThat(body.get("unit").asText()).isEqualTo("µ");
  }

  private static Set<String> fieldNames(JsonNode node) {
    Set<String> names = new java.util.HashSet<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }
}
