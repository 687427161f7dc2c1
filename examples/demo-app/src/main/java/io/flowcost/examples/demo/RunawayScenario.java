package io.flowcost.examples.demo;

import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.service.AiServices;
import io.flowcost.outcome.Flowcost;
import io.flowcost.outcome.Workflow;
import io.flowcost.outcome.WorkflowCapExceededException;
import java.util.function.Consumer;

/**
 * The {@code --runaway} workload: one workflow, {@value #NAME}, whose LangChain4j tool loop never
 * ends on its own — the fake provider answers every turn with another tool call ({@code
 * [tool-loop:lookupPolicy]}). The app's only end is LangChain4j's limit of {@value #APP_MAX_TOOL_ROUNDS}
 * sequential tool rounds; a Flowcost cap in {@code enforce} mode stops it earlier with {@link
 * WorkflowCapExceededException}. Either way the workflow is a failure (outcome reason {@value
 * #CAP_EXCEEDED} or {@value #ENDED_BY_APP}, the exception its error type). Prints one line: how it
 * ended.
 */
final class RunawayScenario {

  /** The workflow name, so {@code flowcost.caps.runaway-agent=…} caps it. */
  static final String NAME = "runaway-agent";
  /** Its business key. */
  static final String KEY = "RUN-3001";
  /** The app's own end of the loop (LangChain4j's {@code maxSequentialToolsInvocations}). */
  static final int APP_MAX_TOOL_ROUNDS = 12;
  /** The outcome reason when a Flowcost cap stopped the loop. */
  static final String CAP_EXCEEDED = "cap_exceeded";
  /** The outcome reason when the app's own limit (or any other error) ended the loop. */
  static final String ENDED_BY_APP = "ended_by_app";
  /** The model asked unless {@code --runaway-model} names another. */
  static final String DEFAULT_MODEL = "gpt-4o-mini";

  private final RunawayAgent agent;
  private final Consumer<String> out;
  private final String attachment;

  /**
   * @param modelName the model the loop calls ({@code --runaway-model}, default {@value
   *     #DEFAULT_MODEL}); a pricier one makes a {@code max-cost-usd} cap bite within the app's
   *     own limit of rounds
   * @param attachmentChars characters of claim file sent with the question ({@code
   *     --runaway-attachment-chars}, default 0): every turn carries them again, as a real agent's
   *     growing context does
   */
  RunawayScenario(String baseUrl, String modelName, int attachmentChars, Consumer<String> out) {
    OpenAiChatModel model = OpenAiChatModel.builder().baseUrl(baseUrl).apiKey("demo-key")
        .modelName(modelName).maxRetries(1).build();
    this.agent = AiServices.builder(RunawayAgent.class).chatModel(model).tools(new PolicyTools())
        .maxSequentialToolsInvocations(APP_MAX_TOOL_ROUNDS).build();
    this.out = out;
    this.attachment = claimFile(attachmentChars);
  }

  /** Deterministic claim-file text of exactly {@code chars} characters (no fake markers). */
  static String claimFile(int chars) {
    if (chars == 0) {
      return "";
    }
    StringBuilder b = new StringBuilder(chars + 64).append("\nClaim file:\n");
    for (int line = 1; b.length() < chars; line++) {
      b.append("line ").append(line).append(": water damage, kitchen, reported by the holder.\n");
    }
    b.setLength(chars);
    return b.toString();
  }

  /**
   * The same loop with no workflow around it, for {@link UncappedRunaway}: without the agent
   * nothing caps it, so it ends only at the app's own limit.
   *
   * @return how it ended, {@code ended-by-app=<exception>} (or {@code answer=…} should the loop
   *     ever end by itself)
   */
  String runWithoutWorkflow() {
    try {
      return "answer=" + agent.resolve(question());
    } catch (RuntimeException e) {
      return "ended-by-app=" + e.getClass().getSimpleName();
    }
  }

  private String question() {
    return "Claim " + KEY + ": which policy covers it? [tool-loop:lookupPolicy]" + attachment;
  }

  void run() {
    String result;
    try (Workflow wf = Flowcost.workflow(NAME).tag("team", "claims").tag("feature", "runaway")
        .externalKey(KEY).start()) {
      try {
        result = "answer=" + agent.resolve(question());
        wf.success();
      } catch (WorkflowCapExceededException e) {
        // fail(e) only marks the workflow span (error type = the exception); without an outcome
        // the lake would call the stopped run "unknown" rather than the failure it is
        wf.fail(e);
        wf.failure(CAP_EXCEEDED);
        result = "stopped-by-cap=" + e.capKind().key() + " limit=" + e.limit().toPlainString()
            + " spent=" + e.spent().toPlainString() + " " + e.capKind().unit();
      } catch (RuntimeException e) {
        wf.fail(e);
        wf.failure(ENDED_BY_APP);
        result = "ended-by-app=" + e.getClass().getSimpleName();
      }
    }
    out.accept("R01 " + NAME + " key=" + KEY + " " + result);
  }
}
