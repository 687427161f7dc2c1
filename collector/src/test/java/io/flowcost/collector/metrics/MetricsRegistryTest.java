package io.flowcost.collector.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MetricsRegistryTest {

  @Test
  void labelValuesAreEscapedPerTheExpositionFormatAndParseBack() {
    MetricsRegistry r = new MetricsRegistry();
    MetricsRegistry.Counter c = r.counter("x_total", "help with \\ and\nnewline", "intent");
    String nasty = "a\"b\\c\nd}{,=é";
    c.add(3, nasty);
    String text = r.render();
    assertThat(text).contains("x_total{intent=\"a\\\"b\\\\c\\nd}{,=é\"} 3\n");
    assertThat(text).contains("# HELP x_total help with \\\\ and\\nnewline\n");
    PrometheusText parsed = PrometheusText.parse(text);
    assertThat(parsed.family("x_total")).singleElement()
        .satisfies(s -> assertThat(s.labels()).containsEntry("intent", nasty));
  }

  @Test
  void aLabelKeepsNValuesThenCountsTheRestAsOther() {
    MetricsRegistry r = new MetricsRegistry(20);
    MetricsRegistry.Counter c = r.counter("calls_total", "calls", "model", "kind");
    for (int i = 0; i < 100; i++) {
      c.add(i + 1, "model-" + i, "model");
    }
    PrometheusText parsed = PrometheusText.parse(r.render());
    assertThat(parsed.labelValues("calls_total", "model")).hasSize(21).contains("other")
        .contains("model-0", "model-19").doesNotContain("model-20");
    // nothing is lost: 1 + 2 + … + 100
    assertThat(parsed.sum("calls_total").longValueExact()).isEqualTo(5050);
    // other = 21 + … + 100
    assertThat(parsed.byLabel("calls_total", "model").get("other")).isEqualTo(4840.0);
  }

  @Test
  void theBoundIsPerLabelNameAcrossFamilies() {
    MetricsRegistry r = new MetricsRegistry(2);
    MetricsRegistry.Counter a = r.counter("a_total", "a", "intent");
    MetricsRegistry.Counter b = r.counter("b_total", "b", "intent");
    a.inc("x");
    a.inc("y");
    b.inc("z");
    b.inc("x");
    assertThat(b.value("other")).isEqualTo(1);
    assertThat(b.value("x")).isEqualTo(1);
  }

  @Test
  void longLabelValuesAreCut() {
    MetricsRegistry r = new MetricsRegistry();
    r.counter("c_total", "c", "model").inc("m".repeat(500));
    PrometheusText parsed = PrometheusText.parse(r.render());
    assertThat(parsed.labelValues("c_total", "model")).singleElement()
        .satisfies(v -> assertThat(v).hasSize(MetricsRegistry.MAX_LABEL_VALUE_CHARS));
  }

  @Test
  void scaledCountersWriteNanoDollarsAsExactUsd() {
    MetricsRegistry r = new MetricsRegistry();
    MetricsRegistry.Counter usd = r.scaledCounter("spend_usd_total", "usd", 1_000_000_000L,
        "model");
    usd.add(240_000, "gpt");
    usd.add(1, "gpt");
    usd.add(12_345_678_901_234L, "big");
    PrometheusText parsed = PrometheusText.parse(r.render());
    assertThat(parsed.sum("spend_usd_total", Map.of("model", "gpt")))
        .isEqualByComparingTo("0.000240001");
    assertThat(parsed.sum("spend_usd_total", Map.of("model", "big")))
        .isEqualByComparingTo("12345.678901234");
  }

  @Test
  void gaugesAreReadWhenRenderedAndNamesAreChecked() {
    MetricsRegistry r = new MetricsRegistry();
    double[] v = {1.5};
    r.gauge(MetricsRegistry.BUDGET_USED_RATIO, "ratio", MetricsRegistry.BUDGET_LABELS,
        () -> List.of(new MetricsRegistry.Sample(List.of("team", "search", "day"), v[0])));
    assertThat(PrometheusText.parse(r.render()).family(MetricsRegistry.BUDGET_USED_RATIO))
        .singleElement().satisfies(s -> assertThat(s.value()).isEqualTo(1.5));
    v[0] = 0.25;
    assertThat(r.render()).contains(
        "flowcost_budget_used_ratio{owner_key=\"team\",owner=\"search\",period=\"day\"} 0.25\n");
    assertThat(r.isRegistered(MetricsRegistry.BUDGET_USED_RATIO)).isTrue();
    assertThatThrownBy(() -> r.gauge(MetricsRegistry.BUDGET_USED_RATIO, "again", () -> 1))
        .hasMessageContaining("twice");
    assertThatThrownBy(() -> r.counter("bad-name", "x")).hasMessageContaining("invalid");
    assertThatThrownBy(() -> r.counter("ok_total", "x", "__reserved"))
        .hasMessageContaining("invalid label");
    assertThatThrownBy(() -> r.counter("neg_total", "x").add(-1)).hasMessageContaining("only");
  }
}
