package io.flowcost.collector.cli;

import io.flowcost.collector.report.IntentReport;
import io.flowcost.collector.status.CollectorStatus;
import io.flowcost.collector.status.DurationText;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code report}: the per-intent cost table, read from the lake. */
@Command(name = "report", mixinStandardHelpOptions = true,
    description = {"Print the per-intent cost table read from the lake.",
        "Columns: intent and service, workflows, outcomes, success rate, cost, failure waste,"
            + " cost per successful outcome, cache savings (gross, net) and unpriced calls, with"
            + " a TOTAL line. Rows reach the lake at each collector flush (--flush-interval)"
            + " and when the collector stops."})
final class ReportCommand implements Callable<Integer> {

  @Mixin
  LakeOptions lake;

  @Option(names = "--live",
      description = "Derive from the fact tables now instead of the rolled-up snapshots.")
  boolean live;

  @Option(names = "--provider-cost",
      description = "Add the provider-reported cost (OpenRouter, LiteLLM proxy, gen_ai.usage.cost)"
          + " beside the catalog cost, per day and model (view provider_cost_daily).")
  boolean providerCost;

  @Option(names = "--data-dir", defaultValue = "./flowcost-data", paramLabel = "DIR",
      description = "The collector's data dir, read only to tell when rows it accepted but has"
          + " not written to the lake yet will be (default: ${DEFAULT-VALUE}).")
  Path dataDir;

  @Spec
  CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    Optional<String> backlog = backlog(Instant.now());
    if (!lake.isS3()) {
      LakeCheck.State state = LakeCheck.state(lake.localRoot());
      if ((state == LakeCheck.State.MISSING || state == LakeCheck.State.EMPTY)
          && backlog.isPresent()) {
        // the collector writing this lake has not flushed yet: say when it will
        PrintWriter out = spec.commandLine().getOut();
        out.println("No rows in the lake at " + lake.localRoot() + " yet: " + backlog.get());
        out.flush();
        return 0;
      }
      if (lake.refuse(spec.commandLine())) {
        return 2;
      }
    }
    lake.refreshMirror(); // an s3:// lake is read from its local mirror
    IntentReport report = new IntentReport(lake.localRoot(), live);
    report.print(System.out);
    if (providerCost) {
      report.printProviderCost(System.out);
    }
    backlog.ifPresent(b -> System.out.println("Not in this table yet: " + b));
    return 0;
  }

  /**
   * What the collector writing this lake (through {@code --data-dir}) holds that is not in the
   * lake yet, and when it will be; empty when the data dir belongs to no collector of this lake
   * or nothing waits.
   */
  private Optional<String> backlog(Instant now) {
    Path dir = dataDir.toAbsolutePath().normalize();
    Optional<String> owner = CollectorStatus.lakeOf(dir);
    if (owner.isEmpty() || !sameLake(owner.get())) {
      return Optional.empty();
    }
    long pending = CollectorStatus.pendingWalBytes(dir);
    Optional<CollectorStatus> running = CollectorStatus.readRunning(dir);
    if (running.isPresent()) {
      CollectorStatus s = running.get();
      Duration next = s.untilNextFlush(now);
      String when = "it writes accepted rows to the lake every " + DurationText.of(s.flushInterval())
          + " (--flush-interval; next flush in about " + Math.max(1, (next.toMillis() + 999) / 1000)
          + " s) and when it stops (SIGTERM)";
      return Optional.of(pending > 0
          ? "the collector (pid " + s.pid() + ", data dir " + dir + ") holds " + bytes(pending)
              + " of accepted rows in its write-ahead log; " + when + "."
          : "the collector (pid " + s.pid() + ", data dir " + dir + ") has no rows waiting; "
              + when + ".");
    }
    return pending > 0
        ? Optional.of(bytes(pending) + " of accepted rows wait in the write-ahead log of " + dir
            + ", and no collector runs with it: start one with --data-dir " + dir
            + " --lake " + lake.lake + " (it writes them to the lake first).")
        : Optional.empty();
  }

  private boolean sameLake(String owner) {
    if (owner.equals(lake.lake)) {
      return true;
    }
    if (lake.isS3() || owner.contains("://")) {
      return false;
    }
    try {
      return Path.of(owner).toAbsolutePath().normalize().equals(lake.localRoot());
    } catch (RuntimeException e) {
      return false;
    }
  }

  private static String bytes(long n) {
    return n < 1024 ? n + " bytes" : (n + 1023) / 1024 + " KiB";
  }
}
