package io.flowcost.agent.http.apache4;

import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import io.flowcost.agent.instrumentation.InstrumentationModule;

/** Apache HttpClient 4 classic ({@code apache-httpclient-4}). */
public final class Apache4Instrumentation extends InstrumentationModule {

  private static final String INTERNAL = "org.apache.http.impl.client.InternalHttpClient";

  /** Creates the unit. */
  public Apache4Instrumentation() {
    super("apache-httpclient-4", INTERNAL);
    transform(
        named(INTERNAL).or(named("org.apache.http.impl.client.MinimalHttpClient")),
        named("doExecute").and(takesArguments(3)),
        advice("DoExecuteAdvice"));
  }
}
