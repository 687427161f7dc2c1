/**
 * The Vert.x HTTP/1.x server: an advice on {@code Http1xServerRequestHandler.handle} makes the
 * caller's workflow current while the application's request handler (and a router) runs on the
 * event loop — long enough for the Vert.x web client to capture it for the calls it starts there.
 */
package io.flowcost.agent.propagation.vertxserver;
