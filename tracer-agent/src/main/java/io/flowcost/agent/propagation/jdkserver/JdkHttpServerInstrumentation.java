package io.flowcost.agent.propagation.jdkserver;

import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import io.flowcost.agent.instrumentation.InstrumentationModule;

/**
 * The JDK's {@code com.sun.net.httpserver} ({@code jdk-http-server}): an incoming request carrying
 * {@code flowcost.workflow.id} joins that workflow.
 */
public final class JdkHttpServerInstrumentation extends InstrumentationModule {

  /** Creates the unit; a JDK module, so no library check. */
  public JdkHttpServerInstrumentation() {
    super("jdk-http-server");
    transform(
        named("com.sun.net.httpserver.Filter$Chain"),
        named("doFilter").and(takesArguments(1)),
        advice("DoFilterAdvice"));
  }
}
