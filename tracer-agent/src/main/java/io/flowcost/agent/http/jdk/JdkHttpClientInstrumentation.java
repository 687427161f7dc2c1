package io.flowcost.agent.http.jdk;

import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import io.flowcost.agent.instrumentation.InstrumentationModule;

/** The JDK's {@code java.net.http.HttpClient} ({@code jdk-http-client}). */
public final class JdkHttpClientInstrumentation extends InstrumentationModule {

  /** Creates the unit; a JDK module, so no library check. */
  public JdkHttpClientInstrumentation() {
    super("jdk-http-client");
    // send and both public sendAsync overloads go through this private one
    transform(
        named("jdk.internal.net.http.HttpClientImpl"),
        named("sendAsync").and(takesArguments(4)),
        advice("JdkSendAdvice"));
    // traceparent and baggage reach the JDK's own copy of the request's headers: neither the
    // request nor its headers are copied by the agent (JdkHttpTracing#request)
    transform(
        named("java.net.http.HttpHeaders"),
        named("map").and(takesArguments(0)),
        advice("JdkHeadersAdvice"));
  }
}
