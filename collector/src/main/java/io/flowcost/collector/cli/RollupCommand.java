package io.flowcost.collector.cli;

import io.flowcost.collector.rollup.LakeRead;
import io.flowcost.collector.rollup.Rollup;
import java.time.Clock;
import java.time.LocalDate;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code rollup}: rebuild workflows and cost_per_outcome snapshots from the facts. */
@Command(name = "rollup", mixinStandardHelpOptions = true,
    description = {"Rebuild the workflows and cost_per_outcome snapshots from the facts.",
        "Re-derives the given days (or all) from calls, workflow_spans and outcomes and writes"
            + " a new, higher snapshot version of each day; use it after late data on a fleet."})
final class RollupCommand implements Callable<Integer> {

  @Mixin
  LakeOptions lake;

  @Option(names = "--day", paramLabel = "YYYY-MM-DD",
      description = "A UTC day to rebuild; repeat for several. Default: every day with workflows.")
  List<LocalDate> days;

  @Option(names = "--rebuild", description = "With no --day: derive and write every day even"
      + " when nothing the rollup reads changed since the last full rollup (by default its"
      + " snapshots are then kept, being exactly what deriving again would write).")
  boolean rebuild;

  @Mixin
  OutcomeHorizon horizon;

  @Spec
  CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    if (lake.refuse(spec.commandLine())) {
      return 2;
    }
    Rollup rollup = new Rollup(lake.localRoot(), lake.store(),
        LakeOptions.writerId("rollup"), horizon.days, Clock.systemUTC());
    // a compaction deleting a file the rollup listed fails it: it is run again from the lake as
    // it is then (a rollup publishes a complete new version, so a repeat is harmless)
    Rollup.Result result = LakeRead.retrying(lake.localRoot(),
        () -> days != null && !days.isEmpty() ? rollup.rollup(new TreeSet<>(days))
            : rebuild ? rollup.rebuildAll() : rollup.rollupAll());
    System.out.println(result.days().isEmpty()
        ? "nothing to roll up: the lake at " + lake.lake + " has no workflows yet"
        : result.kept()
            ? "nothing changed since the full rollup version " + result.version() + ": its "
                + result.workflows() + " workflows on " + result.days().size()
                + " day(s) kept (--rebuild derives them again)"
            : "rolled up " + result.workflows() + " workflows on " + result.days().size()
                + " day(s) as version " + result.version());
    return 0;
  }
}
