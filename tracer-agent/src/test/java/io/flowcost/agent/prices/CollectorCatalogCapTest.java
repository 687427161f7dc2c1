package io.flowcost.agent.prices;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.flowcost.agent.AgentConfig;
import io.flowcost.agent.caps.CallCostEstimator;
import io.flowcost.agent.caps.CapGuard;
import io.flowcost.agent.caps.CapRefusal;
import io.flowcost.agent.context.AgentContext;
import io.flowcost.agent.context.Workflow;
import io.flowcost.agent.testing.AgentTelemetryExtension;
import io.flowcost.agent.usage.Usage;
import io.flowcost.outcome.CapKind;
import io.flowcost.outcome.WorkflowCapExceededException;
import io.flowcost.pricing.CatalogWriter;
import io.flowcost.pricing.PriceCatalog;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The agent prices cost caps with the collector's catalog once it has fetched it: a model priced
 * only by the collector's {@code --prices} overlay is unpriced with the bundled catalog (its cap
 * never fires) and capped once the collector's catalog is installed; an overlay price overrides
 * a bundled one; an unchanged catalog is answered 304 and installs nothing; a refused or broken
 * fetch keeps the catalog held.
 */
class CollectorCatalogCapTest {

  @RegisterExtension final AgentTelemetryExtension telemetry = new AgentTelemetryExtension();

  /** $1000 per million input tokens, $4000 per million output tokens: $0.40 per test call. */
  private static final String OVERLAY = "{\"version\": \"acme-1\", \"models\": ["
      + "{\"provider\": \"openai\", \"model\": \"fc-runaway-pro\", \"input\": \"1000\","
      + " \"output\": \"4000\"},"
      + "{\"provider\": \"openai\", \"model\": \"gpt-4o-mini\", \"input\": \"1\","
      + " \"output\": \"2\"}]}";
  private static final Usage CALL = Usage.builder().inputTokens(200L).outputTokens(50L).build();
  private static final String KEY = "k-prices";

  private final AgentConfig original = AgentContext.config();
  private HttpServer server;
  private final AtomicInteger gets = new AtomicInteger();
  private final AtomicInteger notModified = new AtomicInteger();
  private volatile String body;
  private volatile int status = 200;

