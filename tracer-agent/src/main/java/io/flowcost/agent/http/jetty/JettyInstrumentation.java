package io.flowcost.agent.http.jetty;

import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import io.flowcost.agent.instrumentation.InstrumentationModule;

/** Jetty's HTTP client 12 ({@code jetty-client}). */
public final class JettyInstrumentation extends InstrumentationModule {

  private static final String REQUEST = "org.eclipse.jetty.client.transport.HttpRequest";

  /** Creates the unit. */
  public JettyInstrumentation() {
    super("jetty-client", REQUEST);
    transform(
        named(REQUEST),
        named("send")
            .and(takesArguments(1))
            .and(takesArgument(0, named("org.eclipse.jetty.client.Response$CompleteListener"))),
        advice("SendAdvice"));
    // the blocking send(), which goes through send(CompleteListener): its refusal unwrapped
    transform(named(REQUEST), named("send").and(takesArguments(0)), advice("BlockingSendAdvice"));
  }
}
