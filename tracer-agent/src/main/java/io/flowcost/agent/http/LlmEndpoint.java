package io.flowcost.agent.http;

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
public record LlmEndpoint(String kind, String operation, String provider, String model) {}
