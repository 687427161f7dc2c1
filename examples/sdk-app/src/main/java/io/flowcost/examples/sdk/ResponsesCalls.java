package io.flowcost.examples.sdk;

import com.openai.client.OpenAIClient;
import com.openai.core.http.StreamResponse;
import com.openai.models.responses.EasyInputMessage;
import com.openai.models.responses.Response;
import com.openai.models.responses.ResponseCreateParams;
import com.openai.models.responses.ResponseFunctionToolCall;
import com.openai.models.responses.ResponseInputItem;
import com.openai.models.responses.ResponseOutputItem;
import com.openai.models.responses.ResponseStreamEvent;
import com.openai.models.responses.ResponseUsage;
import io.flowcost.outcome.Flowcost;
import io.flowcost.outcome.Workflow;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * The OpenAI Responses API ({@code client.responses()}), run as an application would ({@code
 * --responses}):
 *
 * <ol>
 *   <li>a whole response with long instructions (a warm prompt cache: cached input tokens);
 *   <li>a reasoning model (reasoning tokens inside the output);
 *   <li>a streamed response ({@code createStreaming}, its usage in {@code response.completed});
 *   <li>a 429 the SDK retries;
 *   <li>the function-calling loop of the SDK's example inside an outcome-api workflow ({@code
 *       responses-trip}): the app sends the whole conversation, runs each {@code function_call}
 *       the answer holds and answers it with a {@code function_call_output} of the same {@code
 *       call_id}, until a text answer — three requests (the first streamed), two tool runs;
 *   <li>the same loop without a workflow: two requests, one tool run.
 * </ol>
 *
 * Each line printed is deterministic (the fake's answers are a function of the request).
 */
final class ResponsesCalls {

  /** Instructions long enough for the fake to report a warm prompt cache (≥ 4096 characters). */
  static final String LONG_INSTRUCTIONS = "You are the travel desk. Policy manual line. ".repeat(100);

  private ResponsesCalls() {}

  static void run(OpenAIClient client, PrintStream out) {
    Response cached = client.responses().create(ResponseCreateParams.builder()
        .model("gpt-4.1").instructions(LONG_INSTRUCTIONS).input("Hello Responses").build());
    out.println("r1 responses-cached " + usage(cached.usage().orElseThrow()));

    Response reasoning = client.responses().create(ResponseCreateParams.builder()
        .model("gpt-5.5-pro").input("Think about it").build());
    out.println("r2 responses-reasoning " + usage(reasoning.usage().orElseThrow()));

    ResponseUsage streamed = null;
    StringBuilder text = new StringBuilder();
    try (StreamResponse<ResponseStreamEvent> stream = client.responses().createStreaming(
        ResponseCreateParams.builder().model("gpt-4o-mini").input("Stream Responses").build())) {
      for (ResponseStreamEvent event : (Iterable<ResponseStreamEvent>) stream.stream()::iterator) {
        if (event.isOutputTextDelta()) {
          text.append(event.asOutputTextDelta().delta());
        } else if (event.isCompleted()) {
          streamed = event.asCompleted().response().usage().orElseThrow();
        }
      }
    }
    out.println("r3 responses-stream " + usage(streamed) + " text=" + text);

    Response retried = client.responses().create(ResponseCreateParams.builder()
        .model("gpt-4o-mini").input("Busy Responses [fail:429]").build());
    out.println("r4 responses-retry " + usage(retried.usage().orElseThrow()));

    try (Workflow wf = Flowcost.workflow("responses-trip").tag("team", "tools").start()) {
      out.println("r5 responses-loop-in-workflow " + loop(client,
          "Plan my trip [tool:get_weather {\"city\":\"Paris\"}]"
              + " [tool:get_weather {\"city\":\"Rome\"}]", true));
      wf.success();
    }
    out.println("r6 responses-loop-no-workflow " + loop(client,
        "Weather please [tool:get_weather {\"city\":\"Lima\"}]", false));
  }

  private static String usage(ResponseUsage usage) {
    return "in=" + usage.inputTokens() + " cached=" + usage.inputTokensDetails().cachedTokens()
        + " out=" + usage.outputTokens() + " reasoning="
        + usage.outputTokensDetails().reasoningTokens();
  }

  /**
   * The loop of the SDK's Responses function-calling example: ask, run the function calls of the
   * answer, send them and their outputs back with the conversation, until no call is asked for.
   * Returns the tools run and the final text.
   */
  static String loop(OpenAIClient client, String prompt, boolean streamFirst) {
    List<ResponseInputItem> input = new ArrayList<>();
    input.add(ResponseInputItem.ofEasyInputMessage(EasyInputMessage.builder()
        .role(EasyInputMessage.Role.USER).content(prompt).build()));
    List<String> ran = new ArrayList<>();
    for (int turn = 0; turn < 5; turn++) {
      ResponseCreateParams params = ResponseCreateParams.builder().model("gpt-4o-mini")
          .addTool(ToolLoops.GetWeather.class)
          .input(ResponseCreateParams.Input.ofResponse(List.copyOf(input))).build();
      List<ResponseOutputItem> output = new ArrayList<>();
      if (turn == 0 && streamFirst) {
        try (StreamResponse<ResponseStreamEvent> stream =
            client.responses().createStreaming(params)) {
          stream.stream().filter(ResponseStreamEvent::isOutputItemDone)
              .forEach(e -> output.add(e.asOutputItemDone().item()));
        }
      } else {
        output.addAll(client.responses().create(params).output());
      }
      List<ResponseFunctionToolCall> calls = output.stream()
          .filter(ResponseOutputItem::isFunctionCall).map(ResponseOutputItem::asFunctionCall)
          .toList();
      if (calls.isEmpty()) {
        String answer = output.stream().filter(ResponseOutputItem::isMessage)
            .flatMap(m -> m.asMessage().content().stream())
            .filter(c -> c.isOutputText()).map(c -> c.asOutputText().text())
            .findFirst().orElse("");
        return "tools=" + ran + " answer=" + answer;
      }
      for (ResponseFunctionToolCall call : calls) {
        ToolLoops.GetWeather args = call.arguments(ToolLoops.GetWeather.class);
        String result = args.get();
        ran.add(call.name() + ":" + result);
        input.add(ResponseInputItem.ofFunctionCall(call));
        input.add(ResponseInputItem.ofFunctionCallOutput(
            ResponseInputItem.FunctionCallOutput.builder().callId(call.callId()).output(result)
                .build()));
      }
    }
    return "tools=" + ran + " (no final answer)";
  }
}
