/**
 * Jetty's {@code HttpClient} 12 ({@code org.eclipse.jetty:jetty-client}): advice on {@code
 * HttpRequest.send(Response.CompleteListener)}, behind the blocking {@code send()} and every
 * asynchronous send, on the caller's thread. The exchange starts there (model and stream flag from
 * an in-memory body such as {@code StringRequestContent}/{@code BytesRequestContent}, {@code
 * traceparent} added to the request's headers) and three request listeners are added — headers,
 * content, complete — as {@link java.lang.reflect.Proxy} instances of Jetty's listener interfaces:
 * the response content is seen chunk by chunk as Jetty delivers it to the application's own
 * listeners, read in place and never held.
 *
 * <p>Caps: a model request the workflow's caps refuse is aborted with the refusal ({@code
 * Request.abort}) before Jetty takes it; Jetty never writes an aborted request and completes the
 * application's listeners with a failed {@code Result} whose failure is the refusal. The blocking
 * {@code send()}, which Jetty would fail with an {@code ExecutionException} around it, throws the
 * refusal itself ({@code BlockingSendAdvice}).
 */
package io.flowcost.agent.http.jetty;
