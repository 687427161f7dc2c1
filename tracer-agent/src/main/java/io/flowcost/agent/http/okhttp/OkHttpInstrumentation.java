package io.flowcost.agent.http.okhttp;

import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import io.flowcost.agent.instrumentation.InstrumentationModule;

/** OkHttp 3/4 ({@code okhttp}): an interceptor added at {@code OkHttpClient.Builder.build()}. */
public final class OkHttpInstrumentation extends InstrumentationModule {

  private static final String BUILDER = "okhttp3.OkHttpClient$Builder";

  /** Creates the unit. */
  public OkHttpInstrumentation() {
    super("okhttp", BUILDER);
    transform(named(BUILDER), named("build").and(takesArguments(0)), advice("OkHttpBuilderAdvice"));
  }
}
