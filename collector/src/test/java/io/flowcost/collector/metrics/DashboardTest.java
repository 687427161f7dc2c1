package io.flowcost.collector.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.flowcost.collector.Collector;
import io.flowcost.collector.TestCollectors;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Grafana dashboard in {@code deploy/grafana} queries only metrics that {@code GET /metrics}
 * serves: every PromQL expression of every panel target and template variable is reduced to
 * its metric names, each of which a running collector with a budget configured declares on
 * {@code /metrics}.
 */
class DashboardTest {

  static final Path DASHBOARD = Path.of("..", "deploy", "grafana", "flowcost-dashboard.json");
  private static final Set<String> PROMQL_WORDS = Set.of("sum", "max", "min", "avg", "count",
      "rate", "increase", "irate", "by", "without", "on", "ignoring", "group_left",
      "group_right", "and", "or", "unless", "topk", "bottomk", "histogram_quantile",
      "label_values", "offset", "bool", "abs", "clamp_min", "clamp_max", "delta", "deriv",
      "sort", "sort_desc", "time", "vector", "scalar");

  @TempDir Path tmp;

  @Test
  void everyQueryNamesAMetricThatMetricsServes() throws Exception {
    List<String> exprs = expressions(new ObjectMapper().readTree(Files.readString(DASHBOARD)));
    assertThat(exprs).hasSizeGreaterThan(10);
    Set<String> names = new TreeSet<>();
    for (String e : exprs) {
      Set<String> inExpr = metricNames(e);
      assertThat(inExpr).as("metric names in %s", e).isNotEmpty();
      names.addAll(inExpr);
    }
    Set<String> served;
    Path lake = tmp.resolve("lake");
    Path budgets = Files.writeString(tmp.resolve("budgets.txt"),
        "team=payments month soft=800 hard=1000\n");
    try (Collector c = Collector.start(TestCollectors.config(lake, tmp.resolve("data"), "test")
        .maxBodyBytes(1024 * 1024)
        .build(),
        Collector.Live.of(budgets, List.of(), null))) {
      HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
              URI.create("http://127.0.0.1:" + c.port() + "/metrics"))
          .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
      served = PrometheusText.parse(r.body()).types().keySet();
    }
    // with a budget configured, the budget gauges are served too
    assertThat(served).contains(MetricsRegistry.BUDGET_USED_RATIO,
        MetricsRegistry.BUDGET_SPEND_USD, MetricsRegistry.BUDGET_LIMIT_USD);
    for (String name : names) {
      assertThat(served).as("%s is queried by the dashboard but not served by /metrics", name)
          .contains(name);
    }
    // the panels the issue asks for: burn by intent, budget gauges, waste, unpriced
    assertThat(names).contains("flowcost_intent_spend_usd_total",
        MetricsRegistry.BUDGET_USED_RATIO, "flowcost_intent_waste_usd_total",
        "flowcost_unpriced_calls_total");
  }

  @Test
  void theNameExtractorFindsMetricsAndSkipsFunctionsLabelsAndRanges() {
    assertThat(metricNames("sum by (intent) (rate(a_total{service=~\"$service\",x=\"y z\"}[5m]))"
        + " * 3600 / on(k) group_left b_usd offset 1h"))
        .containsExactlyInAnyOrder("a_total", "b_usd");
    assertThat(metricNames("label_values(flowcost_calls_total, service)"))
        .containsExactly("flowcost_calls_total");
  }

  private static List<String> expressions(JsonNode dashboard) {
    List<String> out = new ArrayList<>();
    for (JsonNode panel : dashboard.path("panels")) {
      for (JsonNode target : panel.path("targets")) {
        out.add(target.path("expr").asText());
      }
    }
    for (JsonNode v : dashboard.path("templating").path("list")) {
      if (v.path("type").asText().equals("query")) {
        out.add(v.path("query").asText());
      }
    }
    return out;
  }

  private static final Pattern IDENT = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");

  /** Metric names of a PromQL expression: identifiers that are not functions, keywords or labels. */
  static Set<String> metricNames(String expr) {
    String s = expr.replaceAll("\"(?:[^\"\\\\]|\\\\.)*\"", "\"\"") // string literals
        .replaceAll("\\{[^}]*}", " ") // label matchers
        .replaceAll("\\[[^]]*]", " ") // ranges
        .replaceAll("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)", " ")
        .replaceAll("\\$\\w+", " ");
    if (s.startsWith("label_values(")) {
      s = s.substring("label_values(".length(), s.indexOf(','));
    }
    Set<String> out = new TreeSet<>();
    Matcher m = IDENT.matcher(s);
    while (m.find()) {
      String id = m.group();
      int next = m.end();
      while (next < s.length() && s.charAt(next) == ' ') {
        next++;
      }
      boolean call = next < s.length() && s.charAt(next) == '(';
      boolean unit = m.start() > 0 && Character.isDigit(s.charAt(m.start() - 1));
      if (!call && !unit && !PROMQL_WORDS.contains(id)) {
        out.add(id);
      }
    }
    return out;
  }
}
