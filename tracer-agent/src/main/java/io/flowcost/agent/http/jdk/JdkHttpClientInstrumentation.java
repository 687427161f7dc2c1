package io.flowcost.agent.http.jdk;

import static net.bytebuddy.matcher.ElementMatchers.isStatic;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import io.flowcost.agent.AgentLog;
import io.flowcost.agent.instrumentation.InstrumentationModule;
import java.lang.instrument.Instrumentation;
import java.util.Map;
import java.util.Set;

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
    // request nor its headers are copied by the agent (JdkHttpTracing#request). The copy's
    // factory is advised, not the map() accessor it reads: map() is a 5-byte method the JDK's
    // client calls at every header look-up, and advice there made it too large to be inlined at
    // most of its call sites (docs/benchmarks.md, "Ninth round … HttpHeaders.of")
    transform(
        named("java.net.http.HttpHeaders"),
        named("of").and(isStatic()).and(takesArguments(2)),
        advice("JdkHeadersAdvice"));
  }

  /**
   * {@code java.net.http} exports {@code jdk.internal.net.http} to the agent's module only, so
   * that the body subscriber the agent wraps around a subscriber the JDK trusts can say it needs
   * no executor, as the wrapped one does ({@link JdkTypes#proxyBodySubscriber}). Without it the
   * JDK called each wrapped response's {@code getBody} through its executor: one more hand-off
   * between threads per response than without the agent. The agent's module is the boot loader's
   * unnamed one (its jar is on the boot class path), not the application's: the application sees
   * no new access. A JDK without the module or the package, or one that refuses the export, keeps
   * the plain wrapper and the unit stays on (the export is an optimisation, not what the unit
   * records).
   */
  @Override
  public void prepare(Instrumentation instrumentation) {
    Module agent = JdkHttpClientInstrumentation.class.getModule();
    try {
      ModuleLayer.boot().findModule("java.net.http")
          .filter(m -> m.getPackages().contains("jdk.internal.net.http"))
          .filter(instrumentation::isModifiableModule)
          .ifPresent(m -> instrumentation.redefineModule(m, Set.of(),
              Map.of("jdk.internal.net.http", Set.of(agent)), Map.of(), Set.of(), Map.of()));
    } catch (RuntimeException e) {
      AgentLog.info("jdk-http-client: java.net.http not exported to the agent ("
          + e.getClass().getName() + "); each recorded response's body is read on the client's"
          + " executor");
    }
  }
}
