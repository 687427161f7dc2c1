package io.flowcost.pricing;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * {@link CatalogWriter#toJson(PriceCatalog)} writes a whole catalog that parses back to the same
 * catalog: what the collector serves at {@code GET /v1/prices} prices every call in the agent as
 * the collector prices it.
 */
class CatalogWriterTest {

  private static final Instant AT = Instant.parse("2026-12-06T12:00:00Z");
  private static final TokenUsage USAGE = TokenUsage.builder().input(300_000).cacheRead(100_000)
      .cacheWrite(50_000).cacheWrite1h(10_000).output(70_000).build();

  private static PriceCatalog roundTrip(PriceCatalog c) {
    return PriceCatalog.parse(CatalogWriter.toJson(c).getBytes(StandardCharsets.UTF_8), "served");
  }

  @Test
  void theBundledCatalogRoundTripsEntryForEntryAndPriceForPrice() {
    PriceCatalog bundled = PriceCatalog.bundled();
    PriceCatalog back = roundTrip(bundled);
    assertThat(back.version()).isEqualTo(bundled.version());
    assertThat(back.models()).hasSameSizeAs(bundled.models());
    assertThat(back.tools()).isEqualTo(bundled.tools());
    assertThat(back.httpRules()).isEqualTo(bundled.httpRules());
    assertThat(back.deploymentAliases()).isEqualTo(bundled.deploymentAliases());
    // written again, the parsed catalog gives the same text: nothing was lost on the way
    assertThat(CatalogWriter.toJson(back)).isEqualTo(CatalogWriter.toJson(bundled));

    CallPricer original = new CallPricer(bundled);
    CallPricer served = new CallPricer(back);
    int priced = 0;
    for (ModelPrice m : bundled.models()) {
      for (String name : m.aliases().isEmpty() ? java.util.List.of(m.model()) : m.aliases()) {
        PriceResult a = original.priceModelCall(m.provider(), name, AT, USAGE);
        PriceResult b = served.priceModelCall(m.provider(), name, AT, USAGE);
        assertThat(b.unpriced()).as(m.key() + " " + name).isEqualTo(a.unpriced());
        if (!a.unpriced()) {
          assertThat(b.costUsd()).as(m.key() + " " + name).isEqualByComparingTo(a.costUsd());
          priced++;
        }
      }
      for (String tier : m.serviceTiers().keySet()) {
        TokenUsage u = USAGE.toBuilder().serviceTier(tier).build();
        PriceResult a = original.priceModelCall(m.provider(), m.model(), AT, u);
        assertThat(served.priceModelCall(m.provider(), m.model(), AT, u).costUsd())
            .as(m.key() + " " + tier).isEqualByComparingTo(a.costUsd());
      }
    }
    assertThat(priced).isGreaterThan(700);
  }

  @Test
  void toolsRulesAndDeploymentAliasesOfAnOverlaySurvive() {
    PriceCatalog overlay = PriceCatalog.parse(("{\"version\": \"acme-1\", \"models\": ["
        + "{\"provider\": \"acme\", \"model\": \"acme-1\", \"input\": \"0.5\", \"output\": \"2\","
        + " \"effective_from\": \"2026-01-01T00:00:00Z\"}],"
        + " \"tools\": [{\"name\": \"web_search\", \"per_call\": \"0.025\"}],"
        + " \"http_rules\": [{\"host\": \"api.search.example\", \"path\": \"/v1/*\","
        + " \"per_request\": \"0.004\"}],"
        + " \"deployment_aliases\": {\"prod-chat\": \"openai/gpt-4o-mini\"}}")
        .getBytes(StandardCharsets.UTF_8), "overlay.json");
    PriceCatalog merged = PriceCatalog.merged(PriceCatalog.bundled(), overlay);
    PriceCatalog back = roundTrip(merged);
    CallPricer p = new CallPricer(back);
    assertThat(p.priceToolCall("web_search", AT).costUsd()).isEqualByComparingTo("0.025");
    assertThat(p.priceHttpCall("api.search.example", "/v1/q", AT).costUsd())
        .isEqualByComparingTo("0.004");
    assertThat(p.priceModelCall("acme", "acme-1", AT, USAGE).costUsd())
        .isEqualByComparingTo(new CallPricer(merged).priceModelCall("acme", "acme-1", AT, USAGE)
            .costUsd());
    assertThat(p.priceModelCall("acme", "acme-1", Instant.parse("2025-12-31T00:00:00Z"), USAGE)
        .unpriced()).isTrue();
    assertThat(p.priceModelCall("azure", "prod-chat", AT, USAGE).costUsd())
        .isEqualByComparingTo(new CallPricer(merged).priceModelCall("azure", "prod-chat", AT,
            USAGE).costUsd());
    assertThat(back.deploymentAliases()).containsEntry("prod-chat", "openai/gpt-4o-mini");
  }
}
