package io.flowcost.agent.toolrunner;

import io.flowcost.agent.AgentLog;
import io.flowcost.agent.caps.CapGuard;
import io.flowcost.agent.caps.CapRefusal;
import io.flowcost.agent.context.AgentContext;
import io.flowcost.agent.context.ToolSpans;
import io.flowcost.agent.langchain4j.Reflect;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.ContextKey;
import io.opentelemetry.context.Scope;
import java.lang.reflect.Field;
import java.util.Iterator;
import java.util.Optional;

/**
 * Helpers of the {@code BetaToolRunner} advice. SDK objects are typed {@code Object} and read
 * reflectively.
 *
 * <ul>
 *   <li>the iterator a runner hands out ({@code for (BetaMessage m : runner)}, {@code
 *       runner.streaming()}) is wrapped in a {@link RunnerLoop}: the loop it drives is a workflow
 *       (source {@code ai_service}) named {@code anthropic:tool-runner <model>} (or {@code
 *       anthropic:tool-runner-stream <model>}), or a step of that name in the open workflow. It
 *       starts at the first {@code hasNext()}/{@code next()} and ends when the iterator is
 *       exhausted or throws — or, for a loop the application leaves early, when the iterator is
 *       garbage collected, with the end time of its last step;
 *   <li>each tool the runner executes is an {@code execute_tool <name>} span of kind {@code tool},
 *       failed when the tool threw — the SDK catches that and sends the model an error result, so
 *       the application never sees it;
 *   <li>each tool run is checked against the workflow's caps ({@code max-tool-calls} and the
 *       others, {@link CapGuard#beforeToolCall}) before it starts — where SDK 3.x runs every tool
 *       ({@code BetaToolRunner.runTool}) and SDK 2.x looks a tool up ({@code
 *       generateToolUseResult}, outside the {@code catch} that would turn the refusal into an
 *       error result for the model). In {@code enforce} a refused tool never runs and the
 *       refusal propagates out of the runner's loop: the application's {@code hasNext()}/{@code
 *       next()} throws {@code WorkflowCapExceededException} and the loop's workflow ends failed.
 * </ul>
 */
public final class ToolRunnerTracing {

  /** Workflow names: {@code <prefix> <model>}. */
  static final String MESSAGES = "anthropic:tool-runner";

  static final String STREAMS = "anthropic:tool-runner-stream";

  /** The error type of a tool whose exception the SDK caught (SDK 3.x). */
  static final String ERROR_RESULT = "tool_error_result";

  private static final ContextKey<Boolean> IN_TOOL = ContextKey.named("flowcost-tool-runner-tool");

  /** Set while a step of a runner's loop runs ({@link RunnerLoop}). */
  static final ContextKey<Boolean> IN_LOOP = ContextKey.named("flowcost-tool-runner-loop");

  private ToolRunnerTracing() {}

  // ---- loops --------------------------------------------------------------------------------

  /**
   * Whether the current code runs inside a step of a {@code BetaToolRunner} loop: its model
   * requests' tool calls are then the runner's, recorded by its tool hooks, not inferred from the
   * wire.
   */
  public static boolean inRunnerLoop() {
    return Boolean.TRUE.equals(Context.current().get(IN_LOOP));
  }

  /** Exit of {@code BetaToolRunner.iterator()}: the iterator, wrapped. */
  public static Object messages(Object runner, Object iterator) {
    return wrap(runner, iterator, MESSAGES);
  }

  /** Exit of {@code streaming().iterator()}: the iterator of streams, wrapped. */
  public static Object streams(Object iterable, Object iterator) {
    return wrap(field(iterable, "this$0"), iterator, STREAMS);
  }

  private static Object wrap(Object runner, Object iterator, String prefix) {
    if (!(iterator instanceof Iterator) || iterator instanceof RunnerLoop) {
      return iterator;
    }
    try {
      String model = model(runner);
      String name = model == null ? prefix : prefix + ' ' + model;
      ClassLoader loader = runner == null ? null : runner.getClass().getClassLoader();
      return RunnerLoop.wrap((Iterator<?>) iterator, name, loader);
    } catch (Throwable t) {
      AgentLog.failure("anthropic tool runner iterator", t);
      return iterator;
    }
  }

