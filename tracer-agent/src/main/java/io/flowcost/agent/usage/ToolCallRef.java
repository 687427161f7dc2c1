package io.flowcost.agent.usage;

/**
 * One tool call a model response asks for: the provider's id of the call ({@code call_…}) and the
 * function's name. Both are identifiers, never arguments or results.
 *
 * @param id the tool call's id
 * @param name the function's name
 */
public record ToolCallRef(String id, String name) {}
