package io.flowcost.agent.http.okhttp;

import static net.bytebuddy.matcher.ElementMatchers.isConstructor;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import io.flowcost.agent.instrumentation.InstrumentationModule;

/**
 * OkHttp 3/4/5 ({@code okhttp}): an interceptor added at {@code OkHttpClient.Builder.build()}; an
 * asynchronous call runs in its enqueuer's context ({@link OkHttpAsyncCalls}).
 */
public final class OkHttpInstrumentation extends InstrumentationModule {

  private static final String BUILDER = "okhttp3.OkHttpClient$Builder";
  /** OkHttp 4.x and 5.x. */
  private static final String ASYNC_CALL = "okhttp3.internal.connection.RealCall$AsyncCall";
  /** OkHttp 3.x, whose {@code run()} is {@code NamedRunnable}'s final one calling {@code execute()}. */
  private static final String ASYNC_CALL_3 = "okhttp3.RealCall$AsyncCall";

  /** Creates the unit. */
  public OkHttpInstrumentation() {
    super("okhttp", BUILDER);
    transform(named(BUILDER), named("build").and(takesArguments(0)), advice("OkHttpBuilderAdvice"));
    transform(named(ASYNC_CALL).or(named(ASYNC_CALL_3)), isConstructor(),
        advice("AsyncCallCreatedAdvice"));
    transform(named(ASYNC_CALL), named("run").and(takesArguments(0)), advice("AsyncCallRunAdvice"));
    transform(named(ASYNC_CALL_3), named("execute").and(takesArguments(0)),
        advice("AsyncCallRunAdvice"));
  }
}
