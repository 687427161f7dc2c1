package io.flowcost.collector.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.flowcost.collector.ingest.CallRecord;
import io.flowcost.collector.ingest.Usage;
import io.flowcost.pricing.CallPricer;
import io.flowcost.pricing.PriceCatalog;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The log line of a row that cannot be priced names its actual reason. */
class CatalogCallCosterTest {

  private final List<String> warnings = new ArrayList<>();
  private final Logger logger = Logger.getLogger(CatalogCallCoster.class.getName());
  private final Handler handler = new Handler() {
    @Override
    public void publish(LogRecord record) {
      warnings.add(record.getMessage());
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}
  };
  private final CatalogCallCoster coster =
      new CatalogCallCoster(() -> new CallPricer(PriceCatalog.bundled()));

  @BeforeEach
  void listen() {
    logger.addHandler(handler);
  }

  @AfterEach
  void stop() {
    logger.removeHandler(handler);
  }

  private static CallRecord answered(String model, Usage usage) {
    Instant t = Instant.parse("2026-11-24T10:15:30Z");
    return new CallRecord("4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7",
        "00f067aa0ba902b8", null, "model", "chat", "svc", "openai", model, null, 1, "ok", null,
        200, "stop", true, usage, null, null, null, false, false, null, null, null, null, t,
        t.plusSeconds(1), null, null, t);
  }

  @Test
  void anAnsweredCallWithoutUsageIsBlamedOnTheMissingUsageNotOnTheCatalog() {
    CallRecord priced = coster.price(answered("gpt-4o-mini", null));
    coster.price(answered("gpt-4o-mini", null));
    assertThat(priced.costUsd()).isNull();
    assertThat(warnings).hasSize(1); // once per model
    assertThat(warnings.get(0)).contains("'openai/gpt-4o-mini' reported no usage")
        .contains("include_usage").doesNotContain("--prices");
    assertThat(coster.unpricedModels()).as("not a model missing from the catalog").isEmpty();
  }

  @Test
  void aModelMissingFromTheCatalogIsNamedAsSuch() {
    CallRecord priced =
        coster.price(answered("gpt-imaginary", new Usage(100, 0, 0, 0, 10, 0, false, null)));
    assertThat(priced.unpriced()).isTrue();
    assertThat(warnings).hasSize(1);
    assertThat(warnings.get(0)).contains("unpriced model 'openai/gpt-imaginary'").contains("--prices");
    assertThat(coster.unpricedModels()).containsKey("openai/gpt-imaginary");
  }

  @Test
  void anEstimatedUsageIsPricedLikeAReportedOne() {
    // 1000 input, 100 output tokens of gpt-4o-mini at $0.15 / $0.60 per million, by hand
    CallRecord priced =
        coster.price(answered("gpt-4o-mini", new Usage(1000, 0, 0, 0, 100, 0, true, null)));
    assertThat(priced.unpriced()).isFalse();
    assertThat(priced.costUsd()).isEqualByComparingTo(new BigDecimal("0.000210000"));
    assertThat(warnings).isEmpty();
  }
}
