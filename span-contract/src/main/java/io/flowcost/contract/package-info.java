/**
 * Flowcost's span contract ({@code docs/spans.md}) in one place: the attribute keys every producer
 * writes and the collector reads ({@link io.flowcost.contract.SpanKeys}), and the closed
 * vocabularies behind some of their values — call kinds, call statuses, provider names and GenAI
 * operation names — as enums with their wire spelling.
 *
 * <p>This package has no dependencies, so that the agent can shade it (relocated, so that it never
 * clashes with the copy an application gets through {@code flowcost-langchain4j}) and the
 * collector can read with exactly the spelling the producers write.
 */
package io.flowcost.contract;
