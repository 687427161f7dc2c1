package io.flowcost.examples.demo;

import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.service.TokenStream;
import io.flowcost.outcome.Flowcost;
import io.flowcost.outcome.Workflow;
import java.math.BigDecimal;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * The demo's fixed, ordered list of claims-desk workflows.
 *
 * <p>Claim texts carry the fake provider's script markers ({@code [tool:...]}, {@code
 * [fail:429]}, …, see {@code FakeProvider}), which decide what the model "answers". Each workflow
 * prints one line: number, workflow name, business key, team, outcome and result text.
 */
final class ClaimWorkflows {

  /** How a workflow ended, as printed. */
  private record Step(String outcome, String result) {}

  /** A workflow body; may report the outcome through the open workflow. */
  @FunctionalInterface
  private interface Body {
    Step run(Workflow workflow) throws Exception;
  }

  private final ClaimsDesk desk;
  private final Consumer<String> out;
  private int number;

  ClaimWorkflows(ClaimsDesk desk, Consumer<String> out) {
    this.desk = desk;
    this.out = out;
  }

  /** Runs every workflow in order, on the calling thread. */
  void runAll() {
    // 1. Anthropic tool loop: the first turn writes the cached manual, the second reads it.
    explicit("summarize-claim", "claims", "summary", "CLM-1001", wf -> {
      String summary = desk.summarizer.summarize(
          "Claim CLM-1001 on policy P-1001: windshield cracked by a stone on the motorway."
              + " [tool:lookupPolicy {\"policyId\":\"P-1001\"}]");
      wf.outcome().success().value(new BigDecimal("180.00")).unit("EUR").report();
      return new Step("success", summary);
    });
    // 2. Anthropic, 1-hour cache write; the outcome arrives later by business key.
    explicit("summarize-claim", "claims", "summary", "CLM-1002", wf -> new Step(
        "success(by-key)",
        desk.summarizer.summarize(
            "Claim CLM-1002 on policy P-2001: burst pipe flooded the kitchen. [cache-write-1h]")));
    Flowcost.outcomeForKey("CLM-1002").success().value(new BigDecimal("2850.00")).unit("EUR")
        .report();
    // 3. OpenAI tool loop with two tools: three model calls.
    explicit("assess-damage", "claims", "assessment", "CLM-1003", wf -> {
      String assessment = desk.assessor.assess(
          "Claim CLM-1003 on policy P-1003: windshield shattered in a hailstorm."
              + " [tool:lookupPolicy {\"policyId\":\"P-1003\"}]"
              + " [tool:estimateRepair {\"item\":\"windshield\"}]");
      wf.outcome().success().value(new BigDecimal("380.00")).unit("EUR").report();
      return new Step("success", assessment);
    });
    // 4. A tool that throws (no tariff for the item); the answer is judged wrong.
    explicit("assess-damage", "claims", "assessment", "CLM-1004", wf -> {
      String assessment = desk.assessor.assess(
          "Claim CLM-1004 on policy P-1001: hovercraft damaged at the marina."
              + " [tool:estimateRepair {\"item\":\"hovercraft\"}]");
      wf.failure("wrong_answer");
      return new Step("failure(wrong_answer)", assessment);
    });
    // 5. OpenAI streaming through a TokenStream-returning AI service.
    explicit("draft-letter", "claims", "letters", "CLM-1005", wf -> {
      String letter = collect(desk.letters.draftLetter(
          "Claim CLM-1005 on policy P-1001: settlement of 620 EUR agreed, write the letter."));
      wf.success();
      return new Step("success", letter);
    });
    // 6. The first attempt gets 429; LangChain4j's retry succeeds.
    explicit("screen-fraud", "fraud", "screening", "CLM-1006", wf -> {
      String verdict = desk.screener.screen(
          "Claim CLM-1006 on policy P-2001: laptop stolen from a parked car. [fail:429]");
      wf.success();
      return new Step("success", verdict);
    });
    // 7. Anthropic streaming with a tool; the screening flag turns out to be a false positive.
    explicit("screen-fraud", "fraud", "screening", "CLM-1007", wf -> {
      String note = collect(desk.triage.triage(
          "Claim CLM-1007 on policy P-1007: jewellery lost twelve days after inception."
              + " [tool:lookupPolicy {\"policyId\":\"P-1007\"}]"));
      wf.failure("false_positive");
      return new Step("failure(false_positive)", note);
    });
    // 8. One embedding call routes the claim.
    explicit("route-claim", "claims", "routing", "CLM-1008", wf -> {
      String routed = desk.router.route(
          "Claim CLM-1008: water from the neighbour's flat damaged the living-room ceiling.");
      wf.success();
      return new Step("success", "desk=" + routed);
    });
    // 9. The provider keeps failing: the AI-service call throws after its retry.
    explicit("screen-fraud", "fraud", "screening", "CLM-1009", wf -> {
      try {
        return new Step("success", desk.screener.screen(
            "Claim CLM-1009 on policy P-2001: television damaged by a power surge."
                + " [fail-always:500]"));
      } catch (RuntimeException e) {
        wf.fail(e);
        wf.failure("provider_error");
        return new Step("failure(provider_error)", "error=" + e.getClass().getSimpleName());
      }
    });
    // 10. Nobody ever reports an outcome for this one: it stays unknown.
    explicit("summarize-claim", "claims", "summary", "CLM-1010", wf -> new Step(
        "unknown",
        desk.summarizer.summarize(
            "Claim CLM-1010 on policy P-1001: side mirror knocked off while parked.")));
    // 11-12. Plain AI-service calls, no explicit workflow: named <Interface>.<method>.
    implicit("DamageAssessor.assess", () -> desk.assessor.assess(
        "Claim CLM-1011 on policy P-1001: rear bumper dented while reversing."
            + " [tool:estimateRepair {\"item\":\"rear bumper\"}]"));
    implicit("TriageDesk.triage", () -> collect(desk.triage.triage(
        "Claim CLM-1012 on policy P-2001: bicycle stolen from the garden shed. [cache-hit]")));
  }

