package io.flowcost.agent.http.vertx;

import static net.bytebuddy.matcher.ElementMatchers.isConstructor;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import io.flowcost.agent.instrumentation.InstrumentationModule;

/** The Vert.x web client, Vert.x 4 and 5 ({@code vertx-web-client}). */
public final class VertxWebClientInstrumentation extends InstrumentationModule {

  private static final String BASE = "io.vertx.ext.web.client.impl.WebClientBase";

  /** Creates the unit. */
  public VertxWebClientInstrumentation() {
    super("vertx-web-client", BASE);
    transform(named(BASE), isConstructor().and(takesArguments(2)), advice("WebClientConstructorAdvice"));
  }
}
