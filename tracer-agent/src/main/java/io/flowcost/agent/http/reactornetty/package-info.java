/**
 * Reactor Netty's {@code HttpClient} (1.2.x and 1.3.x), and with it Spring's {@code WebClient} and
 * {@code RestClient} on Reactor Netty: advice on {@code HttpClientOperations}, the per-request
 * object of every exchange. The caller's context is taken where the request is subscribed ({@code
 * HttpClientConnect.HttpClientHandler}'s constructor, on the caller's thread) and handed to the
 * operations when the connection is ready; the exchange starts when the request's head is about to
 * be marked sent ({@code HttpOperations.markSentHeaders}/{@code markSentHeaderAndBody}; a {@code
 * Mono} body is known there; {@code traceparent} is added to the headers still unsent) and the
 * response is teed as Netty hands each {@code HttpContent} to Reactor Netty — read in place, never
 * held or delayed.
 *
 * <p>Caps: a model request the workflow's caps refuse throws its refusal from {@code
 * beforeMarkSentHeaders}, where Reactor Netty expects failures (it runs the app's redirect
 * callbacks there): the head is not marked sent, the body buffers are released, nothing is
 * written, and the outbound error fails the response {@code Mono}/{@code Flux} with the refusal.
 *
 * <p>Limits: a body sent in chunks (a {@code Flux} rather than a {@code Mono}) starts its exchange
 * without its model and stream flag (the body never passes through one message); a request whose
 * handler wrote nothing has its head written from {@code onOutboundComplete}: recorded there, never
 * refused.
 */
package io.flowcost.agent.http.reactornetty;
