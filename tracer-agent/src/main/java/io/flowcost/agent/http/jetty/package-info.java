/**
 * Jetty's {@code HttpClient} 12 ({@code org.eclipse.jetty:jetty-client}): advice on {@code
 * HttpRequest.send(Response.CompleteListener)}, behind the blocking {@code send()} and every
 * asynchronous send, on the caller's thread. The exchange starts there (model and stream flag from
 * an in-memory body such as {@code StringRequestContent}/{@code BytesRequestContent}, {@code
 * traceparent} added to the request's headers) and three request listeners are added — headers,
 * content, complete — as {@link java.lang.reflect.Proxy} instances of Jetty's listener interfaces:
 * the response content is seen chunk by chunk as Jetty delivers it to the application's own
 * listeners, read in place and never held.
 */
package io.flowcost.agent.http.jetty;
