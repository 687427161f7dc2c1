package io.flowcost.agent.propagation.servlet;

import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import io.flowcost.agent.instrumentation.InstrumentationModule;

/** Jakarta Servlet ({@code servlet}): incoming requests to an {@code HttpServlet} join workflows. */
public final class ServletInstrumentation extends InstrumentationModule {

  private static final String SERVLET = "jakarta.servlet.http.HttpServlet";

  /** Creates the unit. */
  public ServletInstrumentation() {
    super("servlet", SERVLET);
    transform(
        named(SERVLET),
        named("service")
            .and(takesArguments(2))
            .and(takesArgument(0, named("jakarta.servlet.ServletRequest"))),
        advice("ServiceAdvice"));
  }
}
