/**
 * A local fake LLM provider speaking the OpenAI Chat Completions, OpenAI Embeddings and Anthropic
 * Messages wire protocols, with deterministic usage and a log of every response it sent. Entry
 * point: {@link io.flowcost.examples.fakeprovider.FakeProvider}.
 */
package io.flowcost.examples.fakeprovider;
