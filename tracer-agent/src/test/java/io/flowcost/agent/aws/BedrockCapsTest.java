package io.flowcost.agent.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.flowcost.agent.AgentConfig;
import io.flowcost.agent.caps.CapGuard;
import io.flowcost.agent.caps.CapRefusal;
import io.flowcost.agent.context.AgentContext;
import io.flowcost.agent.context.Workflow;
import io.flowcost.agent.testing.AgentTelemetryExtension;
import io.flowcost.outcome.CapKind;
import io.flowcost.outcome.WorkflowCapExceededException;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import io.flowcost.agent.http.ToolLoop;
import io.flowcost.agent.usage.ToolCallRef;
import io.flowcost.agent.usage.ToolWire;
import java.util.List;
import software.amazon.awssdk.services.bedrockruntime.model.ContentBlock;
import software.amazon.awssdk.services.bedrockruntime.model.ConversationRole;
import software.amazon.awssdk.services.bedrockruntime.model.ConverseRequest;
import software.amazon.awssdk.services.bedrockruntime.model.Message;
import software.amazon.awssdk.services.bedrockruntime.model.ToolResultBlock;
import software.amazon.awssdk.services.bedrockruntime.model.ToolResultContentBlock;
import software.amazon.awssdk.services.bedrockruntime.model.ToolResultStatus;

/**
 * Per-workflow caps on the AWS SDK v2 Bedrock Runtime unit, sync and async: with {@code
 * max-model-calls=2} in enforce, the client handler's third {@code execute} is skipped before the
 * SDK builds or sends a request (the stand-in handler below counts what it would send; the request
 * is the real SDK's {@code ConverseRequest}) and the app
 * sees {@code WorkflowCapExceededException} — thrown by the synchronous client, the failed future
 * of the asynchronous one. Each call here is driven the way {@code SyncExecuteAdvice} / {@code
 * AsyncExecuteAdvice} drive {@link BedrockTracing} (the real SDK over the wire runs in {@code
 * BedrockEndToEndTest}, uncapped).
 */
class BedrockCapsTest {

  @RegisterExtension final AgentTelemetryExtension telemetry = new AgentTelemetryExtension();

  private final AgentConfig original = AgentContext.config();
  private final AtomicInteger sent = new AtomicInteger();

  /** Shaped like the SDK's {@code ClientExecutionParams}: the request in {@code getInput()}. */
  public static final class Params {
    private final Object input;

    Params(Object input) {
      this.input = input;
    }

    public Object getInput() {
      return input;
    }
  }

  /** Stands in for the client handler whose {@code execute} the advice wraps. */
  static final class Handler {}

  private final Handler handler = new Handler();
  private final Params converse =
      new Params(ConverseRequest.builder().modelId("anthropic.claude-3-haiku").build());

  @BeforeEach
  void enforce() {
    AgentContext.install(AgentContext.tracer(), AgentConfig.from(Map.of(
        "flowcost.service", "claims-bot", "flowcost.caps", "max-model-calls=2",
        "flowcost.caps.mode", "enforce")::get, n -> null));
  }

  @AfterEach
  void reset() {
    AgentContext.install(AgentContext.tracer(), original);
  }

  /** What {@code SyncExecuteAdvice} does around the synchronous handler's {@code execute}. */
  private String syncConverse() {
    Object token = BedrockTracing.enter(handler, converse);
    String response = null;
    if (!CapRefusal.isRefusal(token)) { // skipOn = CapRefusal: the body below is not run
      sent.incrementAndGet();
      response = "converse response";
    }
    Throwable thrown = BedrockTracing.exit(token, null);
    if (thrown != null) {
      throw (RuntimeException) thrown;
    }
    return response;
  }

  /** What {@code AsyncExecuteAdvice} does around the asynchronous handler's {@code execute}. */
  @SuppressWarnings("unchecked")
  private CompletableFuture<String> asyncConverse() {
    Object token = BedrockTracing.enter(handler, converse);
    CompletableFuture<String> future = null;
    if (!CapRefusal.isRefusal(token)) {
      sent.incrementAndGet();
      future = CompletableFuture.completedFuture("converse response");
    }
    future = (CompletableFuture<String>) BedrockTracing.asyncResult(token, future);
    BedrockTracing.exitAsync(token, future, null);
    return future;
  }

