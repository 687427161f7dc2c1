package io.flowcost.agent.propagation.vertxserver;

import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import io.flowcost.agent.instrumentation.InstrumentationModule;

/**
 * The Vert.x HTTP server, HTTP/1.x and HTTP/2 ({@code vertx-http-server}): incoming requests join
 * a propagated workflow, or — with none open — are the workflow of the model calls they make,
 * ending with their response.
 */
public final class VertxHttpServerInstrumentation extends InstrumentationModule {

  private static final String HANDLER = "io.vertx.core.http.impl.Http1xServerRequestHandler";
  private static final String RESPONSE = "io.vertx.core.http.impl.Http1xServerResponse";
  // HTTP/2 (also h2c upgraded from HTTP/1.1, which the JDK HttpClient asks for by default and
  // Vert.x 5 accepts): requests bypass Http1xServerRequestHandler and are dispatched here
  private static final String H2_REQUEST = "io.vertx.core.http.impl.Http2ServerRequest";
  private static final String H2_RESPONSE = "io.vertx.core.http.impl.Http2ServerResponse";

  /** Creates the unit. */
  public VertxHttpServerInstrumentation() {
    super("vertx-http-server", HANDLER);
    transform(
        named(HANDLER),
        named("handle")
            .and(takesArguments(1))
            .and(takesArgument(0, named("io.vertx.core.http.HttpServerRequest"))),
        advice("RequestHandlerAdvice"));
    // the request's workflow ends with its response (Vert.x answers from callbacks)
    transform(
        named(RESPONSE),
        named("end")
            .and(takesArguments(2))
            .and(takesArgument(0, named("io.vertx.core.buffer.Buffer"))),
        advice("ResponseEndAdvice"));
    transform(named(RESPONSE), named("handleClosed").and(takesArguments(0)),
        advice("ResponseClosedAdvice"));
    transform(named(H2_REQUEST), named("dispatch").and(takesArguments(1)),
        advice("Http2DispatchAdvice"));
    // end() does not go through end(Buffer) on HTTP/2; a second end is a no-op
    transform(
        named(H2_RESPONSE),
        named("end").and(takesArguments(0)
            .or(takesArguments(1).and(takesArgument(0, named("io.vertx.core.buffer.Buffer"))))),
        advice("ResponseEndAdvice"));
    transform(named(H2_REQUEST), named("handleClose").and(takesArguments(0)),
        advice("Http2ClosedAdvice"));
  }
}
