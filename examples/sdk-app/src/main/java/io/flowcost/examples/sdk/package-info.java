/**
 * A small app that reaches a model without LangChain4j — the official OpenAI Java SDK (plain,
 * streaming, a 429 the SDK retries, embeddings) and the raw JDK {@code HttpClient} (sync, async
 * streaming, a failed request) — against the fake provider, for the agent's end-to-end tests.
 */
package io.flowcost.examples.sdk;
