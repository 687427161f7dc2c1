package io.flowcost.agent.http;

import io.flowcost.contract.CallKind;
import io.flowcost.contract.GenAiOperation;

/**
 * What a request to a model API is: call kind ({@code model} or {@code embedding}), GenAI
 * operation, provider and — where the URL names it (Gemini, Bedrock, Azure deployments) — the
 * requested model.
 *
 * @param kind {@code model} or {@code embedding}
 * @param operation {@code chat}, {@code text_completion}, {@code generate_content}, {@code
 *     embeddings}
 * @param provider {@code gen_ai.provider.name}, or {@code null} when unknown
 * @param model the model named in the URL, or {@code null}
 */
public record LlmEndpoint(String kind, String operation, String provider, String model) {

  /**
   * The endpoint of an inference operation: its kind is the operation's ({@code embeddings} →
   * {@code embedding}, else {@code model}), both spelled as {@code io.flowcost.contract} spells
   * them.
   */
  public static LlmEndpoint of(GenAiOperation operation, String provider, String model) {
    CallKind kind = operation.callKind().orElseThrow(
        () -> new IllegalArgumentException("not an inference operation: " + operation));
    return new LlmEndpoint(kind.wire(), operation.wire(), provider, model);
  }
}
