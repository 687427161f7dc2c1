package io.flowcost.agent.concurrent;

import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import io.flowcost.agent.instrumentation.InstrumentationModule;
import java.util.concurrent.Callable;

/**
 * JDK executors and virtual threads, and Vert.x timers ({@code executors}): carry the open workflow
 * to the task's thread. JDK classes, so no library check (the Vert.x matcher only matches where
 * Vert.x is).
 */
public final class ExecutorsInstrumentation extends InstrumentationModule {

  /** Creates the unit. */
  public ExecutorsInstrumentation() {
    super("executors");
    transform(
        named("java.util.concurrent.ThreadPoolExecutor"),
        named("execute").and(takesArguments(1)).and(takesArgument(0, Runnable.class)),
        advice("RunnableArgumentAdvice"));
    transform(
        named("java.util.concurrent.ForkJoinPool")
            .or(named("java.util.concurrent.ThreadPerTaskExecutor"))
            // CompletableFuture's fallback when the common pool has parallelism 1
            .or(named("java.util.concurrent.CompletableFuture$ThreadPerTaskExecutor")),
        named("execute").or(named("submit")).and(takesArguments(1)).and(takesArgument(0, Runnable.class)),
        advice("RunnableArgumentAdvice"));
    transform(
        named("java.util.concurrent.ForkJoinPool")
            .or(named("java.util.concurrent.ThreadPerTaskExecutor")),
        named("submit").and(takesArguments(1)).and(takesArgument(0, Callable.class)),
        advice("CallableArgumentAdvice"));
    transform(
        named("java.util.concurrent.ScheduledThreadPoolExecutor"),
        named("schedule")
            .or(named("scheduleAtFixedRate"))
            .or(named("scheduleWithFixedDelay"))
            .and(takesArgument(0, Runnable.class)),
        advice("RunnableArgumentAdvice"));
    transform(
        named("java.util.concurrent.ScheduledThreadPoolExecutor"),
        named("schedule").and(takesArgument(0, Callable.class)),
        advice("CallableArgumentAdvice"));
    transform(
        named("java.lang.ThreadBuilders$VirtualThreadBuilder"),
        named("unstarted").and(takesArguments(1)).and(takesArgument(0, Runnable.class)),
        advice("RunnableArgumentAdvice"));
    // a Vert.x timer fires on an event loop (a Netty executor no hook above sees)
    transform(
        named("io.vertx.core.impl.VertxImpl"),
        named("scheduleTimeout").and(takesArguments(7)),
        advice("VertxTimerAdvice"));
  }
}
