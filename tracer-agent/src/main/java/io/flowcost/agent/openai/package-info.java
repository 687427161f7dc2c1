/**
 * The official OpenAI Java SDK ({@code com.openai:openai-java}): one SDK method call — one {@code
 * RetryingHttpClient.execute}, every endpoint alike — is one logical call; the SDK's own retries,
 * seen by the OkHttp instrumentation below it, are its attempts.
 */
package io.flowcost.agent.openai;
