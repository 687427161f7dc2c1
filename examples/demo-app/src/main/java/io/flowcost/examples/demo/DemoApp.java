package io.flowcost.examples.demo;

import io.flowcost.examples.fakeprovider.FakeProvider;
import io.flowcost.outcome.Flowcost;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The Flowcost demo workload: a LangChain4j "claims desk" that runs a fixed list of workflows
 * against the fake LLM provider and prints one deterministic line per workflow.
 *
 * <pre>
 * java [-javaagent:flowcost-agent.jar -Dflowcost.service=claims-bot] -jar flowcost-demo.jar
 *     [--provider-url http://127.0.0.1:PORT/v1] [--exchanges FILE] [--collector URL]
 *     [--waste-scenarios] [--runaway] [--runaway-only] [--runaway-uncapped]
 * </pre>
 *
 * <ul>
 *   <li>{@code --provider-url}: use a running fake provider instead of starting one in-process.
 *   <li>{@code --exchanges FILE}: write the fake provider's exchange log (JSON) there at the end.
 *   <li>{@code --collector URL}: where {@code outcome-api} reports outcomes (sets {@code
 *       flowcost.endpoint}); default {@code FLOWCOST_ENDPOINT}, else {@code
 *       http://127.0.0.1:4318}.
 *   <li>{@code --runaway}: after the claims-desk workflows, run {@link RunawayScenario} (a tool
 *       loop that never ends on its own; cap it with {@code flowcost.caps.runaway-agent})
 *   <li>{@code --runaway-only}: run only {@link RunawayScenario}
 *   <li>{@code --runaway-uncapped}: run only the runaway's tool loop with no workflow and no cap
 *       (start it without the agent) and print what it cost at list prices ({@link
 *       UncappedRunaway}): the counterfactual the demo compares a capped run with; needs the
 *       in-process fake provider
 *   <li>{@code --waste-scenarios}: run {@link WasteScenarios} (answers billed and thrown away)
 *       instead of the claims-desk workflows.
 * </ul>
 *
 * Exits 0 when every workflow ran, including those that fail by design; 2 on bad arguments.
 */
public final class DemoApp {

  private DemoApp() {}

  /** Runs the demo and exits with its exit code (flushing outcome reports on the way out). */
  public static void main(String[] args) {
    int code = run(args, System.out, System.err);
    System.out.flush();
    System.exit(code);
  }

  /** Runs the demo; returns the process exit code. */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    String providerUrl = null;
    Path exchanges = null;
    boolean waste = false;
    boolean runaway = false;
    boolean runawayOnly = false;
    boolean runawayUncapped = false;
    String runawayModel = RunawayScenario.DEFAULT_MODEL;
    int runawayAttachment = 0;
    try {
      for (int i = 0; i < args.length; i++) {
        switch (args[i]) {
          case "--provider-url" -> providerUrl = args[++i];
          case "--exchanges" -> exchanges = Path.of(args[++i]);
          case "--collector" -> System.setProperty("flowcost.endpoint", args[++i]);
          case "--waste-scenarios" -> waste = true;
          case "--runaway" -> runaway = true;
          case "--runaway-only" -> runawayOnly = true;
          case "--runaway-uncapped" -> runawayUncapped = true;
          case "--runaway-model" -> runawayModel = args[++i];
          case "--runaway-attachment-chars" -> {
            runawayAttachment = Integer.parseInt(args[++i]);
            if (runawayAttachment < 0 || runawayAttachment > 1_000_000) {
              throw new IllegalArgumentException("--runaway-attachment-chars out of range");
            }
          }
          default -> throw new IllegalArgumentException("unknown option " + args[i]);
        }
      }
      if (runawayUncapped && providerUrl != null) {
        throw new IllegalArgumentException("--runaway-uncapped prices the in-process fake's log");
      }
    } catch (RuntimeException e) {
      err.println("usage: DemoApp [--provider-url URL] [--exchanges FILE] [--collector URL]"
          + " [--waste-scenarios] [--runaway] [--runaway-only] [--runaway-model NAME]"
          + " [--runaway-attachment-chars N] [--runaway-uncapped]");
      return 2;
    }

    FakeProvider fake = providerUrl == null ? FakeProvider.start() : null;
    try {
      String baseUrl = fake != null ? fake.baseUrl() : providerUrl;
      if (runawayUncapped) {
        RunawayScenario loop = new RunawayScenario(baseUrl, runawayModel, runawayAttachment, out::println);
        String ended = loop.runWithoutWorkflow();
        UncappedRunaway.Cost cost = UncappedRunaway.price(fake.exchanges(), java.time.Instant.now());
        out.println("U01 " + RunawayScenario.NAME + " uncapped " + ended + " model_calls="
            + cost.modelCalls() + " cost_usd=" + cost.costUsd().toPlainString());
      } else if (runawayOnly) {
        new RunawayScenario(baseUrl, runawayModel, runawayAttachment, out::println).run();
      } else if (waste) {
        new WasteScenarios(new WasteDesk(baseUrl), out::println).runAll();
      } else {
        new ClaimWorkflows(new ClaimsDesk(baseUrl), out::println).runAll();
        if (runaway) {
          new RunawayScenario(baseUrl, runawayModel, runawayAttachment, out::println).run();
        }
      }
      if (!Flowcost.flush(Duration.ofSeconds(5))) {
        err.println("demo: some outcome reports were not delivered (is the collector running?)");
      }
      if (exchanges != null) {
        if (fake != null) {
          fake.writeExchanges(exchanges);
        } else {
          fetchExchanges(providerUrl, exchanges);
        }
      }
      return 0;
    } catch (IOException e) {
      err.println("demo: cannot write the exchange log: " + e.getClass().getSimpleName());
      return 1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 1;
    } finally {
      if (fake != null) {
        fake.close();
      }
    }
  }

  /** Copies {@code GET /_fake/exchanges} of an external fake provider to {@code file}. */
  private static void fetchExchanges(String providerUrl, Path file)
      throws IOException, InterruptedException {
    String root = providerUrl.replaceAll("/+$", "").replaceAll("/v1$", "");
    HttpResponse<byte[]> response = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create(root + "/_fake/exchanges")).build(),
        HttpResponse.BodyHandlers.ofByteArray());
    if (response.statusCode() != 200) {
      throw new IOException("exchange log request returned HTTP " + response.statusCode());
    }
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    Files.write(file, response.body());
  }
}
