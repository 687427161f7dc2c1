package io.flowcost.agent.toolrunner;

import static io.flowcost.agent.context.SpanAttributes.CALL_KIND;
import static io.flowcost.agent.context.SpanAttributes.ERROR_TYPE;
import static io.flowcost.agent.context.SpanAttributes.STEP;
import static io.flowcost.agent.context.SpanAttributes.TOOL_NAME;
import static io.flowcost.agent.context.SpanAttributes.WORKFLOW_ROOT;
import static io.flowcost.agent.context.SpanAttributes.WORKFLOW_SOURCE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flowcost.agent.AgentConfig;
import io.flowcost.agent.caps.CapGuard;
import io.flowcost.agent.caps.CapRefusal;
import io.flowcost.agent.context.AgentContext;
import io.flowcost.agent.context.Workflow;
import io.flowcost.agent.testing.AgentTelemetryExtension;
import io.flowcost.outcome.CapKind;
import io.flowcost.outcome.WorkflowCapExceededException;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A {@code BetaToolRunner}'s loop and tools, with stand-ins shaped like the SDK's (read by field and
 * method name).
 */
class ToolRunnerTracingTest {

  @RegisterExtension final AgentTelemetryExtension telemetry = new AgentTelemetryExtension();

  /** Shaped like {@code com.anthropic.models.messages.Model}. */
  public static final class Model {
    public String asString() {
      return "claude-sonnet-4-5";
    }
  }

  /** Shaped like the SDK's {@code MessageCreateParams}. */
  public static final class Params {
    public Model model() {
      return new Model();
    }
  }

  /** Shaped like {@code ToolRunnerCreateParams}. */
  public static final class RunnerParams {
    public Params initialMessageParams() {
      return new Params();
    }
  }

  /** Shaped like {@code BetaToolRunner}: its parameters in a private field. */
  static final class Runner {
    @SuppressWarnings("unused")
    private final RunnerParams params = new RunnerParams();
  }

  /** Shaped like the iterable {@code streaming()} returns (a Kotlin object: the runner in this$0). */
  static final class Streams {
    @SuppressWarnings("unused")
    private final Runner this$0 = new Runner();
  }

  /** Shaped like {@code BetaToolResultBlockParam}. */
  public static final class Result {
    private final boolean error;

    Result(boolean error) {
      this.error = error;
    }

    public Optional<Boolean> isError() {
      return error ? Optional.of(true) : Optional.empty();
    }
  }

  /**
   * The runner's own iterator: each step checks a workflow is current and runs the tools given for
   * it, the second of which throws when asked to.
   */
  private static Iterator<String> steps(List<String> seen, String... tools) {
    return new Iterator<>() {
      int next;

      @Override
      public boolean hasNext() {
        seen.add(AgentContext.currentWorkflow() == null ? "no workflow" : "workflow");
        return next < tools.length;
      }

      @Override
      public String next() {
        if (next >= tools.length) {
          throw new NoSuchElementException();
        }
        Object token = ToolRunnerTracing.toolEnter(tools[next]);
        // a tool that runs another tool (3.x: runTool around the tool itself) counts once
        ToolRunnerTracing.toolExit(ToolRunnerTracing.toolEnter("inner"), null, null);
        ToolRunnerTracing.toolExit(token, null, new Result(tools[next].startsWith("broken")));
        return "message " + next++;
      }
    };
  }