  /** The model of the runner's first request ({@code params.initialMessageParams().model()}). */
  static String model(Object runner) {
    Object params = field(runner, "params");
    Object model = Reflect.call(Reflect.call(params, "initialMessageParams"), "model");
    String name = Reflect.callString(model, "asString");
    return name != null ? name : (model == null ? null : String.valueOf(model));
  }

  /** A declared field of the object's class, or {@code null}. */
  private static Object field(Object target, String name) {
    if (target == null) {
      return null;
    }
    try {
      Field field = target.getClass().getDeclaredField(name);
      field.setAccessible(true);
      return field.get(target);
    } catch (ReflectiveOperationException | RuntimeException e) {
      return null;
    }
  }

  // ---- tools --------------------------------------------------------------------------------

  /** The name of an SDK 2.x {@code RunnableTool}. */
  public static String runnableName(Object tool) {
    return Reflect.callString(tool, "name");
  }

  /** The tool a {@code BetaToolUseBlockParam} asks for. */
  public static String toolUseName(Object toolUse) {
    return Reflect.callString(toolUse, "name");
  }

  /**
   * Where SDK 2.x's runner starts a tool ({@code generateToolUseResult}): a {@link CapRefusal} when
   * the workflow's caps refuse the tool call (the advice skips the method and throws the refusal's
   * exception), else {@code null}. The tool's span is {@code RunnableTool.run}'s ({@link
   * #toolEnter(String)}). Never throws.
   */
  public static CapRefusal capCheck(Object runner) {
    if (Boolean.TRUE.equals(Context.current().get(IN_TOOL))) {
      return null; // a tool that runs another counts once
    }
    return CapGuard.beforeToolCall(runner == null ? null : runner.getClass().getClassLoader());
  }

  /**
   * Entry of SDK 3.x's tool run ({@code runTool}): the caps first ({@link #capCheck}: a {@link
   * CapRefusal} to skip the run), then the tool's span as {@link #toolEnter(String)}.
   */
  public static Object toolEnter(String name, Object runner) {
    CapRefusal refusal = capCheck(runner);
    return refusal != null ? refusal : toolEnter(name);
  }

  /**
   * Entry of a tool run: a token for {@link #toolExit}; {@code null} inside a tool run already (a
   * tool that runs another counts once). Checks no caps (SDK 2.x's {@code RunnableTool.run}, whose
   * caps {@link #capCheck} checked where the runner looked the tool up).
   */
  public static Object toolEnter(String name) {
    try {
      if (Boolean.TRUE.equals(Context.current().get(IN_TOOL))) {
        return null;
      }
      Span span = ToolSpans.builder(name).startSpan();
      Scope scope = Context.current().with(span).with(IN_TOOL, Boolean.TRUE).makeCurrent();
      return new Tool(span, scope);
    } catch (Throwable t) {
      AgentLog.failure("anthropic tool runner tool enter", t);
      return null;
    }
  }

  /**
   * Exit of a tool run: failed with the class of what the tool threw (SDK 2.x's {@code
   * RunnableTool.run}), or with {@value #ERROR_RESULT} when {@code result} is an error result (SDK
   * 3.x's {@code runTool} catches the exception and answers the model with its message: its class
   * never leaves the SDK).
   *
   * @return what the tool run throws: a refusal's exception when {@code token} is a {@link
   *     CapRefusal}, else {@code thrown}
   */
  public static Throwable toolExit(Object token, Throwable thrown, Object result) {
    if (!(token instanceof Tool)) {
      return CapRefusal.thrown(token, thrown);
    }
    Tool tool = (Tool) token;
    try {
      tool.scope.close();
      if (thrown != null) {
        AgentContext.recordError(tool.span, thrown);
      } else if (isErrorResult(result)) {
        AgentContext.recordError(tool.span, ERROR_RESULT);
      }
      tool.span.end();
    } catch (Throwable t) {
      AgentLog.failure("anthropic tool runner tool exit", t);
    }
    return thrown;
  }

  private static boolean isErrorResult(Object result) {
    Object isError = Reflect.call(result, "isError");
    return isError instanceof Optional && Boolean.TRUE.equals(((Optional<?>) isError).orElse(null));
  }

  /** A tool run's span and the scope to close. */
  private static final class Tool {
    final Span span;
    final Scope scope;

    Tool(Span span, Scope scope) {
      this.span = span;
      this.scope = scope;
    }
  }
}
