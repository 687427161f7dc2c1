/**
 * Vert.x Web: route paths name the workflows of requests handled by a {@code Router}, and route
 * handlers run in their request's context.
 */
package io.flowcost.agent.propagation.vertxweb;
