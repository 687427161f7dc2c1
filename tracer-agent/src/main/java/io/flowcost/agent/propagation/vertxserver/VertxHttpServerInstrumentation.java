package io.flowcost.agent.propagation.vertxserver;

import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import io.flowcost.agent.instrumentation.InstrumentationModule;

/**
 * The Vert.x HTTP/1.x server ({@code vertx-http-server}): incoming requests join a propagated
 * workflow, or — with none open — are the workflow of the model calls they make, ending with their
 * response.
 */
public final class VertxHttpServerInstrumentation extends InstrumentationModule {

  private static final String HANDLER = "io.vertx.core.http.impl.Http1xServerRequestHandler";
  private static final String RESPONSE = "io.vertx.core.http.impl.Http1xServerResponse";

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
  }
}
