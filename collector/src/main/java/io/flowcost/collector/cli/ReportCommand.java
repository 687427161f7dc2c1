package io.flowcost.collector.cli;

import io.flowcost.collector.report.IntentReport;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code report}: the per-intent cost table, read from the lake. */
@Command(name = "report", mixinStandardHelpOptions = true,
    description = {"Print the per-intent cost table read from the lake.",
        "Columns: workflows, success rate, cost, failure waste, cost per successful outcome,"
            + " cache savings (gross, net) and unpriced calls, with a TOTAL line."})
final class ReportCommand implements Callable<Integer> {

  @Mixin
  LakeOptions lake;

  @Option(names = "--live",
      description = "Derive from the fact tables now instead of the rolled-up snapshots.")
  boolean live;

  @Override
  public Integer call() throws Exception {
    lake.refreshMirror(); // an s3:// lake is read from its local mirror
    new IntentReport(lake.localRoot(), live).print(System.out);
    return 0;
  }
}
