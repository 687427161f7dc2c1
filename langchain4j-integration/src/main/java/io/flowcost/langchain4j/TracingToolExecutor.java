package io.flowcost.langchain4j;

import io.flowcost.contract.CallKind;
import io.flowcost.contract.GenAiOperation;
import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.invocation.InvocationContext;
import dev.langchain4j.service.tool.ToolExecutionResult;
import dev.langchain4j.service.tool.ToolExecutor;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;

/**
 * A {@link ToolExecutor} that records a tool call span around the delegate, with its exact
 * duration; HTTP calls the tool makes through an OpenTelemetry-instrumented client become its
 * children. Arguments and results are never recorded.
 */
final class TracingToolExecutor implements ToolExecutor {

  private final ToolExecutor delegate;
  private final Recorder recorder;
  private final AiServiceTracing aiServices;

  TracingToolExecutor(ToolExecutor delegate, Recorder recorder, AiServiceTracing aiServices) {
    this.delegate = delegate;
    this.recorder = recorder;
    this.aiServices = aiServices;
  }

  @Override
  public String execute(ToolExecutionRequest request, Object memoryId) {
    Span span = start(request, null);
    if (span == null) {
      return delegate.execute(request, memoryId);
    }
    try (Scope ignored = span.makeCurrent()) {
      return delegate.execute(request, memoryId);
    } catch (RuntimeException | Error e) {
      Recorder.fail(span, e);
      throw e;
    } finally {
      span.end();
    }
  }

  @Override
  public ToolExecutionResult executeWithContext(ToolExecutionRequest request, InvocationContext context) {
    Span span = start(request, context);
    if (span == null) {
      return delegate.executeWithContext(request, context);
    }
    try (Scope ignored = span.makeCurrent()) {
      ToolExecutionResult result = delegate.executeWithContext(request, context);
      if (result != null && result.isError()) {
        // The tool reported an error result to the model: no exception class to name.
        span.setAttribute(Attributes.ERROR_TYPE, "tool_error");
        span.setStatus(StatusCode.ERROR);
      }
      return result;
    } catch (RuntimeException | Error e) {
      Recorder.fail(span, e);
      throw e;
    } finally {
      span.end();
    }
  }

  /** The span of a tool call, or {@code null} outside any workflow. */
  private Span start(ToolExecutionRequest request, InvocationContext context) {
    Context parent = recorder.parent(context == null ? null : context.invocationId());
    if (parent == null || request == null) {
      return null;
    }
    aiServices.markRecorded(request);
    return toolSpan(recorder, request, parent).startSpan();
  }

  static SpanBuilder toolSpan(Recorder recorder, ToolExecutionRequest request, Context parent) {
    String name = request.name() == null ? "tool" : request.name();
    SpanBuilder builder =
        recorder
            .tracer()
            .spanBuilder("execute_tool " + name)
            .setParent(parent)
            .setSpanKind(SpanKind.INTERNAL)
            .setAttribute(Attributes.CALL_KIND, CallKind.TOOL.wire())
            .setAttribute(Attributes.OPERATION, GenAiOperation.EXECUTE_TOOL.wire())
            .setAttribute(Attributes.TOOL_NAME, name);
    if (request.id() != null) {
      builder.setAttribute(Attributes.TOOL_CALL_ID, request.id());
    }
    return builder;
  }
}
