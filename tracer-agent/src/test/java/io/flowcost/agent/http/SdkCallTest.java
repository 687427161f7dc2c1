package io.flowcost.agent.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.flowcost.agent.calls.LogicalCall;
import io.flowcost.agent.testing.AgentTelemetryExtension;
import io.flowcost.agent.usage.ResponseSummary;
import io.flowcost.agent.usage.ToolCallRef;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * When an SDK call tells its listener about an answer: as soon as the answer's body has been read,
 * before the asynchronous SDK method's future completes — so a tool loop's next request, sent the
 * moment the application's {@code get()} returns, always finds the tool calls it answers.
 */
class SdkCallTest {

  @RegisterExtension final AgentTelemetryExtension telemetry = new AgentTelemetryExtension();

  private static final byte[] ASKS_FOR_A_TOOL = ("{\"output\":{\"message\":{\"role\":\"assistant\","
      + "\"content\":[{\"toolUse\":{\"toolUseId\":\"tooluse_1\",\"name\":\"lookupPolicy\","
      + "\"input\":{}}}]}},\"stopReason\":\"tool_use\","
      + "\"usage\":{\"inputTokens\":12,\"outputTokens\":7,\"totalTokens\":19}}")
      .getBytes(StandardCharsets.UTF_8);

  @Test
  void theAnswerIsHeardBeforeTheAsyncMethodsFutureCompletesAndAFailedAttemptIsNot() {
    List<ResponseSummary> heard = new CopyOnWriteArrayList<>();
    LogicalCall call = LogicalCall.start("model", "chat", "aws.bedrock", "claude-haiku", false);
    SdkCall sdk = SdkCall.of(call);
    sdk.whenAnswered(heard::add);
    CompletableFuture<String> future = new CompletableFuture<>();
    sdk.methodExitedWhenDone(future, null);

    // a throttled first attempt: no answer to hear
    HttpExchange throttled = HttpExchanges.sdkAttempt(sdk).ignoreResponseModel();
    throttled.responseHead(429, "application/json");
    throttled.bodyComplete();
    assertThat(heard).isEmpty();

    HttpExchange answered = HttpExchanges.sdkAttempt(sdk).ignoreResponseModel();
    assertThat(answered.responseHead(200, "application/json")).as("the body is read").isTrue();
    answered.bodyBytes(ASKS_FOR_A_TOOL, 0, ASKS_FOR_A_TOOL.length);
    answered.bodyComplete();

    assertThat(future).as("the application has not been given the answer yet").isNotDone();
    assertThat(heard).hasSize(1);
    assertThat(heard.get(0).toolCalls())
        .containsExactly(new ToolCallRef("tooluse_1", "lookupPolicy"));
    future.complete("answer");
    assertThat(heard).as("heard once").hasSize(1);
  }
}
