package io.flowcost.agent.propagation.webflux;

import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import io.flowcost.agent.instrumentation.InstrumentationModule;

/**
 * Spring WebFlux ({@code spring-webflux}): a request joins a propagated workflow or, with none
 * open, is the workflow of the model calls it makes, named {@code <METHOD> <PathPattern>}.
 */
public final class WebFluxInstrumentation extends InstrumentationModule {

  private static final String DISPATCHER = "org.springframework.web.reactive.DispatcherHandler";

  /** Creates the unit. */
  public WebFluxInstrumentation() {
    super("spring-webflux", DISPATCHER);
    transform(
        named(DISPATCHER),
        named("handle")
            .and(takesArguments(1))
            .and(takesArgument(0, named("org.springframework.web.server.ServerWebExchange"))),
        advice("HandleAdvice"));
  }
}
