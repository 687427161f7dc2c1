package io.flowcost.collector.cli;

import io.flowcost.pricing.CatalogException;
import io.flowcost.pricing.PriceCatalog;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * The {@code --prices FILE} option of the sub-commands that price calls once ({@code price},
 * {@code reprice}); {@code serve} has its own, whose file is reloaded while it runs.
 */
final class PriceOverrides {

  @Option(names = "--prices", paramLabel = "FILE",
      description = "Price overrides (Flowcost catalog or LiteLLM model-cost-map JSON) merged over"
          + " the bundled catalog, as the collector's --prices; default: the bundled catalog"
          + " alone. A malformed file is refused, naming the entry, before anything is done.")
  Path file;

  /**
   * The bundled catalog with the overrides merged over it, or the bundled catalog alone.
   *
   * @throws CatalogException when the file cannot be read or is malformed (the message names the
   *     entry)
   */
  PriceCatalog catalog() {
    PriceCatalog bundled = PriceCatalog.bundled();
    return file == null ? bundled : PriceCatalog.merged(bundled, PriceCatalog.load(file));
  }
}
