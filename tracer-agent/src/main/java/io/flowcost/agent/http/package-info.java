/**
 * Model calls made through plain HTTP clients, outside LangChain4j: which requests are LLM calls
 * ({@link io.flowcost.agent.http.LlmEndpoints}), how one exchange becomes an attempt, a logical
 * call of its own, or an {@code http} call ({@link io.flowcost.agent.http.HttpExchange}), and a
 * bounded tee that reads usage from a response body while the application reads it ({@link
 * io.flowcost.agent.http.BodyTap}). One sub-package per client adapts these to its API.
 */
package io.flowcost.agent.http;
