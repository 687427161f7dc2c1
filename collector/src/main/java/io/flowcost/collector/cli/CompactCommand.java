package io.flowcost.collector.cli;

import io.flowcost.collector.compact.Compactor;
import java.nio.file.Path;
import java.time.Clock;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code compact}: merge a closed day's small fact files into one file per table and day. */
@Command(name = "compact", mixinStandardHelpOptions = true,
    description = {"Merge the small Parquet files of closed days into one file per table and day.",
        "Closed days are those before today (UTC). Rows are de-duplicated on the row key; the"
            + " merged file is published before the old ones are deleted, so the lake views never"
            + " lose or double a row."})
final class CompactCommand implements Callable<Integer> {

  @Mixin
  LakeOptions lake;

  @Option(names = "--table", defaultValue = "all", paramLabel = "TABLE",
      description = "calls, workflow_spans, outcomes, coverage or all (default: ${DEFAULT-VALUE}).")
  String table;

  @ArgGroup(exclusive = true)
  Days days;

  static final class Days {
    @Option(names = "--day", paramLabel = "YYYY-MM-DD", description = "Compact only this day.")
    LocalDate day;

    @Option(names = "--before", paramLabel = "YYYY-MM-DD",
        description = "Compact every day before this one (default: today, UTC).")
    LocalDate before;
  }

  @Spec
  CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    if (lake.refuse(spec.commandLine())) {
      return 2;
    }
    List<String> tables = "all".equals(table) ? Compactor.tables() : List.of(table);
    Compactor compactor = new Compactor(lake.store(),
        Path.of(System.getProperty("java.io.tmpdir")),
        LakeOptions.writerId("compact"), Clock.systemUTC());
    List<Compactor.Result> results = new ArrayList<>();
    if (days != null && days.day != null) {
      for (String t : tables) {
        compactor.compact(t, days.day).ifPresent(results::add);
      }
    } else {
      LocalDate before = days != null && days.before != null ? days.before : compactor.today();
      results.addAll(compactor.compactBefore(tables, before));
    }
    for (Compactor.Result r : results) {
      System.out.println(r.table() + " " + r.day() + ": " + r.filesMerged() + " files -> 1 ("
          + r.rowsAfter() + " rows" + (r.rowsBefore() > r.rowsAfter()
              ? ", " + (r.rowsBefore() - r.rowsAfter()) + " duplicates dropped" : "") + ")");
    }
    System.out.println(
        "compacted " + results.size() + " partition(s) of " + lake.store().describe());
    return 0;
  }
}
