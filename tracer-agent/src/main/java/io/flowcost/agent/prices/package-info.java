/**
 * Prices model calls in the agent for {@code max-cost-usd} caps, with the shared pricer of the
 * {@code pricing} module (shaded): the bundled catalog at start, then the collector's effective
 * catalog ({@code GET /v1/prices}), fetched and refreshed on a background thread — never on the
 * application's threads.
 */
package io.flowcost.agent.prices;
