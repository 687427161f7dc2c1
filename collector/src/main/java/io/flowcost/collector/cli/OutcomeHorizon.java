package io.flowcost.collector.cli;

import picocli.CommandLine.Option;

/** The {@code --horizon-days} option of the sub-commands that roll up: serve, rollup, reprice. */
final class OutcomeHorizon {

  @Option(names = "--horizon-days", defaultValue = "7", paramLabel = "DAYS",
      description = "Outcome horizon: an outcome reported later than this after its workflow"
          + " started is counted as late in coverage, not joined, by every rollup"
          + " (default: ${DEFAULT-VALUE}).")
  int days;
}
