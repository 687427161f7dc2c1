package io.flowcost.agent.http.urlconnection;

import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import io.flowcost.agent.instrumentation.InstrumentationModule;
import java.lang.instrument.Instrumentation;
import java.util.Map;
import java.util.Set;

/** The JDK's {@code HttpURLConnection} ({@code http-url-connection}). */
public final class UrlConnectionInstrumentation extends InstrumentationModule {

  private static final String CONNECTION = "sun.net.www.protocol.http.HttpURLConnection";

  /** Creates the unit; a JDK class, so no library check. */
  public UrlConnectionInstrumentation() {
    super("http-url-connection");
    transform(named(CONNECTION), named("getOutputStream").and(takesArguments(0)),
        advice("GetOutputStreamAdvice"));
    transform(named(CONNECTION), named("getInputStream").and(takesArguments(0)),
        advice("GetInputStreamAdvice"));
    transform(named(CONNECTION), named("disconnect").and(takesArguments(0)),
        advice("DisconnectAdvice"));
  }

  /**
   * The request headers live in a {@code sun.net.www.MessageHeader}: java.base exports that package
   * to the agent's module only, so that {@code traceparent} can be added to headers not yet sent.
   */
  @Override
  public void prepare(Instrumentation instrumentation) {
    Module javaBase = Object.class.getModule();
    Module agent = UrlConnectionInstrumentation.class.getModule();
    instrumentation.redefineModule(javaBase, Set.of(), Map.of("sun.net.www", Set.of(agent)),
        Map.of(), Set.of(), Map.of());
  }
}