  private void assertRefusedOnce(Workflow wf, Throwable refused) {
    assertThat(refused).isInstanceOfSatisfying(WorkflowCapExceededException.class, e -> {
      assertThat(e.capKind()).isEqualTo(CapKind.MAX_MODEL_CALLS);
      assertThat(e.workflowId()).isEqualTo(wf.id());
    });
    assertThat(sent.get()).as("requests the SDK sent").isEqualTo(2);
    assertThat(wf.spend().modelCalls()).isEqualTo(2);
    assertThat(telemetry.spans())
        .filteredOn(s -> Boolean.TRUE.equals(s.getAttributes().get(CapGuard.BREACH)))
        .singleElement()
        .satisfies(b -> {
          assertThat(b.getAttributes().get(CapGuard.ENFORCED)).isTrue();
          assertThat(b.getAttributes().get(CapGuard.MODE)).isEqualTo("enforce");
          assertThat(b.getAttributes().get(CapGuard.MODEL_CALLS)).isEqualTo(2L);
        });
  }

  @Test
  void theSyncClientThrowsOnTheThirdCall() {
    Workflow wf = AgentContext.startWorkflow("bedrock-loop", "api", null, null);
    Throwable refused;
    try (Scope ignored = wf.attach(Context.current()).makeCurrent()) {
      assertThat(syncConverse()).isEqualTo("converse response");
      assertThat(syncConverse()).isEqualTo("converse response");
      refused = catchThrowable(this::syncConverse);
      assertThat(AgentContext.currentWorkflow()).as("the refused call left no scope open")
          .isSameAs(wf);
    } finally {
      wf.rootSpan().end();
    }
    assertRefusedOnce(wf, refused);
  }

  @Test
  void theAsyncClientsThirdFutureFails() throws Exception {
    Workflow wf = AgentContext.startWorkflow("bedrock-loop", "api", null, null);
    CompletableFuture<String> third;
    try (Scope ignored = wf.attach(Context.current()).makeCurrent()) {
      assertThat(asyncConverse().get(10, TimeUnit.SECONDS)).isEqualTo("converse response");
      assertThat(asyncConverse().get(10, TimeUnit.SECONDS)).isEqualTo("converse response");
      third = asyncConverse(); // returns: the refusal is in the future, not thrown by execute
    } finally {
      wf.rootSpan().end();
    }
    Throwable failure = catchThrowable(() -> third.get(10, TimeUnit.SECONDS));
    assertThat(failure).isInstanceOf(ExecutionException.class);
    assertRefusedOnce(wf, failure.getCause());
  }

  @Test
  void theToolsWhoseResultsARefusedRequestCarriesStillGetTheirRows() {
    ToolLoop.clear();
    // two tool calls an earlier answer asked for; the app ran both, the second failing
    ToolLoop.asked(ToolWire.BEDROCK_CONVERSE, List.of(new ToolCallRef("tooluse_a", "lookupPolicy"),
        new ToolCallRef("tooluse_b", "checkFraud")), "");
    ConverseRequest answering = ConverseRequest.builder().modelId("anthropic.claude-3-haiku")
        .messages(Message.builder().role(ConversationRole.USER).content(
            ContentBlock.fromToolResult(ToolResultBlock.builder().toolUseId("tooluse_a")
                .content(ToolResultContentBlock.fromText("active")).build()),
            ContentBlock.fromToolResult(ToolResultBlock.builder().toolUseId("tooluse_b")
                .status(ToolResultStatus.ERROR)
                .content(ToolResultContentBlock.fromText("failed")).build())).build())
        .build();
    Workflow wf = AgentContext.startWorkflow("bedrock-loop", "api", null, null);
    Throwable refused;
    try (Scope ignored = wf.attach(Context.current()).makeCurrent()) {
      syncConverse();
      syncConverse();
      Object token = BedrockTracing.enter(handler, new Params(answering));
      assertThat(CapRefusal.isRefusal(token)).isTrue();
      refused = BedrockTracing.exit(token, null);
    } finally {
      wf.rootSpan().end();
      ToolLoop.clear();
    }
    assertRefusedOnce(wf, refused);
    assertThat(telemetry.spans()).filteredOn(s -> s.getName().startsWith("execute_tool "))
        .extracting(s -> s.getName() + "/" + s.getStatus().getStatusCode() + "/"
            + s.getTraceId().equals(wf.id()))
        .containsExactly("execute_tool lookupPolicy/UNSET/true", "execute_tool checkFraud/ERROR/true");
  }
}
