package io.flowcost.collector.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.flowcost.pricing.PriceCatalog;
import io.flowcost.collector.pricing.PriceCatalogWatcher;
import io.flowcost.pricing.PriceResult;
import io.flowcost.pricing.TokenUsage;
import io.flowcost.collector.report.IntentReport;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class PricesCommandTest {

  /** The deprecation cut-off the bundled catalog was generated with. */
  private static final String AS_OF = "2026-12-06";
  private static final Instant AT = Instant.parse("2026-12-06T12:00:00Z");
  private static final TokenUsage MILLION_IN = TokenUsage.builder().input(1_000_000).build();

  @TempDir
  Path dir;
  /** The selected LiteLLM map (from the pricing module's test-jar), copied to a file. */
  private Path map;

  @BeforeEach
  void copyTheSelectedMap() throws Exception {
    map = dir.resolve("model_prices_selected.json");
    try (java.io.InputStream in = PricesCommandTest.class.getResourceAsStream(
        "/litellm/model_prices_selected.json")) {
      Files.copy(in, map);
    }
  }

  record Run(int code, String out, String err) {}

  static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = new CommandLine(new FlowcostCollector());
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    int code = cli.execute(args);
    return new Run(code, out.toString(), err.toString());
  }

  @Test
  void importOfTheSameMapChangesNothingAndOfAModifiedMapShowsExactlyTheEditsAndPricesWithThem()
      throws Exception {
    Path overlay = dir.resolve("prices.json");
    // 1. The map the catalog was generated from, read by the collector's own selection: no
    //    difference at all (the Java selection and scripts/generate-catalog.py agree).
    Run same = run("prices", "import", "litellm", map.toString(), "--out", overlay.toString(),
        "--as-of", AS_OF);
    assertThat(same.code()).as(same.err()).isZero();
    assertThat(same.out()).contains("TOTAL              0       0       0");
    try (PriceCatalogWatcher watcher = new PriceCatalogWatcher(overlay, PriceCatalog.bundled())) {
      assertThat(price(watcher, "openai", "gpt-5.2").costUsd()).isEqualByComparingTo("1.75");

      // 2. A newer map: one price changed, one model added, one deprecated.
      String text = replaceIn(Files.readString(map), "gpt-5.2",
          "\"input_cost_per_token\": 1.75e-06", "\"input_cost_per_token\": 2e-06");
      text = text.replace("\n \"claude-opus-4-6\": {",
          "\n \"claude-opus-4-6\": {\n  \"deprecation_date\": \"2026-01-01\",");
      text = text.replaceFirst("\\{", "{\n \"xai/grok-test-9\": {\"litellm_provider\": \"xai\","
          + " \"mode\": \"chat\", \"input_cost_per_token\": 1e-06,"
          + " \"output_cost_per_token\": 3e-06},");
      Path newer = dir.resolve("newer.json");
      Files.writeString(newer, text);
      Run edited = run("prices", "import", "litellm", newer.toString(), "--out",
          overlay.toString(), "--as-of", AS_OF);
      assertThat(edited.code()).as(edited.err()).isZero();
      assertThat(edited.out())
          .contains("anthropic          0       0       1")
          .contains("openai             0       1       0")
          .contains("xai                1       0       0")
          .contains("TOTAL              1       1       1")
          .contains("+ xai/grok-test-9")
          .contains("~ openai/gpt-5.2: in 1.75")
          .contains("-> in 2 ")
          .contains("- anthropic/claude-opus-4-6");

      // 3. The running collector's watcher picks the overlay up without a restart.
      assertThat(watcher.checkNow()).isTrue();
      assertThat(price(watcher, "openai", "gpt-5.2").costUsd()).isEqualByComparingTo("2.00");
      assertThat(price(watcher, "xai", "grok-test-9").costUsd()).isEqualByComparingTo("1.00");
      // removed from the map: the bundled price stays in force
      assertThat(price(watcher, "anthropic", "claude-opus-4-6").costUsd())
          .isEqualByComparingTo("5.00");

      // 4. A malformed map is refused naming the entry; the overlay and the catalog stay.
      byte[] before = Files.readAllBytes(overlay);
      Path broken = dir.resolve("broken.json");
      Files.writeString(broken, replaceIn(text, "gpt-5.2", "\"input_cost_per_token\": 2e-06",
          "\"input_cost_per_token\": \"two\""));
      Run refused = run("prices", "import", "litellm", broken.toString(), "--out",
          overlay.toString(), "--as-of", AS_OF);
      assertThat(refused.code()).isEqualTo(2);
      assertThat(refused.err()).contains("'gpt-5.2'").contains("input_cost_per_token")
          .contains("is unchanged");
      assertThat(Files.readAllBytes(overlay)).isEqualTo(before);
      assertThat(watcher.checkNow()).isFalse();
      assertThat(price(watcher, "openai", "gpt-5.2").costUsd()).isEqualByComparingTo("2.00");
    }
  }

  @Test
  void aMalformedOverlayIsRefusedByTheWatcherNamingTheEntryAndTheCatalogInForceStays()
      throws Exception {
    Path overlay = dir.resolve("prices.json");
    Files.writeString(overlay, """
        {"version": "v1", "models": [
          {"provider": "ollama", "model": "llama3.1:8b", "input": "0.10", "output": "0.20"}]}
        """);
    try (PriceCatalogWatcher watcher = new PriceCatalogWatcher(overlay, PriceCatalog.bundled())) {
      assertThat(price(watcher, "ollama", "llama3.1:8b").costUsd()).isEqualByComparingTo("0.10");
      Files.writeString(overlay, """
          {"version": "v2", "models": [
            {"provider": "ollama", "model": "llama3.1:8b", "input": "FILL_ME", "output": "0.20"}]}
          """);
      Files.setLastModifiedTime(overlay, java.nio.file.attribute.FileTime.from(
          Instant.now().plusSeconds(5)));
      assertThat(watcher.checkNow()).isFalse();
      assertThat(watcher.catalog().version()).endsWith("+v1");
      assertThat(price(watcher, "ollama", "llama3.1:8b").costUsd()).isEqualByComparingTo("0.10");
    }
  }

  @Test
  void diffNamesWhatWasAddedChangedAndRemovedPerProvider() throws Exception {
    Path a = dir.resolve("a.json");
    Path b = dir.resolve("b.json");
    Files.writeString(a, """
        {"version": "a", "models": [
          {"provider": "ollama", "model": "m1", "input": "1", "output": "2"},
          {"provider": "ollama", "model": "m2", "input": "1", "output": "2"},
          {"provider": "acme", "model": "x", "input": "3"}]}
        """);
    Files.writeString(b, """
        {"version": "b", "models": [
          {"provider": "ollama", "model": "m1", "input": "1.0", "output": "2.00"},
          {"provider": "ollama", "model": "m2", "input": "1", "output": "2.5"},
          {"provider": "acme", "model": "y", "input": "3"}]}
        """);
    Run r = run("prices", "diff", a.toString(), b.toString());
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains("acme               1       0       1")
        .contains("ollama             0       1       0")
        .contains("+ acme/y").contains("- acme/x").contains("~ ollama/m2: in 1 out 2 -> in 1 out 2.5")
        .doesNotContain("ollama/m1");

    Files.writeString(b, "{\"version\": \"b\", \"models\": [{\"provider\": \"acme\","
        + " \"model\": \"y\", \"input\": \"cheap\"}]}");
    Run bad = run("prices", "diff", a.toString(), b.toString());
    assertThat(bad.code()).isEqualTo(2);
    assertThat(bad.err()).contains("acme/y").contains("'input' is not a decimal number");
  }

  @Test
  void theUnpricedStubNamesTheCatalogProviderAndCannotBeLoadedUntilFilledIn() throws Exception {
    String stub = PricesCommand.Unpriced.stub(List.of(
        new IntentReport.Unpriced("aws.bedrock", "acme.new-model-v1:0", 12),
        new IntentReport.Unpriced("ollama", "llama\u001b[31m", 3)));
    assertThat(stub).contains("\"provider\": \"bedrock\", \"model\": \"acme.new-model-v1:0\"")
        .contains("\"provider\": \"ollama\"").doesNotContain("\u001b");
    Path f = dir.resolve("stub.json");
    Files.writeString(f, stub);
    assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> PriceCatalog.load(f)))
        .hasMessageContaining("FILL_ME");
    Files.writeString(f, stub.replace("\"FILL_ME\"", "\"0.5\""));
    PriceCatalog filled = PriceCatalog.merged(PriceCatalog.bundled(), PriceCatalog.load(f));
    PriceResult r = new io.flowcost.pricing.CallPricer(filled)
        .priceModelCall("aws.bedrock", "acme.new-model-v1:0", AT, MILLION_IN);
    assertThat(r.unpriced()).isFalse();
    assertThat(r.costUsd()).isEqualByComparingTo(new BigDecimal("0.5"));
  }

  /** Replaces the first {@code from} inside the LiteLLM entry {@code key} of the map text. */
  private static String replaceIn(String map, String key, String from, String to) {
    int at = map.indexOf("\n \"" + key + "\": {");
    int i = map.indexOf(from, at);
    assertThat(at).isNotNegative();
    assertThat(i).isGreaterThan(at);
    return map.substring(0, i) + to + map.substring(i + from.length());
  }

  private static PriceResult price(PriceCatalogWatcher w, String provider, String model) {
    PriceResult r = w.pricer().priceModelCall(provider, model, AT, MILLION_IN);
    assertThat(r.unpriced()).as(provider + "/" + model).isFalse();
    return r;
  }
}
