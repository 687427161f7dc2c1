package io.flowcost.agent.prices;

import io.flowcost.agent.AgentLog;
import io.flowcost.agent.caps.CallCostEstimator;
import io.flowcost.agent.caps.Printable;
import io.flowcost.agent.export.ConditionalGet;
import io.flowcost.pricing.CallPricer;
import io.flowcost.pricing.CatalogException;
import io.flowcost.pricing.PriceCatalog;
import java.io.IOException;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Keeps the agent's price catalog current: installs the bundled catalog, then the collector's
 * ({@code GET /v1/prices}) whenever its ETag changes. Every method runs on the price thread (or a
 * test's); what it installs is read by the application's threads through a volatile field.
 *
 * <p>A failed or refused fetch keeps the catalog held (bundled, or the last one fetched) and is
 * logged once per kind of failure; a catalog the collector serves that does not parse is logged
 * once and ignored.
 */
final class PriceRefresher {

  /** The largest catalog accepted (the bundled one is about 0.3 MB). */
  static final int MAX_CATALOG_BYTES = 16 * 1024 * 1024;

  private final ConditionalGet fetcher;
  private final Consumer<CallCostEstimator> install;
  private String etag;
  private String origin = "no";
  private String version;

  /**
   * @param fetcher the collector's catalog, or {@code null} to use the bundled one only
   * @param install receives each new estimator ({@code CapGuard::installEstimator})
   */
  PriceRefresher(ConditionalGet fetcher, Consumer<CallCostEstimator> install) {
    this.fetcher = fetcher;
    this.install = Objects.requireNonNull(install, "install");
  }

  /**
   * The collector's catalog, {@code <endpoint>/v1/prices}.
   *
   * @param collectorEndpoint the collector's base URL ({@code flowcost.endpoint})
   * @param apiKey the export API key, or {@code null}
   * @throws IOException when the endpoint is not a valid URL
   */
  static ConditionalGet collectorCatalog(String collectorEndpoint, String apiKey)
      throws IOException {
    return new ConditionalGet(collectorEndpoint + "/v1/prices", apiKey, 10_000, MAX_CATALOG_BYTES);
  }

  /** Installs the bundled catalog. Returns whether it could be read (a broken jar otherwise). */
  boolean installBundled() {
    try {
      PriceCatalog bundled = PriceCatalog.bundled();
      install(bundled, "bundled");
      return true;
    } catch (RuntimeException | LinkageError e) {
      AgentLog.info("the bundled price catalog cannot be read (" + e.getClass().getName()
          + "): max-cost-usd caps wait for the collector's catalog");
      return false;
    }
  }

  /** One poll of the collector; installs its catalog when it changed. */
  void poll() {
    if (fetcher == null) {
      return;
    }
    ConditionalGet.Result result = fetcher.fetch(etag);
    if (result instanceof ConditionalGet.Changed changed) {
      PriceCatalog catalog;
      try {
        catalog = PriceCatalog.parse(changed.body(), "collector /v1/prices");
      } catch (CatalogException e) {
        AgentLog.once("prices-invalid", "the collector's price catalog ("
            + Printable.of(fetcher.url()) + ") is not valid: " + Printable.of(e.getMessage())
            + "; cost caps keep " + held());
        return;
      }
      etag = changed.etag();
      install(catalog, "collector");
    } else if (result instanceof ConditionalGet.Failed failed) {
      String why = failed.status() == 404
          ? "the collector does not serve /v1/prices (an older collector?)"
          : failed.status() == 401 ? "the collector refused the API key (flowcost.api-key)"
              : failed.reason();
      AgentLog.once("prices-fetch-" + failed.status(), "cannot fetch the collector's price"
          + " catalog from " + Printable.of(fetcher.url()) + ": " + why + "; cost caps keep "
          + held() + " until it can (retried in the background)");
    }
  }

  private void install(PriceCatalog catalog, String from) {
    install.accept(new CatalogCostEstimator(new CallPricer(catalog), from));
    boolean changed = !catalog.version().equals(version) || !from.equals(origin);
    origin = from;
    version = catalog.version();
    if (changed && "collector".equals(from)) {
      AgentLog.info("cost caps price calls with the collector's catalog "
          + Printable.of(catalog.version()) + " (" + catalog.models().size() + " models)");
    }
  }

  private String held() {
    return "no".equals(origin) ? "no catalog (max-cost-usd inactive)" : "the " + origin + " catalog";
  }

  /** {@code bundled}, {@code collector} or {@code no}: where the installed catalog came from. */
  String origin() {
    return origin;
  }

  /** The installed catalog's version, or {@code null}. */
  String version() {
    return version;
  }
}
