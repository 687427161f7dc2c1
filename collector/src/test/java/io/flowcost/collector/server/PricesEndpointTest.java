package io.flowcost.collector.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.flowcost.collector.Collector;
import io.flowcost.collector.TestCollectors;
import io.flowcost.pricing.CallPricer;
import io.flowcost.pricing.CatalogWriter;
import io.flowcost.pricing.PriceCatalog;
import io.flowcost.pricing.PriceResult;
import io.flowcost.pricing.TokenUsage;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code GET /v1/prices}: the effective catalog (bundled plus {@code --prices}) in the catalog's
 * own format, behind the API key like {@code /v1/budgets}, with an ETag that answers an
 * unchanged poll with 304 and changes when {@code --prices} is edited.
 */
class PricesEndpointTest {

  private static final Instant AT = Instant.parse("2026-12-06T12:00:00Z");
  private static final TokenUsage USAGE =
      TokenUsage.builder().input(1_000_000).output(1_000_000).build();

  @TempDir Path tmp;
  private Collector collector;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @AfterEach
  void stop() throws Exception {
    if (collector != null) {
      collector.close();
    }
  }

  private void start(Path prices, Path keys) throws Exception {
    Path lake = tmp.resolve("lake");
    collector = Collector.start(TestCollectors.config(lake, tmp.resolve("data"), "prices-test")
        .pricesFile(prices)
        .apiKeysFile(keys)
        .maxBodyBytes(1024 * 1024)
        .build());
  }

  private static String overlay(String version, String input, String output) {
    return "{\"version\": \"" + version + "\", \"models\": [{\"provider\": \"acme\","
        + " \"model\": \"acme-reasoner-1\", \"input\": \"" + input + "\", \"output\": \""
        + output + "\"}]}";
  }

  private HttpResponse<String> get(String key, String etag) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + collector.port() + "/v1/prices"))
        .timeout(Duration.ofSeconds(20));
    if (key != null) {
      b.header("X-Flowcost-Api-Key", key);
    }
    if (etag != null) {
      b.header("If-None-Match", etag);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
  }

  private static PriceResult price(String body, String provider, String model) {
    PriceCatalog served = PriceCatalog.parse(body.getBytes(StandardCharsets.UTF_8), "served");
    return new CallPricer(served).priceModelCall(provider, model, AT, USAGE);
  }

  @Test
  void servesBundledPlusOverridesWithAnEtagThatChangesWhenThePricesFileDoes() throws Exception {
    Path prices = tmp.resolve("prices.json");
    Files.writeString(prices, overlay("acme-1", "3.25", "11.5"));
    start(prices, null);

    HttpResponse<String> first = get(null, null);
    assertThat(first.statusCode()).isEqualTo(200);
    assertThat(first.headers().firstValue("Content-Type")).hasValue("application/json");
    String etag = first.headers().firstValue("ETag").orElseThrow();
    // the override's price: 1M in × $3.25 + 1M out × $11.5
    assertThat(price(first.body(), "acme", "acme-reasoner-1").costUsd())
        .isEqualByComparingTo("14.75");
    // the bundled entries are there, at the bundled price
    PriceResult bundled = new CallPricer(PriceCatalog.bundled())
        .priceModelCall("openai", "gpt-4o-mini", AT, USAGE);
    assertThat(bundled.unpriced()).isFalse();
    assertThat(price(first.body(), "openai", "gpt-4o-mini").costUsd())
        .isEqualByComparingTo(bundled.costUsd());
    assertThat(PriceCatalog.parse(first.body().getBytes(StandardCharsets.UTF_8), "served")
        .version()).isEqualTo(PriceCatalog.bundled().version() + "+acme-1");

    // unchanged: 304, no body
    HttpResponse<String> again = get(null, etag);
    assertThat(again.statusCode()).isEqualTo(304);
    assertThat(again.body()).isEmpty();

    // edit the overlay: the watcher reloads it, the ETag and the price change
    Files.writeString(prices, overlay("acme-2", "4", "12"));
    Files.setLastModifiedTime(prices, FileTime.from(Instant.now().plusSeconds(5)));
    HttpResponse<String> changed = null;
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (System.nanoTime() < deadline) {
      changed = get(null, etag);
      if (changed.statusCode() == 200) {
        break;
      }
      Thread.sleep(100);
    }
    assertThat(changed.statusCode()).isEqualTo(200);
    assertThat(changed.headers().firstValue("ETag").orElseThrow()).isNotEqualTo(etag);
    assertThat(price(changed.body(), "acme", "acme-reasoner-1").costUsd())
        .isEqualByComparingTo("16");
  }

  @Test
  void withApiKeysItNeedsOneLikeBudgets() throws Exception {
    Path keys = tmp.resolve("keys.txt");
    Files.writeString(keys, "k-123 = team=search\n");
    start(null, keys);
    HttpResponse<String> refused = get(null, null);
    assertThat(refused.statusCode()).isEqualTo(401);
    assertThat(refused.body()).doesNotContain("\"models\"");
    assertThat(get("wrong-key", null).statusCode()).isEqualTo(401);
    HttpResponse<String> ok = get("k-123", null);
    assertThat(ok.statusCode()).isEqualTo(200);
    // without --prices: exactly the bundled catalog, as CatalogWriter writes it
    assertThat(ok.body()).isEqualTo(CatalogWriter.toJson(PriceCatalog.bundled()));
  }
}
