package io.flowcost.examples.compat;

import io.flowcost.examples.fakeprovider.FakeProvider;
import io.flowcost.outcome.Flowcost;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Runs a handful of deterministic LangChain4j workflows (OpenAI tool loop, OpenAI and Anthropic
 * streaming, Anthropic cache write and read, a retried 429, a failing tool, an embedding, outcomes)
 * against an in-process fake provider, printing one line per workflow. Built against the oldest
 * LangChain4j line the agent supports.
 *
 * <pre>
 * java [-javaagent:flowcost-agent.jar] -jar flowcost-compat-lc4j.jar [--exchanges FILE] [--collector URL]
 * </pre>
 *
 * Exits 0 when every workflow ran, 1 when the exchange log cannot be written, 2 on bad arguments.
 */
public final class CompatApp {

  private CompatApp() {}

  /** Runs the app and exits with its exit code (flushing outcome reports on the way out). */
  public static void main(String[] args) {
    int code = run(args, System.out, System.err);
    System.out.flush();
    System.exit(code);
  }

  /** Runs the app; returns the process exit code. */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    Path exchanges = null;
    try {
      for (int i = 0; i < args.length; i++) {
        switch (args[i]) {
          case "--exchanges" -> exchanges = Path.of(args[++i]);
          case "--collector" -> System.setProperty("flowcost.endpoint", args[++i]);
          default -> throw new IllegalArgumentException("unknown option " + args[i]);
        }
      }
    } catch (RuntimeException e) {
      err.println("usage: CompatApp [--exchanges FILE] [--collector URL]");
      return 2;
    }

    try (FakeProvider fake = FakeProvider.start()) {
      new CompatWorkflows(new CompatDesk(fake.baseUrl()), out::println).runAll();
      if (!Flowcost.flush(Duration.ofSeconds(5))) {
        err.println("compat: some outcome reports were not delivered (is the collector running?)");
      }
      if (exchanges != null) {
        fake.writeExchanges(exchanges);
      }
      return 0;
    } catch (IOException e) {
      err.println("compat: cannot write the exchange log: " + e.getClass().getSimpleName());
      return 1;
    }
  }
}
