/**
 * The AWS SDK for Java v2's Bedrock Runtime client ({@code software.amazon.awssdk:bedrockruntime}):
 * one {@code Converse}, {@code ConverseStream}, {@code InvokeModel} or {@code
 * InvokeModelWithResponseStream} call — on the synchronous client (any HTTP client: Apache,
 * URL connection, CRT) or the asynchronous one (Netty NIO, CRT) — is one logical call; the SDK's
 * retries are its attempts, seen by an {@code ExecutionInterceptor} the agent adds to every Bedrock
 * Runtime client, which also tees the response bytes for usage (JSON, or the binary {@code
 * application/vnd.amazon.eventstream} of the streaming operations).
 */
package io.flowcost.agent.aws;
