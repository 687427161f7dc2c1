package io.flowcost.agent.propagation.vertxserver;

import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import io.flowcost.agent.instrumentation.InstrumentationModule;

/** The Vert.x HTTP/1.x server ({@code vertx-http-server}): incoming requests join workflows. */
public final class VertxHttpServerInstrumentation extends InstrumentationModule {

  private static final String HANDLER = "io.vertx.core.http.impl.Http1xServerRequestHandler";

  /** Creates the unit. */
  public VertxHttpServerInstrumentation() {
    super("vertx-http-server", HANDLER);
    transform(
        named(HANDLER),
        named("handle")
            .and(takesArguments(1))
            .and(takesArgument(0, named("io.vertx.core.http.HttpServerRequest"))),
        advice("RequestHandlerAdvice"));
  }
}
