/**
 * The Flowcost demo workload: a LangChain4j claims desk (AI services, tools, streaming, retries,
 * embeddings, outcomes) run against the fake provider. Entry point: {@link
 * io.flowcost.examples.demo.DemoApp}.
 */
package io.flowcost.examples.demo;
