/**
 * The Anthropic Java SDK's tool runner ({@code com.anthropic.helpers.BetaToolRunner}, SDK 2.x and
 * 3.x): a runner's loop is a workflow (or a step of the open one) and every tool it executes is a
 * {@code tool} call. Its model requests go through the SDK's {@code RetryingHttpClient} like any
 * other ({@code io.flowcost.agent.openai}), so they are logical calls with their attempts.
 */
package io.flowcost.agent.toolrunner;
