package io.flowcost.agent.usage;

/**
 * One tool result a request sends back to the model: the id of the tool call it answers (or
 * {@code null} where the wire has none — Gemini's {@code functionResponse} without {@code id}), the
 * function's name when the wire carries it, and whether the application marked it an error
 * (Bedrock's {@code toolResult.status: "error"}). Identifiers only: the result text is never read.
 *
 * @param id the answered tool call's id, or {@code null}
 * @param name the function's name, or {@code null}
 * @param error whether the result is marked an error
 */
public record ToolAnswer(String id, String name, boolean error) {}
