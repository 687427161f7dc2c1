/**
 * W3C Trace Context and Baggage across services: outgoing requests get a {@code traceparent}
 * (unless the application or its APM already set one) and, only to hosts listed in {@code
 * flowcost.propagation.hosts} and never to a model API, baggage {@code flowcost.workflow.id} and
 * {@code flowcost.tag.*}; an incoming request that carries {@code flowcost.workflow.id} joins that
 * workflow ({@link io.flowcost.agent.propagation.IncomingContext}).
 */
package io.flowcost.agent.propagation;