  /** The business keys of {@link #runAll()}, in order, for readers of the output. */
  static List<String> keys() {
    return List.of("CLM-1001", "CLM-1002", "CLM-1003", "CLM-1004", "CLM-1005", "CLM-1006",
        "CLM-1007", "CLM-1008", "CLM-1009", "CLM-1010", "-", "-");
  }

  private void explicit(String name, String team, String feature, String key, Body body) {
    Step step;
    try (Workflow wf = Flowcost.workflow(name).tag("team", team).tag("feature", feature)
        .externalKey(key).start()) {
      try {
        step = body.run(wf);
      } catch (Exception e) {
        // Not expected by the script; keep going with the next workflow.
        wf.fail(e);
        step = new Step("unknown", "error=" + e.getClass().getSimpleName());
      }
    }
    print(name, key, team, step);
  }

  private void implicit(String name, ThrowingSupplier call) {
    Step step;
    try {
      step = new Step("unknown", call.get());
    } catch (Exception e) {
      step = new Step("unknown", "error=" + e.getClass().getSimpleName());
    }
    print(name, "-", "-", step);
  }

  private void print(String name, String key, String team, Step step) {
    number++;
    out.accept(String.format("%02d %s key=%s team=%s outcome=%s result=%s",
        number, name, key, team, step.outcome(), step.result()));
  }

  /** Waits for a streamed answer and returns its full text. */
  static String collect(TokenStream stream)
      throws InterruptedException, ExecutionException, TimeoutException {
    CompletableFuture<ChatResponse> done = new CompletableFuture<>();
    StringBuilder partial = new StringBuilder();
    stream.onPartialResponse(partial::append)
        .onCompleteResponse(done::complete)
        .onError(done::completeExceptionally)
        .start();
    ChatResponse response = done.get(60, TimeUnit.SECONDS);
    String text = response.aiMessage().text();
    return text != null ? text : partial.toString();
  }

  @FunctionalInterface
  private interface ThrowingSupplier {
    String get() throws Exception;
  }
}