  @Test
  void theRunnersRequestsAreNotInferredFromTheWireItsHooksRecordItsTools() {
    io.flowcost.agent.http.ToolLoop.clear();
    io.flowcost.agent.http.ToolLoop.asked(io.flowcost.agent.usage.ToolWire.ANTHROPIC_MESSAGES,
        List.of(new io.flowcost.agent.usage.ToolCallRef("toolu_1", "get_weather"),
            new io.flowcost.agent.usage.ToolCallRef("toolu_2", "get_forecast")), "");
    List<Boolean> inLoop = new ArrayList<>();
    Iterator<?> loop = (Iterator<?>) ToolRunnerTracing.messages(new Runner(), new Iterator<>() {
      int step;

      @Override
      public boolean hasNext() {
        return step < 1;
      }

      @Override
      public Object next() {
        step++;
        inLoop.add(ToolRunnerTracing.inRunnerLoop());
        // the runner's next request answers the tool calls the runner ran itself
        Object token = io.flowcost.agent.openai.OpenAiSdkTracing.enter(
            new io.flowcost.agent.openai.OpenAiSdkTracingTest.OpenAiRequest(
                "http://127.0.0.1:1/v1/messages",
                new io.flowcost.agent.openai.OpenAiSdkTracingTest.JsonBody(
                    io.flowcost.agent.openai.OpenAiToolLoopTest.ANTHROPIC_ANSWERING)));
        io.flowcost.agent.openai.OpenAiSdkTracing.exit(token, null);
        return "message";
      }
    });
    loop.forEachRemaining(m -> { });
    assertThat(inLoop).containsExactly(true);
    assertThat(ToolRunnerTracing.inRunnerLoop()).isFalse();
    assertThat(telemetry.spans().stream()
        .filter(s -> "tool".equals(s.getAttributes().get(CALL_KIND)))).as("no inferred row").isEmpty();
    assertThat(io.flowcost.agent.http.ToolLoop.anyPending()).isTrue();
    io.flowcost.agent.http.ToolLoop.clear();
  }

