package io.flowcost.examples.compat;

import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.service.TokenStream;
import io.flowcost.outcome.Flowcost;
import io.flowcost.outcome.Workflow;
import java.math.BigDecimal;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The app's fixed, ordered list of workflows. Claim texts carry the fake provider's script
 * markers, which decide what the model "answers"; each workflow prints one line: number, name,
 * outcome and result text.
 */
final class CompatWorkflows {

  /** A workflow body returning the printed result. */
  @FunctionalInterface
  private interface Body {
    String run() throws Exception;
  }

  private final CompatDesk desk;
  private final Consumer<String> out;
  private int number;

  CompatWorkflows(CompatDesk desk, Consumer<String> out) {
    this.desk = desk;
    this.out = out;
  }

  /** Runs every workflow in order, on the calling thread. */
  void runAll() {
    // 1. outcome-api workflow: OpenAI tool loop with two tools (three model calls), then an
    //    outcome with a value.
    try (Workflow wf = Flowcost.workflow("assess-damage").tag("team", "claims")
        .externalKey("CMP-1").start()) {
      String answer = call(() -> desk.assessor.assess(
          "Claim CMP-1 on policy P-1001: windshield cracked by a stone."
              + " [tool:lookupPolicy {\"policyId\":\"P-1001\"}]"
              + " [tool:estimateRepair {\"item\":\"windshield\"}]"));
      wf.outcome().success().value(new BigDecimal("480.00")).unit("EUR").report();
      print("assess-damage", "success", answer);
    }
    // 2. Anthropic, plain: the first call writes the cached system prompt, the second reads it.
    try (Workflow wf = Flowcost.workflow("summarize-claim").tag("team", "claims")
        .externalKey("CMP-2").start()) {
      String first = call(() -> desk.summarizer.summarize(
          "Claim CMP-2 on policy P-2001: burst pipe flooded the kitchen."));
      String second = call(() -> desk.summarizer.summarize(
          "Claim CMP-2, follow-up: the customer sent photos of the kitchen. [cache-hit]"));
      wf.success();
      print("summarize-claim", "success", first + " | " + second);
    }
    // 3. OpenAI streaming through a TokenStream-returning AI service (implicit workflow).
    print("LetterWriter.draftLetter", "unknown", call(() -> collect(desk.letters.draftLetter(
        "Claim CMP-3 on policy P-1001: settlement of 620 EUR agreed, write the letter."))));
    // 4. The first attempt gets 429; LangChain4j's retry succeeds.
    print("Screener.screen", "unknown", call(() -> desk.screener.screen(
        "Claim CMP-4 on policy P-2001: laptop stolen from a parked car. [fail:429]")));
    // 5. A tool that throws; LangChain4j hands the error back to the model.
    print("Assessor.assess", "unknown", call(() -> desk.assessor.assess(
        "Claim CMP-5 on policy P-1001: hovercraft damaged at the marina."
            + " [tool:estimateRepair {\"item\":\"hovercraft\"}]")));
    // 6. Anthropic streaming with a tool: the streaming tool loop.
    print("Triage.triage", "unknown", call(() -> collect(desk.triage.triage(
        "Claim CMP-6 on policy P-1007: jewellery lost twelve days after inception."
            + " [tool:lookupPolicy {\"policyId\":\"P-1007\"}]"))));
    // 7. One embedding call inside an outcome-api workflow.
    try (Workflow wf = Flowcost.workflow("route-claim").tag("team", "claims")
        .externalKey("CMP-7").start()) {
      String dimensions = call(() -> "dimensions=" + desk.embeddings.embed(
          "Claim CMP-7: water from the neighbour's flat damaged the ceiling.").content()
          .dimension());
      wf.success();
      print("route-claim", "success", dimensions);
    }
  }

  /** Runs a body; an unexpected exception becomes the printed result (its type only). */
  private static String call(Body body) {
    try {
      return body.run();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "error=" + e.getClass().getSimpleName();
    } catch (Exception e) {
      return "error=" + e.getClass().getSimpleName();
    }
  }

  private void print(String name, String outcome, String result) {
    number++;
    out.accept(String.format("%02d %s outcome=%s result=%s", number, name, outcome, result));
  }

  /** Waits for a streamed answer and returns its full text. */
  private static String collect(TokenStream stream) throws Exception {
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
}
