package io.flowcost.agent.http.apache5;

import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import io.flowcost.agent.instrumentation.InstrumentationModule;

/**
 * Apache HttpClient 5 ({@code apache-httpclient-5}): the classic client and the async client
 * (under Spring's {@code HttpComponentsClientHttpConnector}, so {@code WebClient} on {@code
 * httpcore5-reactive}).
 */
public final class Apache5Instrumentation extends InstrumentationModule {

  private static final String INTERNAL = "org.apache.hc.client5.http.impl.classic.InternalHttpClient";

  /** Creates the unit. */
  public Apache5Instrumentation() {
    super("apache-httpclient-5", INTERNAL);
    transform(
        named(INTERNAL).or(named("org.apache.hc.client5.http.impl.classic.MinimalHttpClient")),
        named("doExecute").and(takesArguments(3)),
        advice("DoExecuteAdvice"));
    // the async client: every execute(..) overload passes here, on the caller's thread, before
    // the request producer sends the request head
    transform(
        named("org.apache.hc.client5.http.impl.async.InternalAbstractHttpAsyncClient"),
        named("doExecute").and(takesArguments(6)),
        advice("AsyncDoExecuteAdvice"));
  }
}
