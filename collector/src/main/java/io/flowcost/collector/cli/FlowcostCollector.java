package io.flowcost.collector.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code java -jar flowcost-collector.jar [serve|report|price|rollup|compact] …}: the collector's
 * command line. With no sub-command it serves.
 */
@Command(name = "flowcost-collector",
    mixinStandardHelpOptions = true,
    versionProvider = Version.class,
    description = {
        "Flowcost collector: receives OTLP spans and outcomes, prices every model and tool"
            + " call, writes a Parquet lake and rolls costs up per workflow.",
        "With no sub-command it runs 'serve'; 'serve --help' lists the server's flags."},
    subcommands = {ServeCommand.class, ReportCommand.class, PriceCommand.class, PricesCommand.class,
        RollupCommand.class, RepriceCommand.class, CompactCommand.class,
        CommandLine.HelpCommand.class})
public final class FlowcostCollector {

  /** Entry point. */
  public static void main(String[] args) {
    if (System.getProperty("java.util.logging.manager") == null) {
      // before anything touches java.util.logging: keep logging during shutdown (see the class)
      System.setProperty("java.util.logging.manager", ShutdownSafeLogManager.class.getName());
    }
    LogSetup.install();
    CommandLine cli = HelpLayout.install(new CommandLine(new FlowcostCollector()));
    cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
      cmd.getErr().println("flowcost-collector: " + e.getMessage());
      return 2;
    });
    String[] effective = args;
    if (args.length == 0 || (args[0].startsWith("-") && !isTopLevelOption(args[0]))) {
      effective = new String[args.length + 1];
      effective[0] = "serve";
      System.arraycopy(args, 0, effective, 1, args.length);
    }
    int code = cli.execute(effective);
    if (code != 0 || !"serve".equals(effective[0])) {
      System.exit(code);
    }
  }

  private static boolean isTopLevelOption(String arg) {
    return arg.equals("-h") || arg.equals("--help") || arg.equals("-V") || arg.equals("--version");
  }
}
