package io.flowcost.agent.toolrunner;

import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.returns;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import io.flowcost.agent.instrumentation.InstrumentationModule;

/**
 * The Anthropic Java SDK's {@code BetaToolRunner} ({@link ToolRunnerTracing}): its iterators (of
 * messages, {@code iterator()}, and of streams, {@code streaming().iterator()}) and its tool runs —
 * {@code RunnableTool.run} on SDK 2.x, {@code BetaToolRunner.runTool} (every tool, the memory tool
 * included) on SDK 3.x — each checked against the workflow's caps before the tool runs.
 */
public final class AnthropicToolRunnerInstrumentation extends InstrumentationModule {

  private static final String HELPERS = "com.anthropic.helpers.";
  private static final String RUNNER = HELPERS + "BetaToolRunner";

  /** The unit. */
  public AnthropicToolRunnerInstrumentation() {
    super("anthropic-tool-runner", RUNNER);
    transform(
        named(RUNNER),
        named("iterator").and(takesArguments(0)).and(returns(named("java.util.Iterator"))),
        advice("RunnerIteratorAdvice"));
    transform(
        named(RUNNER + "$streaming$1"),
        named("iterator").and(takesArguments(0)).and(returns(named("java.util.Iterator"))),
        advice("StreamingIteratorAdvice"));
    // SDK 2.x
    transform(
        named(HELPERS + "RunnableTool"), named("run").and(takesArguments(1)),
        advice("RunnableToolAdvice"));
    // SDK 2.x: the caps, where the runner looks the tool up (outside run's catch). SDK 3.x's
    // generateToolUseResult takes three arguments and checks none: runTool does
    transform(named(RUNNER), named("generateToolUseResult").and(takesArguments(2)),
        advice("GenerateToolUseResultAdvice"));
    // SDK 3.x: runTool runs every tool (the memory tool too). BetaRunnableTool.run, inside it, is
    // synthetic (a Kotlin internal function), which advice does not reach
    transform(named(RUNNER), named("runTool").and(takesArguments(4)), advice("RunToolAdvice"));
  }
}
