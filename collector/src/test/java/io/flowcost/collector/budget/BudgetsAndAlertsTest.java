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
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An embedded collector with {@code --budgets} and {@code --alert-webhook}: spend per owner is
 * attributed through the workflow's root span (whichever arrives first), a resent span is not
 * counted twice, {@code /v1/budgets} serves the state with an ETag, the 80% and 100% alerts
 * reach a local webhook exactly once each, and a restart rebuilds the same spend from the lake
 * without sending an alert again.
 */
class BudgetsAndAlertsTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tmp;
  private final HttpClient http = HttpClient.newHttpClient();
  private Collector collector;
  private WebhookReceiver hook;
  // the clock of periods: the spans start at its instant, so the period can never roll mid-test
  private final Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
  private final Clock clock = Clock.fixed(now, ZoneOffset.UTC);

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
    return Collector.start(TestCollectors.config(lake, tmp.resolve("data"), "budget-test")
        .maxBodyBytes(1 << 20)
        .build(),
        new Collector.Live(budgets, List.of(hook.url()), null, Duration.ofSeconds(15), clock));
  }

  @Test
  void teamPastItsHardBudgetAlertsOnceEachAndARestartForgetsNothing() throws Exception {
    hook = new WebhookReceiver();
    Path budgets = tmp.resolve("budgets.txt");
    Files.writeString(budgets, """
        # payments may spend $1 a month, warn from $0.80
        team=payments month soft=0.80 hard=1.00
        team=search   day   hard=5
        """);
    collector = start(budgets);

    // gpt-4o-mini: $0.15/M input, $0.60/M output: 1M input + 0.5M output = 0.15 + 0.30 = $0.45
    // workflow A: its call arrives before its root span, so the cost waits for the root's tags
    post(call("a1", "1111111111111101"));
    assertThat(payments().get("spend_usd").asText()).isEqualTo("0.000000000");
    assertThat(collector.live().ledger().pendingWorkflows()).isEqualTo(1);
    post(root("a1", "1111111111111100", "payments"));
    assertThat(new BigDecimal(payments().get("spend_usd").asText()))
        .isEqualByComparingTo("0.45");
    assertThat(payments().get("state").asText()).isEqualTo("ok");
    collector.live().tick();

    // workflow B: root first; then a call; its resend (an agent retry) counts once
    post(root("b1", "2222222222222200", "payments"));
    post(call("b1", "2222222222222201"));
    post(call("b1", "2222222222222201"));
    JsonNode p = payments();
    assertThat(new BigDecimal(p.get("spend_usd").asText())).isEqualByComparingTo("0.90");
    assertThat(p.get("state").asText()).isEqualTo("soft");
    assertThat(p.get("soft_limit_usd").asText()).isEqualTo("0.80");
    assertThat(p.get("hard_limit_usd").asText()).isEqualTo("1.00");
    assertThat(p.get("period").asText()).isEqualTo("month");
    assertThat(p.get("period_id").asText()).isEqualTo(BudgetPeriod.MONTH.idOf(now));
    collector.live().tick();
    List<String> alerts = hook.await(1, Duration.ofSeconds(20));
    assertThat(alerts).hasSize(1);
    JsonNode a80 = JSON.readTree(alerts.get(0));
    assertThat(a80.get("kind").asText()).isEqualTo("budget_80");
    assertThat(a80.get("who").asText()).isEqualTo("team=payments");
    assertThat(a80.get("amount_usd").asText()).isEqualTo("0.900000000");
    assertThat(a80.get("since").asText()).isEqualTo(BudgetPeriod.MONTH.startOf(now).toString());
    assertThat(a80.get("fields").get("limit_usd").asText()).isEqualTo("1.00");
    assertThat(a80.get("what").asText()).contains("90.0% of its hard cap of $1.00");

    // a workflow of another team moves nothing of payments'
    post(root("c1", "3333333333333300", "search"));
    post(call("c1", "3333333333333301"));
    // workflow D crosses the hard cap: 1.35
    post(call("d1", "4444444444444401"));
    post(root("d1", "4444444444444400", "payments"));
    p = payments();
    assertThat(new BigDecimal(p.get("spend_usd").asText())).isEqualByComparingTo("1.35");
    assertThat(p.get("state").asText()).isEqualTo("hard");
    collector.live().tick();
    collector.live().tick();
    alerts = hook.await(2, Duration.ofSeconds(20));
    assertThat(alerts).hasSize(2);
    JsonNode a100 = JSON.readTree(alerts.get(1));
    assertThat(a100.get("kind").asText()).isEqualTo("budget_100");
    assertThat(a100.get("amount_usd").asText()).isEqualTo("1.350000000");

    // the ETag: an unchanged status is answered 304, a changed one gets a new tag
    HttpResponse<String> first = get("/v1/budgets", null);
    String etag = first.headers().firstValue("ETag").orElseThrow();
    assertThat(get("/v1/budgets", etag).statusCode()).isEqualTo(304);
    post(call("c1", "3333333333333302"));
    HttpResponse<String> changed = get("/v1/budgets", etag);
    assertThat(changed.statusCode()).isEqualTo(200);
    assertThat(changed.headers().firstValue("ETag").orElseThrow()).isNotEqualTo(etag);
    JsonNode search = JSON.readTree(changed.body()).get("budgets").get(1);
    assertThat(search.get("owner").asText()).isEqualTo("search");
    assertThat(new BigDecimal(search.get("spend_usd").asText())).isEqualByComparingTo("0.90");
    assertThat(JSON.readTree(get("/health", null).body()).get("budgets").get("store").asText())
        .isEqualTo("local");
    // the same figures on GET /metrics
    String metrics = get("/metrics", null).body();
    String labels = "{owner_key=\"team\",owner=\"payments\",period=\"month\"} ";
    assertThat(metric(metrics, "flowcost_budget_spend_usd" + labels)).isCloseTo(1.35, within(1e-9));
    assertThat(metric(metrics, "flowcost_budget_limit_usd" + labels)).isCloseTo(1.00, within(1e-9));
    assertThat(metric(metrics, "flowcost_budget_used_ratio" + labels)).isCloseTo(1.35, within(1e-9));

    // restart: the spend comes back from the lake, and no alert is sent again
    collector.close();
    collector = start(budgets);
    p = payments();
    assertThat(new BigDecimal(p.get("spend_usd").asText())).isEqualByComparingTo("1.35");
    assertThat(p.get("state").asText()).isEqualTo("hard");
    collector.live().tick();
    // a resend after the restart is recognised too (published keys survive restarts)
    post(call("d1", "4444444444444401"));
    assertThat(new BigDecimal(payments().get("spend_usd").asText()))
        .isEqualByComparingTo("1.35");
    collector.live().tick();
    assertThat(collector.live().sender().queued()).isZero();
    assertThat(hook.bodies()).hasSize(2);
  }

  @Test
  void aWebhookThatIsDownGetsTheAlertOnceItIsBack() throws Exception {
    hook = new WebhookReceiver();
    hook.failNext.set(2);
    Path budgets = tmp.resolve("budgets.txt");
    Files.writeString(budgets, "team=payments day hard=0.40\n");
    collector = start(budgets);
    post(root("e1", "5555555555555500", "payments"));
    post(call("e1", "5555555555555501"));
    collector.live().tick();
    // 2 refusals, retried after 1 s and 2 s: both alerts (80% and 100%) arrive, once each
    List<String> alerts = hook.await(2, Duration.ofSeconds(30));
    assertThat(hook.refused.get()).isEqualTo(2);
    assertThat(alerts).hasSize(2);
    assertThat(alerts.stream().map(b -> {
      try {
        return JSON.readTree(b).get("kind").asText();
      } catch (Exception e) {
        throw new AssertionError(e);
      }
    }).sorted().toList()).containsExactly("budget_100", "budget_80");
    // the receiver records a body before it answers: wait (bounded) for the sender to hear it
    long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (collector.live().sender().delivered() < 2 && System.nanoTime() < end) {
      Thread.sleep(20);
    }
    assertThat(collector.live().sender().delivered()).isEqualTo(2);
    assertThat(collector.live().sender().queued()).isZero();
  }

  private static double metric(String text, String prefix) {
    return text.lines().filter(l -> l.startsWith(prefix)).findFirst()
        .map(l -> Double.parseDouble(l.substring(prefix.length()).strip()))
        .orElseThrow(() -> new AssertionError("no " + prefix + " in /metrics"));
  }

  private JsonNode payments() throws Exception {
    HttpResponse<String> r = get("/v1/budgets", null);
    assertThat(r.statusCode()).isEqualTo(200);
    for (JsonNode b : JSON.readTree(r.body()).get("budgets")) {
      if (b.get("owner").asText().equals("payments")) {
        return b;
      }
    }
    throw new AssertionError("no payments budget in " + r.body());
  }

  private String root(String wf, String spanId, String team) {
    return Otlp.root(now, wf, spanId, team);
  }

  private String call(String wf, String spanId) {
    return Otlp.call(now, wf, spanId);
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

  private HttpResponse<String> get(String path, String ifNoneMatch) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + collector.port() + path)).GET();
    if (ifNoneMatch != null) {
      b.header("If-None-Match", ifNoneMatch);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }
}
