/**
 * The JDK {@code com.sun.net.httpserver.HttpServer}: an advice on {@code Filter.Chain.doFilter}
 * (the outermost call per request, through which every handler runs) makes the caller's workflow
 * current while the request is handled.
 */
package io.flowcost.agent.propagation.jdkserver;
