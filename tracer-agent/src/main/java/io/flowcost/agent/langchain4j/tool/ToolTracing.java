package io.flowcost.agent.langchain4j.tool;

import io.flowcost.agent.AgentLog;
import io.flowcost.agent.BrokenInstrumentation;
import io.flowcost.agent.caps.CapGuard;
import io.flowcost.agent.caps.CapRefusal;
import io.flowcost.agent.context.AgentContext;
import io.flowcost.agent.context.SpanAndValueContext;
import io.flowcost.agent.context.ToolSpans;
import io.flowcost.agent.langchain4j.Reflect;
import io.flowcost.agent.langchain4j.TypedReads;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.ContextKey;
import io.opentelemetry.context.Scope;

/**
 * Tool executions: {@code ToolService.executeWithErrorHandling(..)} (LangChain4j 1.4+), which
 * covers {@code @Tool} methods, lambdas and MCP tools in the synchronous and streaming loops.
 * LangChain4j turns a tool's exception into an error result; the exception class is captured from
 * the executor below. Older lines (1.4) return a {@code ToolExecutionResultMessage} without
 * {@code isError()}, so an exception from the executor alone marks the span failed. Arguments and
 * results are never read.
 */
public final class ToolTracing {

  private static final ContextKey<ToolToken> KEY = ContextKey.named("flowcost-tool");

  // read at these sites only: each keeps the one class it sees (Reflect.Getter)
  private static final Reflect.Getter NAME = Reflect.getter("name");
  private static final Reflect.Getter IS_ERROR = Reflect.getter("isError");

  /**
   * Whether {@link ToolServiceAdvice} reads the request's {@code name()} with a plain call (every
   * supported line has it: {@link TypedReads}).
   */
  public static final TypedReads TYPED =
      new TypedReads("langchain4j-tool-untyped", "LangChain4j tool values");

  /**
   * Whether the advice reads a {@code ToolExecutionResult}'s {@code isError()} with a plain call:
   * off on lines without that class (1.4 returns a {@code ToolExecutionResultMessage}, read
   * reflectively as before; nothing to log).
   */
  public static final TypedReads RESULT_TYPED = new TypedReads(null, "ToolExecutionResult");

  private ToolTracing() {}

  /**
   * Entry; returns a token for {@link #exit}, a {@link CapRefusal} when the workflow's caps refuse
   * the tool call (the advice then skips the method), or {@code null}. Never throws.
   */
  public static Object enter(Object toolExecutionRequest) {
    return enter(toolExecutionRequest, TypedReads.UNREAD);
  }

  /**
   * {@link #enter(Object)} with the request's {@code name()} already read ({@link TypedReads#UNREAD}: read
   * here, reflectively).
   */
  public static Object enter(Object toolExecutionRequest, Object tool) {
    // read once for the cap check, the span's parent and the tool's context (one look-up)
    Context current = Context.current();
    CapRefusal refusal =
        CapGuard.beforeToolCall(
            toolExecutionRequest == null ? null : toolExecutionRequest.getClass().getClassLoader(),
            current);
    if (refusal != null) {
      return refusal;
    }
    try {
      BrokenInstrumentation.check("tool");
      Span span = ToolSpans.builder(tool == TypedReads.UNREAD ? NAME.callString(toolExecutionRequest)
          : (String) tool).setParent(current).startSpan(); // the one shape of a tool span
      ToolToken token = new ToolToken(span);
      token.scope = SpanAndValueContext.of(current, span, KEY, token).makeCurrent();
      return token;
    } catch (Throwable t) {
      AgentLog.failure("tool enter", t);
      return null;
    }
  }

  /**
   * Exit: status ERROR when the executor threw, the result says so, or the method threw.
   *
   * @return what the method should throw: {@code thrown}, or a refusal's exception
   */
  public static Throwable exit(Object token, Object result, Throwable thrown) {
    return exit(token, result, thrown, TypedReads.UNREAD);
  }

  /** Whether {@link #exit} ends a tool span with this token (not a refusal, not a failed enter). */
  public static boolean ends(Object token) {
    return token instanceof ToolToken;
  }

  /**
   * {@link #exit(Object, Object, Throwable)} with the result's {@code isError()} already read (a
   * {@code Boolean}; {@link TypedReads#UNREAD}: read here, reflectively, when it decides).
   */
  public static Throwable exit(Object token, Object result, Throwable thrown, Object isError) {
    if (!(token instanceof ToolToken)) {
      return CapRefusal.thrown(token, thrown); // a refusal's exception, else thrown
    }
    ToolToken t = (ToolToken) token;
    try {
      t.scope.close();
      if (thrown != null) {
        AgentContext.recordError(t.span, thrown);
      } else if (t.errorType != null
          || Boolean.TRUE.equals(isError == TypedReads.UNREAD ? IS_ERROR.call(result) : isError)) {
        AgentContext.recordError(t.span, t.errorType != null ? t.errorType : "tool_error");
      }
      t.span.end();
    } catch (Throwable e) {
      AgentLog.failure("tool exit", e);
    }
    return thrown;
  }

  /** Called when a {@code ToolExecutor} threw: remembers the first exception class of the tool. */
  public static void executorThrew(Throwable thrown) {
    if (thrown == null) {
      return;
    }
    ToolToken t = Context.current().get(KEY);
    if (t != null && t.errorType == null) {
      Throwable cause = thrown;
      // LangChain4j wraps what the tool method threw; report the tool's own exception
      while (cause.getCause() != null
          && cause.getCause() != cause
          && cause.getClass().getName().startsWith("dev.langchain4j.")) {
        cause = cause.getCause();
      }
      t.errorType = cause.getClass().getName();
    }
  }

  private static final class ToolToken {
    final Span span;
    Scope scope;
    volatile String errorType;

    ToolToken(Span span) {
      this.span = span;
    }
  }
}
