/**
 * A small app on the official Anthropic Java SDK 3.x — whose {@code HttpRequest.body()} returns an
 * {@code Optional} — against the fake provider, for the agent's end-to-end tests; {@code
 * examples/sdk-app} runs the 2.x SDK.
 */
package io.flowcost.examples.sdk3;
