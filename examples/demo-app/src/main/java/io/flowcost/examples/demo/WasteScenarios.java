package io.flowcost.examples.demo;

import io.flowcost.outcome.Flowcost;
import io.flowcost.outcome.Workflow;
import java.util.function.Consumer;

/**
 * The {@code --waste-scenarios} workload: workflows in which the provider bills an answer the app
 * throws away, next to failures the provider does not bill. Each line: number, workflow name,
 * business key, outcome and what happened. Every workflow succeeds in the end, so its failure
 * waste is exactly the cost of the answers thrown away.
 *
 * <ol>
 *   <li>{@code advise-payout}: an output guardrail rejects the first answer and reprompts.
 *   <li>{@code grade-damage}: the first JSON answer does not parse; {@code
 *       JsonExtractorOutputGuardrail} reprompts.
 *   <li>{@code grade-damage}: no guardrail; the first invocation throws on unparseable JSON (a
 *       failed step) and the app retries it.
 *   <li>{@code summarize-claim}: the client times out while the provider answers (billed,
 *       estimated); the app falls back to a second call.
 *   <li>{@code screen-fraud}: a 429 and a 500, retried; the provider bills neither.
 * </ol>
 */
final class WasteScenarios {

  private static final String DAMAGE_JSON = "[json-answer {\"severity\": \"minor\", \"amount\": 640}]";

  private final WasteDesk desk;
  private final Consumer<String> out;
  private int number;

  WasteScenarios(WasteDesk desk, Consumer<String> out) {
    this.desk = desk;
    this.out = out;
  }

  void runAll() {
    run("advise-payout", "WST-2001", () -> desk.advisor.advise("WST-2001",
        "Claim WST-2001: can the customer be paid for the stolen bicycle today? [off-policy]"));
    run("grade-damage", "WST-2002", () -> desk.guardedGrader.grade("WST-2002",
        "Claim WST-2002: hail dents on the car roof. [bad-json] " + DAMAGE_JSON).toString());
    run("grade-damage", "WST-2003", () -> {
      String claim = "Claim WST-2003: scratched rear door. [bad-json] " + DAMAGE_JSON;
      try {
        return desk.plainGrader.grade(claim).toString();
      } catch (RuntimeException unparseable) {
        return "retried " + desk.plainGrader.grade(claim); // the app's own retry
      }
    });
    run("summarize-claim", "WST-2004", () -> {
      try {
        return desk.hastySummarizer.summarize("Claim WST-2004: flooded basement. [slow:1500]");
      } catch (RuntimeException timedOut) {
        return "fallback " + desk.summarizer.summarize("Claim WST-2004: flooded basement.");
      }
    });
    run("screen-fraud", "WST-2005", () -> desk.screener.screen(
        "Claim WST-2005: phone dropped in the sea. [fail:429]")
        + " / " + desk.screener.screen("Claim WST-2005: second opinion. [fail:500]"));
  }

  private void run(String name, String key, Body body) {
    String result;
    String outcome;
    try (Workflow wf = Flowcost.workflow(name).tag("team", "waste").tag("feature", "scenarios")
        .externalKey(key).start()) {
      try {
        result = body.run();
        wf.success();
        outcome = "success";
      } catch (RuntimeException e) {
        wf.fail(e);
        result = "error=" + e.getClass().getSimpleName();
        outcome = "unknown";
      }
    }
    number++;
    out.accept(String.format("W%02d %s key=%s outcome=%s result=%s", number, name, key, outcome,
        result));
  }

  @FunctionalInterface
  private interface Body {
    String run();
  }
}
