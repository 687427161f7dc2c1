/**
 * A small app that reaches a model without LangChain4j — the official OpenAI Java SDK (plain,
 * streaming, a 429 the SDK retries, embeddings, the asynchronous client), the raw JDK {@code
 * HttpClient} (sync, async streaming, a failed request), Apache HttpClient 5 and the Vert.x web
 * client — against the fake provider, for the agent's end-to-end tests. It also runs as two
 * services calling each other ({@link io.flowcost.examples.sdk.ToolService}) and as many
 * concurrent workflows ({@link io.flowcost.examples.sdk.Batch}).
 */
package io.flowcost.examples.sdk;
