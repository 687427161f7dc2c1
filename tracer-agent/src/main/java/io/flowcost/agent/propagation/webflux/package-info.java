/**
 * Spring WebFlux: the {@code Mono} of {@code DispatcherHandler.handle} carries the request's
 * workflow (joined or a boundary) through its subscription and ends it when it terminates.
 */
package io.flowcost.agent.propagation.webflux;
