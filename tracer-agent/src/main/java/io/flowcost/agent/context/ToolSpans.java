package io.flowcost.agent.context;

import io.flowcost.contract.CallKind;
import io.flowcost.contract.GenAiOperation;
import io.flowcost.agent.trace.AgentTracer;
import io.opentelemetry.api.trace.SpanBuilder;

/**
 * The one shape of a tool execution's span: {@code execute_tool <name>}, kind {@code tool}. Every
 * tool hook builds its span here — LangChain4j's {@code ToolService}, Spring AI's {@code
 * ToolCallback}, the Anthropic SDK's {@code BetaToolRunner} and the tool loops inferred from the
 * wire ({@code http.ToolLoop}) — so a tool row means the same whichever path recorded it.
 */
public final class ToolSpans {

  private ToolSpans() {}

  /**
   * A builder of a tool span named {@code execute_tool <tool>} with its call kind, operation and
   * tool name; the caller sets its parent, times and status.
   *
   * @param tool the tool's name as the model saw it ({@code unknown} when {@code null})
   */
  public static SpanBuilder builder(String tool) {
    String name = tool == null ? "unknown" : tool;
    // kind, operation, name and an error type
    return AgentTracer.spanBuilder(AgentContext.tracer(),
            SpanNames.of(GenAiOperation.EXECUTE_TOOL.wire(), name), 4)
        .setAttribute(SpanAttributes.CALL_KIND, CallKind.TOOL.wire())
        .setAttribute(SpanAttributes.OPERATION, GenAiOperation.EXECUTE_TOOL.wire())
        .setAttribute(SpanAttributes.TOOL_NAME, name);
  }
}
