package io.flowcost.collector.budget;

import static org.assertj.core.api.Assertions.assertThat;

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
 * Two collectors (each with its own lake and data dir) share budget counters through a real
 * Redis server on 127.0.0.1: each sees the team's whole spend, a span sent to both counts once,
 * the 80% and 100% alerts reach the webhook once each in all; with the store down each collector
 * enforces on its own counts and says so in /health, and when it is back the counts converge.
 */
class SharedBudgetStoreTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tmp;
  private final HttpClient http = HttpClient.newHttpClient();
  private final Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
  private final Clock clock = Clock.fixed(now, ZoneOffset.UTC);
  private RedisServer redis;
  private WebhookReceiver hook;
  private Collector a;
  private Collector b;

  @AfterEach
  void stop() throws Exception {
    for (AutoCloseable c : new AutoCloseable[] {a, b, hook, redis}) {
      if (c != null) {
        c.close();
      }
    }
  }

  private Collector start(String name, Path budgets) throws Exception {
    Path lake = tmp.resolve(name + "-lake");
    return Collector.start(TestCollectors.config(lake, tmp.resolve(name + "-data"), name)
        .maxBodyBytes(1 << 20)
        .build(),
        new Collector.Live(budgets, List.of(hook.url()), redis.uri(), Duration.ofSeconds(15),
            clock));
  }

  @Test
  void twoCollectorsShareCountersAlertOnceAndConvergeAfterAStoreOutage() throws Exception {
    redis = new RedisServer(tmp.resolve("redis"));
    hook = new WebhookReceiver();
    Path budgets = tmp.resolve("budgets.txt");
    Files.writeString(budgets, "team=payments month soft=0.80 hard=1.00\n");
    a = start("a", budgets);
    b = start("b", budgets);

    // $0.45 through each collector: each alone is at 45%, together 90%
    post(a, Otlp.root(now, "a1", "1111111111111100", "payments"));
    post(a, Otlp.call(now, "a1", "1111111111111101"));
    post(b, Otlp.root(now, "b1", "2222222222222200", "payments"));
    post(b, Otlp.call(now, "b1", "2222222222222201"));
    syncBoth();
    assertThat(spend(a)).isEqualByComparingTo("0.90");
    assertThat(spend(b)).isEqualByComparingTo("0.90");
    assertThat(state(b)).isEqualTo("soft");
    a.live().tick();
    b.live().tick();

    // one workflow sent to both (a sender retrying against the other collector) counts once
    for (Collector c : List.of(a, b)) {
      post(c, Otlp.root(now, "c1", "3333333333333300", "payments"));
      post(c, Otlp.call(now, "c1", "3333333333333301"));
    }
    syncBoth();
    assertThat(spend(a)).isEqualByComparingTo("1.35");
    assertThat(spend(b)).isEqualByComparingTo("1.35");
    assertThat(state(a)).isEqualTo("hard");
    b.live().tick();
    a.live().tick();
    b.live().tick();
    List<String> alerts = hook.await(2, Duration.ofSeconds(20));
    assertThat(alerts).hasSize(2);
    assertThat(JSON.readTree(alerts.get(0)).get("kind").asText()).isEqualTo("budget_80");
    assertThat(JSON.readTree(alerts.get(1)).get("kind").asText()).isEqualTo("budget_100");
    assertThat(JSON.readTree(get(a, "/health")).get("budgets").get("store").asText())
        .isEqualTo("redis ok");

    // the store goes down: a counts what it receives on top of the last shared value
    List<String> warnings = new java.util.concurrent.CopyOnWriteArrayList<>();
    java.util.logging.Logger storeLog =
        java.util.logging.Logger.getLogger(RedisSpendStore.class.getName());
    java.util.logging.Handler capture = new java.util.logging.Handler() {
      @Override
      public void publish(java.util.logging.LogRecord r) {
        if (r.getLevel() == java.util.logging.Level.WARNING) {
          warnings.add(r.getMessage());
        }
      }

      @Override
      public void flush() {}

      @Override
      public void close() {}
    };
    storeLog.addHandler(capture);
    redis.stopSaving();
    post(a, Otlp.root(now, "d1", "4444444444444400", "payments"));
    post(a, Otlp.call(now, "d1", "4444444444444401"));
    syncBoth();
    assertThat(spend(a)).isEqualByComparingTo("1.80");
    assertThat(spend(b)).isEqualByComparingTo("1.35");
    JsonNode health = JSON.readTree(get(a, "/health")).get("budgets");
    assertThat(health.get("store_up").asBoolean()).isFalse();
    assertThat(health.get("store").asText())
        .startsWith("redis unreachable since ")
        .contains("enforcing on this collector's counts (1 credits waiting)");
    // the log says so once per collector and outage, however often it retries
    syncBoth();
    syncBoth();
    storeLog.removeHandler(capture);
    assertThat(warnings).hasSize(2).allSatisfy(w -> assertThat(w)
        .contains("unreachable").contains("enforces budgets on its own counts"));

    // back: a's queued credit reaches the store, both converge on 1.80
    redis.start();
    syncBoth();
    assertThat(spend(a)).isEqualByComparingTo("1.80");
    assertThat(spend(b)).isEqualByComparingTo("1.80");
    assertThat(JSON.readTree(get(b, "/health")).get("budgets").get("store").asText())
        .isEqualTo("redis ok");
    a.live().tick();
    b.live().tick();
    assertThat(a.live().sender().queued() + b.live().sender().queued()).isZero();
    assertThat(hook.bodies()).hasSize(2);
  }

  private void syncBoth() {
    a.live().syncStore();
    b.live().syncStore();
    a.live().syncStore();
  }

  private BigDecimal spend(Collector c) throws Exception {
    return new BigDecimal(payments(c).get("spend_usd").asText());
  }

  private String state(Collector c) throws Exception {
    return payments(c).get("state").asText();
  }

  private JsonNode payments(Collector c) throws Exception {
    return JSON.readTree(get(c, "/v1/budgets")).get("budgets").get(0);
  }

  private void post(Collector c, String body) throws Exception {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + c.port() + "/v1/traces"))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
  }

  private String get(Collector c, String path) throws Exception {
    return http.send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + c.port() + path)).GET().build(),
        HttpResponse.BodyHandlers.ofString()).body();
  }
}
