/**
 * A small app that reaches a model without LangChain4j — the official OpenAI Java SDK (plain,
 * streaming, a 429 the SDK retries, embeddings, the asynchronous client), the raw JDK {@code
 * HttpClient} (sync, async streaming, a failed request) and Apache HttpClient 5 — against the fake
 * provider, for the agent's end-to-end tests; also a two-service and a concurrent mode.
 */
package io.flowcost.examples.sdk;
