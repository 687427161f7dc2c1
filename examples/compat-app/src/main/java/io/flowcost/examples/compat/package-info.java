/**
 * A small LangChain4j app compiled against the oldest LangChain4j 1.x line the Flowcost agent
 * supports, run against the fake provider to prove the agent on that line. Entry point: {@link
 * io.flowcost.examples.compat.CompatApp}.
 */
package io.flowcost.examples.compat;
