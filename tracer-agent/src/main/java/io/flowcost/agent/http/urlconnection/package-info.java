/**
 * The JDK's {@code HttpURLConnection} (http and https: {@code HttpsURLConnectionImpl} delegates to
 * a subclass of {@code sun.net.www.protocol.http.HttpURLConnection}). The request body the app
 * writes to {@code getOutputStream()} is teed (bounded, model endpoints only); the exchange starts
 * at the first {@code getInputStream()} — directly or behind {@code getResponseCode()} and the
 * header getters — and {@code traceparent} is added to the request headers still unsent then; the
 * response body is teed through {@link io.flowcost.agent.http.TeeInputStream}.
 *
 * <p>Caps: a model request is checked against the workflow's caps at the first of {@code
 * getOutputStream()} and {@code getInputStream()} — before the JDK connects or writes anything
 * ({@code connect()} alone opens the socket and sends nothing). A refused request throws {@code
 * WorkflowCapExceededException} (a {@code RuntimeException}, unchanged, as on every other client,
 * although these methods declare {@code IOException}: an app catches it by type), and so does
 * every later {@code getOutputStream()}/{@code getInputStream()} of that connection.
 *
 * <p>Limits: in streaming mode ({@code setFixedLengthStreamingMode}, {@code
 * setChunkedStreamingMode}) the head is sent before the body, so such a request carries no {@code
 * traceparent} (it is still recorded, with its model). The agent's own export uses this class; it
 * is never recorded (requests to {@code flowcost.endpoint} never are).
 */
package io.flowcost.agent.http.urlconnection;
