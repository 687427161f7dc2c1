/**
 * Reactor Netty's {@code HttpClient} (1.2.x and 1.3.x), and with it Spring's {@code WebClient} and
 * {@code RestClient} on Reactor Netty: advice on {@code HttpClientOperations}, the per-request
 * object of every exchange. The caller's context is taken where the request is subscribed ({@code
 * HttpClientConnect.HttpClientHandler}'s constructor, on the caller's thread) and handed to the
 * operations when the connection is ready; the exchange starts when the request message is built
 * ({@code newFullBodyMessage}, body and headers known; {@code traceparent} is added to that
 * message) and the response is teed as Netty hands each {@code HttpContent} to Reactor Netty —
 * read in place, never held or delayed.
 *
 * <p>Limits: a body sent in chunks (a {@code Flux} rather than a {@code Mono}) starts its exchange
 * when the request is complete, without {@code traceparent} and without its model and stream flag
 * (the body never passes through one message).
 */
package io.flowcost.agent.http.reactornetty;
