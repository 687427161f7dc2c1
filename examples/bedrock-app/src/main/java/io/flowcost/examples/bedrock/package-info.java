/** An AWS SDK v2 Bedrock Runtime app for the agent's end-to-end test ({@code BedrockEndToEndTest}). */
package io.flowcost.examples.bedrock;
