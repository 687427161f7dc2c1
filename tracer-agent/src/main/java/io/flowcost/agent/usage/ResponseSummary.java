package io.flowcost.agent.usage;

import java.util.Collections;
import java.util.List;

/**
 * What the agent keeps of one provider response: the responded model, finish reasons and usage —
 * and, only until its attempt ends, the answer text received ({@link #outputText()}), should an
 * estimate need it. That text is never exported, logged or kept past the attempt.
 */
public final class ResponseSummary {

  private final String model;
  private final List<String> finishReasons;
  private final Usage usage;
  private final String outputText;
  private final String providerCostUsd;
  private final String responseId;
  private final List<ToolCallRef> toolCalls;

  /**
   * Creates a summary.
   *
   * @param model responded model, or {@code null}
   * @param finishReasons finish reasons, possibly empty
   * @param usage normalised usage, or {@code null} when the response reported none
   */
  public ResponseSummary(String model, List<String> finishReasons, Usage usage) {
    this(model, finishReasons, usage, null, null, null, List.of());
  }

  /**
   * Creates a summary with everything at once (what the {@code with…} methods set one by one, with
   * the same rules).
   *
   * @param text the answer text; {@code null} or empty keeps none
   * @param costUsd the cost the provider reported, validated by {@link ProviderCost#usd}, or
   *     {@code null}
   * @param responseId the provider's id of the response; kept as {@link #withResponseId} keeps it
   * @param toolCalls the tool calls asked for; {@code null} or empty keeps none
   */
  ResponseSummary(String model, List<String> finishReasons, Usage usage, String text,
      String costUsd, String responseId, List<ToolCallRef> toolCalls) {
    this.model = model;
    this.finishReasons =
        finishReasons == null ? Collections.emptyList() : List.copyOf(finishReasons);
    this.usage = usage;
    this.outputText = text == null || text.isEmpty() ? null : text;
    this.providerCostUsd = costUsd;
    this.responseId = responseId == null || responseId.isBlank()
        || responseId.length() > MAX_RESPONSE_ID ? null : responseId;
    this.toolCalls = toolCalls == null || toolCalls.isEmpty() ? List.of() : List.copyOf(toolCalls);
  }

  /** Longest provider response id kept; a longer one is not an id. */
  static final int MAX_RESPONSE_ID = 256;

  /**
   * This summary with the provider's id of the response ({@code chatcmpl-…}, {@code msg_…}, {@code
   * resp_…}, Gemini's {@code responseId}): what lets the collector count a request once when the
   * application's own instrumentation reports it too. {@code null}, blank or over {@value
   * #MAX_RESPONSE_ID} characters keeps none.
   */
  ResponseSummary withResponseId(String id) {
    String kept = id == null || id.isBlank() || id.length() > MAX_RESPONSE_ID ? null : id;
    return new ResponseSummary(
        model, finishReasons, usage, outputText, providerCostUsd, kept, toolCalls);
  }

  /** The provider's id of this response, or {@code null}. */
  public String responseId() {
    return responseId;
  }

  /**
   * This summary with the cost the provider reported in the response, already validated by {@link
   * ProviderCost#usd}; {@code null} keeps none.
   */
  ResponseSummary withProviderCostUsd(String costUsd) {
    return new ResponseSummary(
        model, finishReasons, usage, outputText, costUsd, responseId, toolCalls);
  }

  /**
   * The cost in USD the provider reported in the body (OpenRouter's {@code usage.cost}), as an
   * exact plain decimal string, or {@code null}.
   */
  public String providerCostUsd() {
    return providerCostUsd;
  }

  /**
   * This summary with the answer text received (text deltas, tool-call names and arguments), for
   * an estimate when no usage came; {@code null} or empty keeps none.
   */
  public ResponseSummary withOutputText(String text) {
    return new ResponseSummary(
        model, finishReasons, usage, text == null || text.isEmpty() ? null : text, providerCostUsd,
        responseId, toolCalls);
  }

  /** This summary without its answer text. */
  public ResponseSummary withoutOutputText() {
    return outputText == null
        ? this
        : new ResponseSummary(
            model, finishReasons, usage, null, providerCostUsd, responseId, toolCalls);
  }

  /**
   * This summary with the tool calls the response asks for; {@code null} or empty keeps none.
   */
  ResponseSummary withToolCalls(List<ToolCallRef> calls) {
    return new ResponseSummary(model, finishReasons, usage, outputText, providerCostUsd, responseId,
        calls == null || calls.isEmpty() ? List.of() : List.copyOf(calls));
  }

  /**
   * The tool calls the response asks the application to run (OpenAI Chat Completions {@code
   * tool_calls}: id and function name), in order; empty when none. Kept in memory only, never
   * exported: what lets the agent see a later request answer them ({@code ToolLoop}).
   */
  public List<ToolCallRef> toolCalls() {
    return toolCalls;
  }

  /**
   * This summary without the responded model: for a provider whose body names the model in
   * another vendor's words (an Anthropic body on Bedrock says {@code claude-…}, while AWS bills
   * the requested model id), so that the requested model is the one priced.
   */
  public ResponseSummary withoutModel() {
    return model == null
        ? this
        : new ResponseSummary(
            null, finishReasons, usage, outputText, providerCostUsd, responseId, toolCalls);
  }

  /** The answer text received, or {@code null}: see {@link #withOutputText}. */
  public String outputText() {
    return outputText;
  }

  /** The model the provider says answered, or {@code null}. */
  public String model() {
    return model;
  }

  /** Finish reasons in the provider's own words; possibly empty. */
  public List<String> finishReasons() {
    return finishReasons;
  }

  /** Normalised usage, or {@code null}. */
  public Usage usage() {
    return usage;
  }

  @Override
  public String toString() {
    return "ResponseSummary{model=" + model + ", finishReasons=" + finishReasons + ", usage=" + usage
        + (providerCostUsd == null ? "" : ", providerCostUsd=" + providerCostUsd) + '}';
  }
}
