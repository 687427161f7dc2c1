package io.flowcost.collector.budget;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.flowcost.collector.Collector;
import io.flowcost.collector.TestCollectors;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An embedded collector with a local webhook: a runaway workflow alerts once while it is still
 * running (its intent's baseline rebuilt from the lake after a restart), every cap breach alerts once per workflow and cap, and spend of a running workflow
 * counts toward its owner's budget and {@code /metrics} when its calls arrive, without double
 * counting when its root span comes, and across a restart.
 */
class LiveAlertsTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tmp;
  private final HttpClient http = HttpClient.newHttpClient();
  private final Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
  private final Clock clock = Clock.fixed(now, ZoneOffset.UTC);
  private Collector collector;
  private WebhookReceiver hook;

  @AfterEach
  void stop() throws Exception {
    if (collector != null) {
      collector.close();
    }
    if (hook != null) {
      hook.close();
    }
  }

  private Collector start(Path budgets) throws Exception {
    Path lake = tmp.resolve("lake");
    return Collector.start(TestCollectors.config(lake, tmp.resolve("data"), "live-alerts-test")
        .maxBodyBytes(1 << 20)
        .build(),
        new Collector.Live(budgets, List.of(hook.url()), null, Duration.ofSeconds(15), clock));
  }

  /** Span ids: 14 hex digits of {@code n}, then 2 of {@code k}. */
  private static String id(int n, int k) {
    return String.format("%014x%02x", n, k);
  }

  @Test
  void aRunawayWorkflowAlertsOnceWhileItIsStillRunning() throws Exception {
    hook = new WebhookReceiver();
    collector = start(null);
    // 20 finished workflows of intent "answer", one $0.45 call each: p99 = $0.45 and 1 call
    for (int i = 1; i <= 20; i++) {
      String wf = String.format("d%03d", i);
      post(Otlp.namedCall(now, wf, id(i, 1), "payments"));
      post(Otlp.root(now, wf, id(i, 0), "payments"));
    }
    assertThat(collector.live().runaway().running()).isZero();
    collector.live().tick();
    // a restart: the baseline is rebuilt from the lake's finished workflows
    collector.close();
    collector = start(null);

    // a workflow that keeps calling: 3 calls ($1.35) is 3x the p99, not more; the 4th is
    String run = "e1";
    for (int k = 1; k <= 3; k++) {
      post(Otlp.namedCall(now, run, id(100, k), "payments"));
      collector.live().tick();
    }
    quiet();
    assertThat(runaways()).isEmpty();
    post(Otlp.namedCall(now, run, id(100, 4), "payments"));
    collector.live().tick();
    List<String> bodies = hook.await(1, Duration.ofSeconds(20));
    List<JsonNode> alerts = runaways();
    assertThat(alerts).hasSize(1);
    JsonNode a = alerts.get(0);
    String wfId = Otlp.traceId(run);
    assertThat(a.get("who").asText()).isEqualTo("workflow " + wfId + " (intent answer)");
    assertThat(a.get("amount_usd").asText()).isEqualTo("1.800000000"); // 4 x $0.45
    assertThat(a.get("since").asText()).isEqualTo(now.toString());
    assertThat(a.get("fields").get("p99_usd").asText()).isEqualTo("0.450000000");
    assertThat(a.get("fields").get("calls").asText()).isEqualTo("4");
    assertThat(a.get("fields").get("trigger").asText()).isEqualTo("spend,calls");
    assertThat(a.get("fields").get("baseline_workflows").asText()).isEqualTo("20");
    assertThat(a.get("dedup_key").asText()).isEqualTo("runaway|" + wfId);
    // its root has not arrived: the alert came while it was running
    assertThat(collector.live().runaway().spendOf(wfId))
        .isEqualTo(SpendLedger.nanos(new BigDecimal("1.80")));

    // it keeps running: no second alert; then it ends
    for (int k = 5; k <= 8; k++) {
      post(Otlp.namedCall(now, run, id(100, k), "payments"));
      collector.live().tick();
    }
    post(Otlp.root(now, run, id(100, 0), "payments"));
    collector.live().tick();
    quiet();
    assertThat(runaways()).hasSize(1);
    assertThat(hook.bodies()).hasSameSizeAs(bodies);
    assertThat(collector.live().runaway().running()).isZero();
  }

  @Test
  void everyCapBreachAlertsOncePerWorkflowAndCap() throws Exception {
    hook = new WebhookReceiver();
    collector = start(null);
    post(Otlp.namedCall(now, "f1", id(1, 1), "payments"));
    post(Otlp.breach(now, "f1", id(1, 2), "max-cost-usd", "0.50", "0.45", "USD"));
    // a resend of the same span, and a second breach span of the same cap: no new alert
    post(Otlp.breach(now, "f1", id(1, 2), "max-cost-usd", "0.50", "0.45", "USD"));
    post(Otlp.breach(now, "f1", id(1, 3), "max-cost-usd", "0.50", "0.90", "USD"));
    // another cap of the same workflow, and the same cap of another workflow: one each
    post(Otlp.breach(now, "f1", id(1, 4), "max-model-calls", "3", "3", "calls"));
    post(Otlp.breach(now, "f2", id(2, 2), "max-cost-usd", "0.50", "0.60", "USD"));
    collector.live().tick();
    collector.live().tick();
    hook.await(3, Duration.ofSeconds(20));
    quiet();
    List<JsonNode> alerts = new ArrayList<>();
    for (String b : hook.bodies()) {
      alerts.add(JSON.readTree(b));
    }
    assertThat(alerts).hasSize(3);
    assertThat(alerts).allSatisfy(a -> assertThat(a.get("kind").asText()).isEqualTo("cap_breach"));
    String f1 = Otlp.traceId("f1");
    JsonNode cost = alerts.stream().filter(a -> a.get("dedup_key").asText()
        .equals("cap|" + f1 + "|max-cost-usd")).findFirst().orElseThrow();
    assertThat(cost.get("who").asText()).isEqualTo("workflow " + f1 + " (answer)");
    assertThat(cost.get("amount_usd").asText()).isEqualTo("0.45");
    assertThat(cost.get("what").asText()).isEqualTo("workflow " + f1 + " (answer) crossed its"
        + " max-cost-usd cap of 0.50 USD at 0.45 USD; the call was refused (enforce)");
    assertThat(cost.get("fields").get("enforced").asText()).isEqualTo("true");
    assertThat(cost.get("fields").get("service").asText()).isEqualTo("bot");
    // a calls cap's amount: the workflow's spend the collector has seen ($0.45, its one call)
    JsonNode calls = alerts.stream().filter(a -> a.get("dedup_key").asText()
        .equals("cap|" + f1 + "|max-model-calls")).findFirst().orElseThrow();
    assertThat(calls.get("amount_usd").asText()).isEqualTo("0.450000000");
    assertThat(calls.get("fields").get("model_calls").asText()).isEqualTo("3");
    assertThat(alerts).anySatisfy(a -> assertThat(a.get("dedup_key").asText())
        .isEqualTo("cap|" + Otlp.traceId("f2") + "|max-cost-usd"));

    // a restart replays nothing new and sends nothing again
    collector.close();
    collector = start(null);
    post(Otlp.breach(now, "f1", id(1, 5), "max-model-calls", "3", "4", "calls"));
    collector.live().tick();
    quiet();
    assertThat(hook.bodies()).hasSize(3);
  }

  @Test
  void aRunningWorkflowCountsTowardItsBudgetWhenItsCallsArrive() throws Exception {
    hook = new WebhookReceiver();
    Path budgets = tmp.resolve("budgets.txt");
    Files.writeString(budgets, "team=payments month hard=10\n");
    collector = start(budgets);

    // no root span yet: the call names its workflow and team, so it counts at once
    post(Otlp.namedCall(now, "a1", id(1, 1), "payments"));
    assertThat(spend()).isEqualByComparingTo("0.45");
    assertThat(collector.live().ledger().pendingWorkflows()).isZero();
    String labels = "{intent=\"answer\",team=\"payments\",service=\"bot\"} ";
    assertThat(metric("flowcost_intent_spend_usd_total" + labels)).isCloseTo(0.45, within(1e-9));
    post(Otlp.namedCall(now, "a1", id(1, 2), "payments"));
    post(Otlp.namedCall(now, "a1", id(1, 2), "payments")); // a resend
    assertThat(spend()).isEqualByComparingTo("0.90");
    // the root arrives: nothing is counted twice
    post(Otlp.root(now, "a1", id(1, 0), "payments"));
    assertThat(spend()).isEqualByComparingTo("0.90");
    assertThat(metric("flowcost_intent_spend_usd_total" + labels)).isCloseTo(0.90, within(1e-9));
    assertThat(metric("flowcost_workflows_total" + labels)).isCloseTo(1, within(1e-9));

    // a second workflow still running when the collector restarts
    post(Otlp.namedCall(now, "b1", id(2, 1), "payments"));
    assertThat(spend()).isEqualByComparingTo("1.35");
    collector.close();
    collector = start(budgets);
    // rebuilt from the lake: a1 (root known) at once; b1's call waits for its workflow's owner
    assertThat(spend()).isEqualByComparingTo("0.90");
    assertThat(collector.live().ledger().pendingWorkflows()).isEqualTo(1);
    // b1's next call names it again: its earlier call is credited with it, once
    post(Otlp.namedCall(now, "b1", id(2, 2), "payments"));
    assertThat(spend()).isEqualByComparingTo("1.80");
    post(Otlp.root(now, "b1", id(2, 0), "payments"));
    assertThat(spend()).isEqualByComparingTo("1.80");
    assertThat(collector.live().ledger().pendingWorkflows()).isZero();
  }

  /** Waits (bounded) until the sender has no delivery in flight. */
  private void quiet() throws InterruptedException {
    long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (collector.live().sender().queued() > 0 && System.nanoTime() < end) {
      Thread.sleep(20);
    }
    assertThat(collector.live().sender().queued()).isZero();
  }

  private List<JsonNode> runaways() throws Exception {
    List<JsonNode> out = new ArrayList<>();
    for (String b : hook.bodies()) {
      JsonNode n = JSON.readTree(b);
      if (n.get("kind").asText().equals("runaway")) {
        out.add(n);
      }
    }
    return out;
  }

  private BigDecimal spend() throws Exception {
    JsonNode b = JSON.readTree(get("/v1/budgets")).get("budgets").get(0);
    return new BigDecimal(b.get("spend_usd").asText());
  }

  private double metric(String prefix) throws Exception {
    return get("/metrics").lines().filter(l -> l.startsWith(prefix)).findFirst()
        .map(l -> Double.parseDouble(l.substring(prefix.length()).strip()))
        .orElseThrow(() -> new AssertionError("no " + prefix + " in /metrics"));
  }

  private void post(String body) throws Exception {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + collector.port() + "/v1/traces"))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(r.body()).doesNotContain("rejected");
  }

  private String get(String path) throws Exception {
    return http.send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + collector.port() + path)).GET().build(),
        HttpResponse.BodyHandlers.ofString()).body();
  }
}
