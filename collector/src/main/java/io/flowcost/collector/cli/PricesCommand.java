package io.flowcost.collector.cli;

import io.flowcost.collector.SafeText;
import io.flowcost.collector.pricing.CatalogDiff;
import io.flowcost.pricing.CatalogException;
import io.flowcost.pricing.CatalogWriter;
import io.flowcost.pricing.ModelResolver;
import io.flowcost.pricing.PriceCatalog;
import io.flowcost.collector.report.IntentReport;
import io.flowcost.lake.store.DurableFiles;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code prices}: keep the price catalog current without a release — import a newer LiteLLM
 * map as an overlay, compare two catalogs, list the models a lake saw unpriced.
 */
@Command(name = "prices", mixinStandardHelpOptions = true,
    description = {"Keep prices current without a new collector release.",
        "  prices import litellm FILE|URL   write an overlay (--prices file) from a newer LiteLLM"
            + " map and show what changes",
        "  prices diff OLD NEW              what changes between two catalog files",
        "  prices unpriced --lake DIR       models seen unpriced, with a stub to price them"},
    subcommands = {PricesCommand.Import.class, PricesCommand.Diff.class,
        PricesCommand.Unpriced.class})
final class PricesCommand implements Callable<Integer> {

  @Spec
  CommandSpec spec;

  @Override
  public Integer call() {
    throw new CommandLine.ParameterException(spec.commandLine(),
        "name a sub-command: import, diff or unpriced (see 'prices --help')");
  }

