/**
 * Jakarta Servlet (Jetty, Tomcat, Undertow): an advice on {@code HttpServlet.service(ServletRequest,
 * ServletResponse)} makes the caller's workflow current while the servlet handles the request.
 */
package io.flowcost.agent.propagation.servlet;