  @Test
  void theLoopIsOneWorkflowNamedByItsModelAndEachToolATool() {
    List<String> seen = new ArrayList<>();
    @SuppressWarnings("unchecked")
    Iterator<Object> loop = (Iterator<Object>) ToolRunnerTracing.messages(new Runner(),
        steps(seen, "get_weather", "broken_forecast"));
    List<Object> messages = new ArrayList<>();
    loop.forEachRemaining(messages::add);
    assertThat(messages).containsExactly("message 0", "message 1");
    assertThat(seen).containsOnly("workflow");
    assertThat(AgentContext.currentWorkflow()).isNull();

    SpanData root = telemetry.span(WORKFLOW_ROOT, true);
    assertThat(root.getName()).isEqualTo("anthropic:tool-runner claude-sonnet-4-5");
    assertThat(root.getAttributes().get(WORKFLOW_SOURCE)).isEqualTo("ai_service");
    assertThat(root.getStatus().getStatusCode()).isNotEqualTo(StatusCode.ERROR);
    List<SpanData> tools = telemetry.spans().stream()
        .filter(s -> "tool".equals(s.getAttributes().get(CALL_KIND))).toList();
    assertThat(tools).extracting(s -> s.getAttributes().get(TOOL_NAME))
        .containsExactly("get_weather", "broken_forecast");
    assertThat(tools).allSatisfy(t -> assertThat(t.getTraceId()).isEqualTo(root.getTraceId()));
    assertThat(tools.get(0).getStatus().getStatusCode()).isNotEqualTo(StatusCode.ERROR);
    assertThat(tools.get(1).getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
    assertThat(tools.get(1).getAttributes().get(ERROR_TYPE))
        .isEqualTo(ToolRunnerTracing.ERROR_RESULT);
  }

  @Test
  void aToolThatThrowsIsFailedWithItsExceptionClass() {
    Object token = ToolRunnerTracing.toolEnter("get_forecast");
    ToolRunnerTracing.toolExit(token, new IllegalStateException("down"), null);
    SpanData tool = telemetry.span(TOOL_NAME, "get_forecast");
    assertThat(tool.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
    assertThat(tool.getAttributes().get(ERROR_TYPE)).isEqualTo("java.lang.IllegalStateException");
  }

  @Test
  void aStepThatThrowsEndsTheWorkflowFailedAndReachesTheApp() {
    Iterator<String> failing = new Iterator<>() {
      @Override
      public boolean hasNext() {
        throw new IllegalArgumentException("bad request");
      }

      @Override
      public String next() {
        throw new NoSuchElementException();
      }
    };
    Iterator<?> loop = (Iterator<?>) ToolRunnerTracing.messages(new Runner(), failing);
    assertThatThrownBy(loop::hasNext).isInstanceOf(IllegalArgumentException.class);
    SpanData root = telemetry.span(WORKFLOW_ROOT, true);
    assertThat(root.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
    assertThat(root.getAttributes().get(ERROR_TYPE)).isEqualTo("java.lang.IllegalArgumentException");
    assertThat(AgentContext.currentWorkflow()).isNull();
  }

  @Test
  void insideAnOpenWorkflowTheStreamingLoopIsAStep() {
    Workflow open = AgentContext.startWorkflow("support-desk", "api", null, null);
    List<String> seen = new ArrayList<>();
    try (Scope ignored = open.attach(Context.current()).makeCurrent()) {
      Iterator<?> loop = (Iterator<?>) ToolRunnerTracing.streams(new Streams(),
          steps(seen, "get_weather"));
      while (loop.hasNext()) {
        loop.next();
      }
    }
    open.rootSpan().end();
    SpanData step = telemetry.span(STEP, true);
    assertThat(step.getName()).isEqualTo("anthropic:tool-runner-stream claude-sonnet-4-5");
    assertThat(step.getTraceId()).isEqualTo(open.id());
    assertThat(telemetry.span(TOOL_NAME, "get_weather").getParentSpanId())
        .isEqualTo(step.getSpanId());
    assertThat(telemetry.span(WORKFLOW_ROOT, true).getName()).isEqualTo("support-desk");
  }

  @Test
  void aLoopLeftEarlyEndsWhenItsIteratorIsCollected() throws Exception {
    leaveAfterOneStep();
    long deadline = System.nanoTime() + 20_000_000_000L;
    while (telemetry.spans().stream().noneMatch(s -> Boolean.TRUE.equals(
        s.getAttributes().get(WORKFLOW_ROOT))) && System.nanoTime() < deadline) {
      System.gc();
      Thread.sleep(20);
    }
    SpanData root = telemetry.span(WORKFLOW_ROOT, true);
    SpanData tool = telemetry.span(TOOL_NAME, "get_weather");
    assertThat(root.getEndEpochNanos()).as("ended at its last step, not at collection")
        .isGreaterThanOrEqualTo(tool.getEndEpochNanos());
  }

  private void leaveAfterOneStep() {
    Iterator<?> loop = (Iterator<?>) ToolRunnerTracing.messages(new Runner(),
        steps(new ArrayList<>(), "get_weather", "get_time"));
    loop.next(); // then the application breaks out of its for loop
    assertThat(telemetry.spans().stream().filter(s -> Boolean.TRUE.equals(
        s.getAttributes().get(WORKFLOW_ROOT)))).isEmpty();
  }

  @Test
  void somethingThatIsNotAnIteratorIsLeftAlone() {
    Object notIterator = "x";
    assertThat(ToolRunnerTracing.messages(new Runner(), notIterator)).isSameAs(notIterator);
    assertThat(ToolRunnerTracing.model(null)).isNull();
  }

  /**
   * One step of a runner's loop that runs one tool the way the SDK does with the advice around it:
   * SDK 3.x's {@code runTool} ({@code RunToolAdvice}: caps, then the tool's span) or SDK 2.x's
   * {@code generateToolUseResult} ({@code GenerateToolUseResultAdvice}: caps) around {@code
   * RunnableTool.run} ({@code RunnableToolAdvice}: the span). A refused run skips the tool body
   * and throws the refusal's exception out of the step, as the advice does.
   */
  private static Iterator<String> toolSteps(int steps, boolean sdk3, List<String> ran) {
    Runner runner = new Runner();
    return new Iterator<>() {
      int next;

      @Override
      public boolean hasNext() {
        return next < steps;
      }

      @Override
      public String next() {
        String name = "lookup_" + next;
        if (sdk3) {
          Object token = ToolRunnerTracing.toolEnter(name, runner);
          if (!CapRefusal.isRefusal(token)) {
            ran.add(name);
          }
          throwIfAny(ToolRunnerTracing.toolExit(token, null, new Result(false)));
        } else {
          CapRefusal refusal = ToolRunnerTracing.capCheck(runner);
          if (refusal == null) {
            Object token = ToolRunnerTracing.toolEnter(name);
            ran.add(name);
            ToolRunnerTracing.toolExit(token, null, null);
          }
          throwIfAny(CapRefusal.thrown(refusal, null));
        }
        return "message " + next++;
      }
    };
  }

  private static void throwIfAny(Throwable t) {
    if (t != null) {
      throw (RuntimeException) t;
    }
  }

  /**
   * {@code max-tool-calls=2} in enforce: the runner's third tool is refused before it runs, the
   * refusal leaves the loop through the application's {@code next()}, the loop's workflow ends
   * failed with it, and one breach is recorded, enforced, with two tool calls.
   */
  private void theThirdToolIsRefused(boolean sdk3) {
    AgentConfig original = AgentContext.config();
    AgentContext.install(AgentContext.tracer(), AgentConfig.from(Map.of(
        "flowcost.service", "claims-bot", "flowcost.caps", "max-tool-calls=2",
        "flowcost.caps.mode", "enforce")::get, n -> null));
    List<String> ran = new ArrayList<>();
    List<Object> messages = new ArrayList<>();
    try {
      Iterator<?> loop = (Iterator<?>) ToolRunnerTracing.messages(new Runner(), toolSteps(5, sdk3, ran));
      assertThatThrownBy(() -> {
        while (loop.hasNext()) {
          messages.add(loop.next());
        }
      }).isInstanceOfSatisfying(WorkflowCapExceededException.class,
          e -> assertThat(e.capKind()).isEqualTo(CapKind.MAX_TOOL_CALLS));
    } finally {
      AgentContext.install(AgentContext.tracer(), original);
    }
    assertThat(ran).as("tools that ran").containsExactly("lookup_0", "lookup_1");
    assertThat(messages).containsExactly("message 0", "message 1");
    assertThat(AgentContext.currentWorkflow()).isNull();
    SpanData root = telemetry.span(WORKFLOW_ROOT, true);
    assertThat(root.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
    assertThat(root.getAttributes().get(ERROR_TYPE))
        .isEqualTo(WorkflowCapExceededException.class.getName());
    assertThat(telemetry.spans().stream()
        .filter(s -> "tool".equals(s.getAttributes().get(CALL_KIND))))
        .extracting(s -> s.getAttributes().get(TOOL_NAME))
        .containsExactly("lookup_0", "lookup_1");
    assertThat(telemetry.spans())
        .filteredOn(s -> Boolean.TRUE.equals(s.getAttributes().get(CapGuard.BREACH)))
        .singleElement()
        .satisfies(b -> {
          assertThat(b.getAttributes().get(CapGuard.ENFORCED)).isTrue();
          assertThat(b.getAttributes().get(CapGuard.KIND)).isEqualTo("max-tool-calls");
          assertThat(b.getAttributes().get(CapGuard.TOOL_CALLS)).isEqualTo(2L);
          assertThat(b.getTraceId()).isEqualTo(root.getTraceId());
        });
  }

  @Test
  void sdk3RunToolPastMaxToolCallsIsRefusedAndStopsTheLoop() {
    theThirdToolIsRefused(true);
  }

  @Test
  void sdk2ToolLookupPastMaxToolCallsIsRefusedAndStopsTheLoop() {
    theThirdToolIsRefused(false);
  }

  @Test
  void aToolRunInsideAToolRunIsNotCheckedAgain() {
    AgentConfig original = AgentContext.config();
    AgentContext.install(AgentContext.tracer(), AgentConfig.from(Map.of(
        "flowcost.caps", "max-tool-calls=1", "flowcost.caps.mode", "enforce")::get, n -> null));
    Workflow wf = AgentContext.startWorkflow("nested", "api", null, null);
    try (Scope ignored = wf.attach(Context.current()).makeCurrent()) {
      Object outer = ToolRunnerTracing.toolEnter("outer", new Runner());
      assertThat(outer).isNotNull().isNotInstanceOf(CapRefusal.class);
      assertThat(ToolRunnerTracing.capCheck(new Runner())).as("inside a tool: not a 2nd call")
          .isNull();
      assertThat(ToolRunnerTracing.toolExit(outer, null, null)).isNull();
      assertThat(wf.spend().toolCalls()).isEqualTo(1);
    } finally {
      wf.rootSpan().end();
      AgentContext.install(AgentContext.tracer(), original);
    }
  }
}