  /** {@code prices import litellm FILE|URL}. */
  @Command(name = "import", mixinStandardHelpOptions = true,
      description = {"Write a Flowcost overlay from a LiteLLM model_prices_and_context_window.json"
          + " and print what it adds, changes and removes against the bundled catalog, per"
          + " provider.",
          "Selects as the bundled catalog does (docs/pricing.md): OpenAI, Anthropic, Gemini,"
              + " Vertex AI, Bedrock, Azure, Azure AI, Mistral, DeepSeek, xAI, Cohere, Groq;"
              + " models not past their deprecation date; curated entries keep winning.",
          "Use the file with 'serve --prices FILE': a running collector reloads it within 2 s.",
          "A malformed map is refused with the entry at fault; the existing overlay stays."})
  static final class Import implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "FORMAT", description = "litellm (the only format).")
    String format;

    @Parameters(index = "1", paramLabel = "FILE|URL",
        description = "The map: a file, or an http(s) URL (fetched once, 60 s time-out).")
    String source;

    @Option(names = "--out", defaultValue = "flowcost-prices.json", paramLabel = "FILE",
        description = "Overlay to write, replaced atomically (default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--as-of", paramLabel = "YYYY-MM-DD",
        description = "Drop models deprecated before this UTC day (default: today).")
    LocalDate asOf;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException, InterruptedException {
      PrintWriter err = spec.commandLine().getErr();
      if (!"litellm".equalsIgnoreCase(format)) {
        err.println("flowcost-collector prices import: unknown format '" + SafeText.of(format)
            + "'; the only one is: litellm");
        err.flush();
        return 2;
      }
      LocalDate day = asOf != null ? asOf : LocalDate.now(ZoneOffset.UTC);
      byte[] bytes;
      try {
        bytes = read(source);
      } catch (IOException e) {
        err.println("flowcost-collector prices import: cannot read " + SafeText.of(source) + ": "
            + SafeText.of(String.valueOf(e.getMessage())));
        err.flush();
        return 2;
      }
      PriceCatalog selected;
      try {
        selected = PriceCatalog.liteLlmSelection(bytes, source, day);
      } catch (CatalogException e) {
        err.println("flowcost-collector prices import: refused, " + SafeText.of(e.getMessage(), 500)
            + " (" + out + " is unchanged)");
        err.flush();
        return 2;
      }
      String json = CatalogWriter.toJson(selected, selected.version(),
          "Imported by 'flowcost-collector prices import litellm' from " + source + " on "
              + LocalDate.now(ZoneOffset.UTC) + " (deprecation cut-off " + day + "). Lay it over"
              + " the bundled catalog with --prices; the curated entries are not in it, they keep"
              + " winning.");
      writeAtomically(out, json);
      PrintWriter o = spec.commandLine().getOut();
      o.println("Against the bundled catalog's generated entries ("
          + PriceCatalog.bundledGenerated().version() + "):");
      CatalogDiff.of(PriceCatalog.bundledGenerated(), selected,
          day.atStartOfDay(ZoneOffset.UTC).toInstant()).print(o);
      o.println("Wrote " + selected.models().size() + " entries (version " + selected.version()
          + ") to " + out + ". Use it with: serve --prices " + out
          + " (a collector already started with it reloads within 2 s; removed models keep"
          + " their bundled price).");
      o.flush();
      return 0;
    }

    private static byte[] read(String source) throws IOException, InterruptedException {
      if (source.startsWith("http://") || source.startsWith("https://")) {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(20))
            .followRedirects(HttpClient.Redirect.NORMAL).build();
        HttpResponse<byte[]> r = client.send(HttpRequest.newBuilder(URI.create(source))
            .timeout(Duration.ofSeconds(60)).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
        if (r.statusCode() != 200) {
          throw new IOException("HTTP " + r.statusCode());
        }
        return r.body();
      }
      return Files.readAllBytes(Path.of(source));
    }

    /**
     * Durably and atomically (a collector reloading the file never sees half of it), and only
     * once the written file reads back as a catalog: a bug here must not ship a file.
     */
    private static void writeAtomically(Path target, String json) throws IOException {
      DurableFiles.replace(target, out -> out.write(json.getBytes(StandardCharsets.UTF_8)),
          PriceCatalog::load);
    }
  }

  /** {@code prices diff OLD NEW}. */
  @Command(name = "diff", mixinStandardHelpOptions = true,
      description = "Print what changes between two catalog files (Flowcost format or LiteLLM"
          + " maps): entries added, changed and removed, per provider.")
  static final class Diff implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "OLD")
    Path before;

    @Parameters(index = "1", paramLabel = "NEW")
    Path after;

    @Option(names = "--at", paramLabel = "YYYY-MM-DD",
        description = "Compare the entries in force on this UTC day (default: today).")
    LocalDate at;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
      Instant when = (at != null ? at : LocalDate.now(ZoneOffset.UTC))
          .atStartOfDay(ZoneOffset.UTC).toInstant();
      PriceCatalog a;
      PriceCatalog b;
      try {
        a = PriceCatalog.load(before);
        b = PriceCatalog.load(after);
      } catch (CatalogException e) {
        spec.commandLine().getErr().println("flowcost-collector prices diff: "
            + SafeText.of(e.getMessage(), 500));
        spec.commandLine().getErr().flush();
        return 2;
      }
      CatalogDiff.of(a, b, when).print(spec.commandLine().getOut());
      return 0;
    }
  }

  /** {@code prices unpriced --lake DIR}. */
  @Command(name = "unpriced", mixinStandardHelpOptions = true,
      description = {"List the models the lake saw unpriced (cost NULL), with call counts, and a"
          + " stub to paste into a --prices file: fill in the prices and the calls are priced"
          + " from then on ('reprice' prices the past ones)."})
  static final class Unpriced implements Callable<Integer> {

    @Mixin
    LakeOptions lake;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      if (!lake.isS3() && lake.refuse(spec.commandLine())) {
        return 2;
      }
      lake.refreshMirror();
      List<IntentReport.Unpriced> models = new IntentReport(lake.localRoot(), false).unpriced();
      PrintWriter o = spec.commandLine().getOut();
      if (models.isEmpty()) {
        o.println("No unpriced calls: every model call in the lake has a price.");
        o.flush();
        return 0;
      }
      o.println("Models seen unpriced (calls):");
      for (IntentReport.Unpriced u : models) {
        o.printf("  %-60s %d%n", SafeText.of(u.provider() + "/" + u.model()), u.calls());
      }
      o.println();
      o.println("Stub for a --prices file (USD per million tokens; replace every FILL_ME — the"
          + " collector refuses the file until you do):");
      o.print(stub(models));
      o.flush();
      return 0;
    }

    static String stub(List<IntentReport.Unpriced> models) {
      StringBuilder b = new StringBuilder("{\n  \"version\": \"local-"
          + LocalDate.now(ZoneOffset.UTC) + "\",\n  \"models\": [\n");
      for (int i = 0; i < models.size(); i++) {
        IntentReport.Unpriced u = models.get(i);
        String provider = "?".equals(u.provider()) ? "FILL_ME"
            : ModelResolver.catalogProvider(u.provider());
        b.append("    {\"provider\": ").append(jsonString(provider))
            .append(", \"model\": ").append(jsonString(u.model()))
            .append(", \"input\": \"FILL_ME\", \"output\": \"FILL_ME\"}")
            .append(i + 1 < models.size() ? ",\n" : "\n");
      }
      return b.append("  ]\n}\n").toString();
    }

    /** Names come from requests: escaped for the terminal, then quoted as JSON. */
    private static String jsonString(String s) {
      String safe = SafeText.of(s);
      StringBuilder b = new StringBuilder("\"");
      for (char c : safe.toCharArray()) {
        if (c == '"' || c == '\\') {
          b.append('\\');
        }
        b.append(c);
      }
      return b.append('"').toString();
    }
  }
}
