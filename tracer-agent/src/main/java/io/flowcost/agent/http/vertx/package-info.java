/**
 * The Vert.x web client (Vert.x 4 and 5): an advice on the {@code WebClientBase} constructor adds
 * one interceptor (a {@link java.lang.reflect.Proxy} of {@code io.vertx.core.Handler}) that sees
 * every phase of every request: it captures the caller's context when the request is prepared, on
 * the caller's thread, and records the exchange on the event loop from it. Usage comes from the
 * buffered response body the web client hands the application; a body piped elsewhere ({@code
 * BodyCodec.pipe}) is not read.
 */
package io.flowcost.agent.http.vertx;
