package io.flowcost.agent.langchain4j.tool;

import static io.flowcost.agent.context.SpanAttributes.CALL_KIND;
import static io.flowcost.agent.context.SpanAttributes.ERROR_TYPE;
import static io.flowcost.agent.context.SpanAttributes.OPERATION;
import static io.flowcost.agent.context.SpanAttributes.TOOL_NAME;
import static org.assertj.core.api.Assertions.assertThat;

import io.flowcost.agent.testing.AgentTelemetryExtension;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class ToolTracingTest {

  @RegisterExtension final AgentTelemetryExtension telemetry = new AgentTelemetryExtension();

  /** Stands in for {@code ToolExecutionRequest}: the helper reads {@code name()} reflectively. */
  public static final class Request {
    public String name() {
      return "lookup_policy";
    }

    public String arguments() {
      return "{\"policy\":\"secret\"}";
    }
  }

  /** Stands in for {@code ToolExecutionResult}. */
  public static final class Result {
    private final boolean error;

    Result(boolean error) {
      this.error = error;
    }

    public boolean isError() {
      return error;
    }
  }

  @Test
  void successfulToolIsAToolCallWithoutArguments() {
    Object token = ToolTracing.enter(new Request());
    ToolTracing.exit(token, new Result(false), null);

    SpanData span = telemetry.span(TOOL_NAME, "lookup_policy");
    assertThat(span.getName()).isEqualTo("execute_tool lookup_policy");
    assertThat(span.getAttributes().get(CALL_KIND)).isEqualTo("tool");
    assertThat(span.getAttributes().get(OPERATION)).isEqualTo("execute_tool");
    assertThat(span.getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);
    assertThat(span.getAttributes().asMap().values()).noneMatch(v -> String.valueOf(v).contains("secret"));
  }

  @Test
  void errorResultTakesTheToolsOwnExceptionClass() {
    Object token = ToolTracing.enter(new Request());
    // what the executor threw, as LangChain4j swallows it into an error result
    ToolTracing.executorThrew(new IllegalArgumentException("no such policy"));
    ToolTracing.executorThrew(new RuntimeException("outer wrapper"));
    ToolTracing.exit(token, new Result(true), null);

    SpanData span = telemetry.span(TOOL_NAME, "lookup_policy");
    assertThat(span.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
    assertThat(span.getAttributes().get(ERROR_TYPE)).isEqualTo("java.lang.IllegalArgumentException");
  }

  @Test
  void errorResultWithoutExceptionStillFails() {
    Object token = ToolTracing.enter(new Request());
    ToolTracing.exit(token, new Result(true), null);

    assertThat(telemetry.span(TOOL_NAME, "lookup_policy").getAttributes().get(ERROR_TYPE))
        .isEqualTo("tool_error");
  }

  /** Stands in for LangChain4j 1.4's {@code ToolExecutionResultMessage}: no {@code isError()}. */
  public static final class ResultMessage {
    public String text() {
      return "the tool failed";
    }
  }

  @Test
  void executorExceptionFailsTheSpanWhenTheResultHasNoErrorFlag() {
    Object token = ToolTracing.enter(new Request());
    ToolTracing.executorThrew(new IllegalStateException("tariff service down"));
    ToolTracing.exit(token, new ResultMessage(), null);

    SpanData span = telemetry.span(TOOL_NAME, "lookup_policy");
    assertThat(span.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
    assertThat(span.getAttributes().get(ERROR_TYPE)).isEqualTo("java.lang.IllegalStateException");
  }

  @Test
  void resultWithoutErrorFlagAndNoExceptionSucceeds() {
    Object token = ToolTracing.enter(new Request());
    ToolTracing.exit(token, new ResultMessage(), null);

    assertThat(telemetry.span(TOOL_NAME, "lookup_policy").getStatus().getStatusCode())
        .isEqualTo(StatusCode.UNSET);
  }
}
