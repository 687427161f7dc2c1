package io.flowcost.collector.cli;

import io.flowcost.collector.SafeText;
import io.flowcost.pricing.CallPricer;
import io.flowcost.pricing.CatalogException;
import io.flowcost.pricing.PriceCatalog;
import io.flowcost.collector.rollup.Reprice;
import io.flowcost.collector.rollup.Rollup;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.LocalDate;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code reprice}: re-price the calls of some days with the catalog in force, as a new version. */
@Command(name = "reprice", mixinStandardHelpOptions = true,
    description = {"Re-price the calls of a range of days with the catalog in force.",
        "Prices each call that started on --from..--to (UTC, inclusive) again from its stored"
            + " tokens and served tier with the bundled catalog plus --prices, writes the"
            + " changed pricings to call_prices as a new price version that the calls view and"
            + " every rollup, notebook and report then use, and rolls up the affected days."
            + " The earlier pricing stays readable (views calls_original, call_prices_history;"
            + " older snapshot versions). Running it again with the same catalog changes"
            + " nothing. A malformed --prices file is refused and nothing is written."})
final class RepriceCommand implements Callable<Integer> {

  @Mixin
  LakeOptions lake;

  @Option(names = "--from", required = true, paramLabel = "YYYY-MM-DD",
      description = "First UTC day whose calls are re-priced (by the call's start time).")
  LocalDate from;

  @Option(names = "--to", required = true, paramLabel = "YYYY-MM-DD",
      description = "Last UTC day whose calls are re-priced, inclusive; not before --from.")
  LocalDate to;

  @Mixin
  PriceOverrides prices;

  @Mixin
  OutcomeHorizon horizon;

  @Spec
  CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    PrintWriter err = spec.commandLine().getErr();
    if (to.isBefore(from)) {
      err.println("flowcost-collector reprice: --to " + to + " is before --from " + from);
      err.flush();
      return 2;
    }
    // the catalog first: a malformed overlay must be refused before anything is read or written
    PriceCatalog catalog;
    try {
      catalog = prices.catalog();
    } catch (CatalogException e) {
      err.println("flowcost-collector reprice: " + SafeText.of(e.getMessage(), 500)
          + "; nothing was re-priced");
      err.flush();
      return 2;
    }
    if (lake.refuse(spec.commandLine())) {
      return 2;
    }
    String id = LakeOptions.writerId("reprice");
    Rollup rollup = new Rollup(lake.localRoot(), lake.store(), id, horizon.days, Clock.systemUTC());
    Reprice.Result r = new Reprice(rollup, lake.store(), id, Clock.systemUTC())
        .reprice(from, to, new CallPricer(catalog));
    PrintWriter out = spec.commandLine().getOut();
    out.println("re-priced " + r.callsRepriced() + " of " + r.callsRead() + " calls on "
        + from + ".." + to + " with catalog " + SafeText.of(catalog.version())
        + (r.priceVersion() == 0 ? " (no pricing changed; nothing written)"
            : " as price version " + r.priceVersion()));
    if (r.callsKept() > 0) {
      out.println(r.callsKept() + " call(s) kept their pricing: their stored token counts are"
          + " inconsistent (e.g. cache reads above input), so they cannot be priced again");
    }
    out.println("cost of those calls: " + r.costBefore().toPlainString() + " USD before, "
        + r.costAfter().toPlainString() + " USD after");
    out.println("rolled up " + r.rollup().workflows() + " workflows on "
        + r.rollup().days().size() + " day(s) as version " + r.rollup().version());
    out.flush();
    return 0;
  }
}
