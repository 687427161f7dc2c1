/**
 * The Vert.x HTTP server: an advice on {@code Http1xServerRequestHandler.handle} (HTTP/1.x) and on
 * {@code Http2ServerRequest.dispatch} (HTTP/2 and h2c) makes the caller's workflow current while
 * the application's request handler (and a router) runs on the event loop — long enough for the
 * Vert.x web client to capture it for the calls it starts there.
 */
package io.flowcost.agent.propagation.vertxserver;