  @BeforeEach
  void serveTheCollectorsCatalog() throws Exception {
    PriceCatalog effective = PriceCatalog.merged(PriceCatalog.bundled(),
        PriceCatalog.parse(OVERLAY.getBytes(StandardCharsets.UTF_8), "prices.json"));
    body = CatalogWriter.toJson(effective);
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/v1/prices", exchange -> {
      gets.incrementAndGet();
      String etag = "\"" + Integer.toHexString(body.hashCode()) + "\"";
      int code = !KEY.equals(exchange.getRequestHeaders().getFirst("X-Flowcost-Api-Key")) ? 401
          : status != 200 ? status
          : etag.equals(exchange.getRequestHeaders().getFirst("If-None-Match")) ? 304 : 200;
      if (code == 304) {
        notModified.incrementAndGet();
      }
      byte[] bytes = code == 200 ? body.getBytes(StandardCharsets.UTF_8) : new byte[0];
      exchange.getResponseHeaders().add("ETag", etag);
      exchange.sendResponseHeaders(code, code == 304 ? -1 : bytes.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes);
      }
    });
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop(0);
    CapGuard.installEstimator(CallCostEstimator.NONE);
    AgentContext.install(AgentContext.tracer(), original);
  }

  private String endpoint() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  private PriceRefresher refresher(String key, List<CallCostEstimator> installed)
      throws Exception {
    return new PriceRefresher(PriceRefresher.collectorCatalog(endpoint(), key), e -> {
      installed.add(e);
      CapGuard.installEstimator(e);
    });
  }

  /** Runs model calls of {@code model} in a workflow capped at $0.50 until one is refused. */
  private List<String> runaway(String model, int maxCalls) {
    AgentContext.install(AgentContext.tracer(), AgentConfig.from(
        Map.of("flowcost.caps", "max-cost-usd=0.50", "flowcost.caps.mode", "enforce")::get,
        n -> null));
    Workflow wf = AgentContext.startWorkflow("runaway", "api", null, null);
    List<String> log = new ArrayList<>();
    try (Scope ignored = wf.attach(Context.current()).makeCurrent()) {
      for (int i = 0; i < maxCalls; i++) {
        CapRefusal refused = CapGuard.beforeModelCall(getClass().getClassLoader());
        if (refused != null) {
          WorkflowCapExceededException e = (WorkflowCapExceededException) refused.exception();
          assertThat(e.capKind()).isEqualTo(CapKind.MAX_COST_USD);
          log.add("refused spent=" + e.spent().stripTrailingZeros().toPlainString());
          break;
        }
        CapGuard.modelCallEnded(wf.spend(), "openai", model, null, List.of(CALL));
        log.add("call cost-so-far=" + wf.spend().costUsd().stripTrailingZeros().toPlainString());
      }
    } finally {
      wf.rootSpan().end();
    }
    return log;
  }

  @Test
  void aModelPricedOnlyByTheCollectorIsCappedOnceItsCatalogIsFetched() throws Exception {
    List<CallCostEstimator> installed = new ArrayList<>();
    PriceRefresher refresher = refresher(KEY, installed);
    assertThat(refresher.installBundled()).isTrue();
    assertThat(refresher.origin()).isEqualTo("bundled");
    // the bundled catalog does not know the model: its calls are unpriced, the cap never fires
    assertThat(runaway("fc-runaway-pro", 5)).containsExactly("call cost-so-far=0",
        "call cost-so-far=0", "call cost-so-far=0", "call cost-so-far=0", "call cost-so-far=0");

    refresher.poll();
    assertThat(installed).hasSize(2);
    assertThat(refresher.origin()).isEqualTo("collector");
    assertThat(refresher.version()).isEqualTo(PriceCatalog.bundled().version() + "+acme-1");
    // 200 in × $1000/M + 50 out × $4000/M = $0.40 a call: the second call starts at $0.40
    // (< $0.50), the third would start at $0.80 and is refused
    assertThat(runaway("fc-runaway-pro", 5)).containsExactly("call cost-so-far=0.4",
        "call cost-so-far=0.8", "refused spent=0.8");

    // unchanged: 304, nothing new installed
    refresher.poll();
    assertThat(notModified.get()).isEqualTo(1);
    assertThat(installed).hasSize(2);
  }

  @Test
  void theCollectorsPriceOverridesTheBundledOne() throws Exception {
    List<CallCostEstimator> installed = new ArrayList<>();
    PriceRefresher refresher = refresher(KEY, installed);
    refresher.installBundled();
    // bundled gpt-4o-mini: 200 × $0.15/M + 50 × $0.60/M = $0.00006
    assertThat(installed.get(0).cost("openai", "gpt-4o-mini", null, CALL))
        .isEqualByComparingTo("0.000060000");
    refresher.poll();
    // the overlay's: 200 × $1/M + 50 × $2/M = $0.0003
    assertThat(installed.get(1).cost("openai", "gpt-4o-mini", null, CALL))
        .isEqualByComparingTo("0.000300000");
    // a response model the catalog does not know falls back to the requested one
    assertThat(installed.get(1).cost("openai", "gpt-4o-mini", "gpt-4o-mini-custom-snapshot", CALL))
        .isEqualByComparingTo("0.000300000");
    assertThat(installed.get(1).cost("openai", "no-such-model", null, CALL)).isNull();
  }

  @Test
  void aRefusedOrBrokenFetchKeepsTheCatalogHeld() throws Exception {
    List<CallCostEstimator> installed = new ArrayList<>();
    PriceRefresher wrongKey = refresher("not-the-key", installed);
    wrongKey.installBundled();
    wrongKey.poll();
    assertThat(installed).hasSize(1);
    assertThat(wrongKey.origin()).isEqualTo("bundled");

    PriceRefresher refresher = refresher(KEY, installed);
    refresher.poll();
    assertThat(installed).hasSize(2);
    BigDecimal fetched = installed.get(1).cost("openai", "fc-runaway-pro", null, CALL);
    assertThat(fetched).isEqualByComparingTo("0.4");
    body = "{\"version\": \"broken\", \"models\": [{\"provider\": \"openai\"}]}";
    refresher.poll(); // a new ETag, but the body is not a catalog: ignored
    status = 503;
    refresher.poll();
    server.stop(0);
    refresher.poll(); // collector gone
    assertThat(installed).hasSize(2);
    assertThat(refresher.origin()).isEqualTo("collector");
    assertThat(gets.get()).isEqualTo(4); // the last poll found no collector
  }

  @Test
  void refreshSettingIsParsedWithADefault() {
    assertThat(AgentPrices.parseRefresh(null)).isEqualTo(60);
    assertThat(AgentPrices.parseRefresh(" 5 ")).isEqualTo(5);
    assertThat(AgentPrices.parseRefresh("0")).isZero();
    assertThat(AgentPrices.parseRefresh("-3")).isEqualTo(60);
    assertThat(AgentPrices.parseRefresh("soon")).isEqualTo(60);
  }
}
