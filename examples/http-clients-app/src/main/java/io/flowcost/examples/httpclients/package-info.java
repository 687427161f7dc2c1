/**
 * A small app making bare model requests through third-party HTTP clients against the fake
 * provider, for the agent's end-to-end tests ({@code HttpClientsEndToEndTest}s in {@code
 * examples/e2e-tests}).
 */
package io.flowcost.examples.httpclients;
