package io.flowcost.agent.http.apache5;

import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import io.flowcost.agent.instrumentation.InstrumentationModule;

/** Apache HttpClient 5 classic ({@code apache-httpclient-5}). */
public final class Apache5Instrumentation extends InstrumentationModule {

  private static final String INTERNAL = "org.apache.hc.client5.http.impl.classic.InternalHttpClient";

  /** Creates the unit. */
  public Apache5Instrumentation() {
    super("apache-httpclient-5", INTERNAL);
    transform(
        named(INTERNAL).or(named("org.apache.hc.client5.http.impl.classic.MinimalHttpClient")),
        named("doExecute").and(takesArguments(3)),
        advice("DoExecuteAdvice"));
  }
}
