package io.flowcost.langchain4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.langchain4j.agent.tool.Tool;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.json.JsonObjectSchema;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.model.openai.OpenAiStreamingChatModel;
import dev.langchain4j.service.AiServices;
import io.flowcost.examples.fakeprovider.Exchange;
import io.flowcost.examples.fakeprovider.FakeProvider;
import io.flowcost.outcome.Flowcost;
import io.flowcost.outcome.Workflow;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class FlowcostLangChain4jTest {

  private static FakeProvider fake;

  private InMemorySpanExporter exporter;
  private FlowcostLangChain4j flowcost;
  private ChatModel model;

  interface Assistant {
    String chat(String message);
  }

  static final class Tools {
    final AtomicInteger calls = new AtomicInteger();

    @Tool("Looks up a claim")
    String lookup(String id) {
      calls.incrementAndGet();
      return "claim " + id + " is open";
    }
  }

  @BeforeAll
  static void startFake() {
    fake = FakeProvider.start();
    // outcome-api sends its own workflow spans; keep them away from any real collector.
    System.setProperty("flowcost.endpoint", "http://127.0.0.1:" + fake.port());
  }

  @AfterAll
  static void stopFake() {
    fake.close();
  }

  @BeforeEach
  void setUp() {
    fake.reset();
    exporter = InMemorySpanExporter.create();
    flowcost =
        FlowcostLangChain4j.builder()
            .serviceName("claims-bot")
            .tags(Map.of("team", "claims"))
            .spanExporter(exporter)
            .build();
    model =
        OpenAiChatModel.builder()
            .baseUrl(fake.baseUrl())
            .apiKey("test-key")
            .modelName("gpt-5")
            .maxRetries(0)
            .listeners(List.of(flowcost.chatModelListener()))
            .build();
  }

  @AfterEach
  void tearDown() {
    flowcost.shutdown();
  }

  @Test
  void bareCallGetsAnImplicitWorkflowAndNormalisedUsage() {
    String longSystemPrompt = "You summarise insurance claims. ".repeat(150); // > 4096 chars: cached
    model.chat(
        ChatRequest.builder()
            .messages(SystemMessage.from(longSystemPrompt), UserMessage.from("summarise claim 7"))
            .build());

    List<SpanData> spans = exporter.getFinishedSpanItems();
    assertThat(spans).hasSize(2);
    SpanData call = byKind(spans, SpanKind.CLIENT);
    SpanData workflow = spans.get(1);
    assertThat(workflow.getParentSpanContext().isValid()).isFalse();
    assertThat(workflow.getName()).isEqualTo("claims-bot:chat gpt-5");
    assertThat(workflow.getAttributes().get(AttributeKey.booleanKey("flowcost.workflow.root"))).isTrue();
    assertThat(workflow.getAttributes().get(AttributeKey.stringKey("flowcost.workflow.source"))).isEqualTo("implicit");
    assertThat(workflow.getAttributes().get(AttributeKey.stringKey("flowcost.tag.team"))).isEqualTo("claims");
    assertThat(workflow.getResource().getAttribute(AttributeKey.stringKey("service.name"))).isEqualTo("claims-bot");

    assertThat(call.getTraceId()).isEqualTo(workflow.getTraceId());
    assertThat(call.getParentSpanId()).isEqualTo(workflow.getSpanId());
    assertThat(call.getName()).isEqualTo("chat gpt-5");
    assertThat(call.getAttributes().get(Attributes.CALL_KIND)).isEqualTo("model");
    assertThat(call.getAttributes().get(Attributes.OPERATION)).isEqualTo("chat");
    assertThat(call.getAttributes().get(Attributes.PROVIDER)).isEqualTo("openai");
    assertThat(call.getAttributes().get(Attributes.REQUEST_MODEL)).isEqualTo("gpt-5");
    assertThat(call.getAttributes().get(Attributes.RESPONSE_MODEL)).startsWith("gpt-5");
    assertThat(call.getAttributes().get(Attributes.REQUEST_STREAM)).isFalse();
    assertThat(call.getAttributes().get(Attributes.FINISH_REASONS)).containsExactly("stop");
    assertThat(call.getAttributes().get(Attributes.SERVICE_TIER)).isEqualTo("default");
    assertThat(call.getAttributes().get(AttributeKey.longKey("flowcost.attempts"))).isNull();

    Exchange sent = fake.exchanges().get(0);
    long cached = sent.usageOrZero("prompt_tokens_details.cached_tokens");
    assertThat(cached).isPositive();
    // OpenAI's prompt_tokens already includes cached tokens; completion_tokens includes reasoning.
    assertThat(call.getAttributes().get(Attributes.INPUT_TOKENS)).isEqualTo(sent.usageOrZero("prompt_tokens"));
    assertThat(call.getAttributes().get(Attributes.CACHE_READ_TOKENS)).isEqualTo(cached);
    assertThat(call.getAttributes().get(Attributes.OUTPUT_TOKENS)).isEqualTo(sent.usageOrZero("completion_tokens"));
    assertThat(call.getAttributes().get(Attributes.REASONING_TOKENS))
        .isEqualTo(sent.usageOrZero("completion_tokens_details.reasoning_tokens"))
        .isPositive();
    assertThat(call.getAttributes().get(Attributes.CACHE_CREATION_TOKENS)).isNull();
  }

  @Test
  void callsInsideAnOutcomeApiWorkflowJoinItsTrace() {
    String workflowId;
    String workflowSpanId;
    try (Workflow wf = Flowcost.workflow("summarize-claim").start()) {
      workflowId = wf.id();
      workflowSpanId = Flowcost.currentWorkflowSpanId().orElseThrow();
      model.chat("first");
      model.chat("second");
    }

    List<SpanData> spans = exporter.getFinishedSpanItems();
    assertThat(spans).hasSize(2).allSatisfy(span -> {
      assertThat(span.getTraceId()).isEqualTo(workflowId);
      assertThat(span.getParentSpanId()).isEqualTo(workflowSpanId);
      assertThat(span.getAttributes().get(Attributes.CALL_KIND)).isEqualTo("model");
      assertThat(span.getAttributes().get(Attributes.INPUT_TOKENS)).isPositive();
    });
  }

  @Test
  void aiServiceInvocationIsTheWorkflowWithModelAndToolCalls() {
    Tools tools = new Tools();
    Assistant assistant =
        AiServices.builder(Assistant.class)
            .chatModel(model)
            .tools(tools)
            .registerListeners(flowcost.aiServiceListeners())
            .build();

    assistant.chat("check the claim [tool:lookup {\"id\":\"42\"}]");

    assertThat(tools.calls).hasValue(1);
    List<SpanData> spans = exporter.getFinishedSpanItems();
    SpanData root = only(spans, s -> Boolean.TRUE.equals(s.getAttributes().get(Attributes.WORKFLOW_ROOT)));
    assertThat(root.getName()).isEqualTo("Assistant.chat");
    assertThat(root.getAttributes().get(Attributes.WORKFLOW_SOURCE)).isEqualTo("ai_service");
    assertThat(root.getAttributes().get(AttributeKey.stringKey("flowcost.tag.team"))).isEqualTo("claims");
    assertThat(root.getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);

    List<SpanData> calls = spans.stream().filter(s -> "model".equals(s.getAttributes().get(Attributes.CALL_KIND))).toList();
    assertThat(calls).hasSize(2);
    assertThat(calls.get(0).getAttributes().get(Attributes.FINISH_REASONS)).containsExactly("tool_calls");
    SpanData tool = only(spans, s -> "tool".equals(s.getAttributes().get(Attributes.CALL_KIND)));
    assertThat(tool.getName()).isEqualTo("execute_tool lookup");
    assertThat(tool.getAttributes().get(Attributes.TOOL_NAME)).isEqualTo("lookup");
    assertThat(tool.getStartEpochNanos()).isBetween(calls.get(0).getEndEpochNanos() - 1, tool.getEndEpochNanos());
    assertThat(spans).hasSize(4).allSatisfy(span -> assertThat(span.getTraceId()).isEqualTo(root.getTraceId()));
    assertThat(List.of(calls.get(0), calls.get(1), tool))
        .allSatisfy(span -> assertThat(span.getParentSpanId()).isEqualTo(root.getSpanId()));
  }

  @Test
  void aiServiceInsideAWorkflowIsAStepAndWrappedToolsAreRecordedOnce() {
    AtomicInteger executed = new AtomicInteger();
    ToolSpecification lookup =
        ToolSpecification.builder()
            .name("lookup")
            .description("Looks up a claim")
            .parameters(JsonObjectSchema.builder().addStringProperty("id").build())
            .build();
    Assistant assistant =
        AiServices.builder(Assistant.class)
            .chatModel(model)
            .tools(Map.of(lookup, flowcost.wrap((request, memoryId) -> "open #" + executed.incrementAndGet())))
            .registerListeners(flowcost.aiServiceListeners())
            .build();

    String workflowId;
    try (Workflow wf = Flowcost.workflow("triage").start()) {
      workflowId = wf.id();
      assistant.chat("triage [tool:lookup {\"id\":\"7\"}]");
    }

    assertThat(executed).hasValue(1);
    List<SpanData> spans = exporter.getFinishedSpanItems();
    assertThat(spans).allSatisfy(span -> assertThat(span.getTraceId()).isEqualTo(workflowId));
    assertThat(spans).noneMatch(s -> s.getAttributes().get(Attributes.WORKFLOW_ROOT) != null);
    SpanData step = only(spans, s -> Boolean.TRUE.equals(s.getAttributes().get(Attributes.STEP)));
    assertThat(step.getAttributes().get(Attributes.STEP_NAME)).isEqualTo("Assistant.chat");
    SpanData tool = only(spans, s -> "tool".equals(s.getAttributes().get(Attributes.CALL_KIND)));
    assertThat(tool.getParentSpanId()).isEqualTo(step.getSpanId());
    assertThat(tool.getEndEpochNanos()).isGreaterThanOrEqualTo(tool.getStartEpochNanos());
  }

  @Test
  void failedInvocationMarksWorkflowAndCallWithTheErrorTypeOnly() {
    Assistant assistant =
        AiServices.builder(Assistant.class)
            .chatModel(model)
            .registerListeners(flowcost.aiServiceListeners())
            .build();

    assertThatThrownBy(() -> assistant.chat("secret prompt [fail-always:400]")).isInstanceOf(RuntimeException.class);

    List<SpanData> spans = exporter.getFinishedSpanItems();
    assertThat(spans).hasSize(2).allSatisfy(span -> {
      assertThat(span.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
      assertThat(span.getStatus().getDescription()).isEmpty();
      assertThat(span.getAttributes().get(Attributes.ERROR_TYPE)).startsWith("dev.langchain4j.");
      assertThat(span.getEvents()).isEmpty();
      assertThat(span.getAttributes().asMap().values()).noneMatch(v -> String.valueOf(v).contains("secret"));
    });
    SpanData call = byKind(spans, SpanKind.CLIENT);
    assertThat(call.getAttributes().get(Attributes.INPUT_TOKENS)).isNull(); // a failed call carries no usage
  }

  @Test
  void streamedCallEndsOnTheCallbackThreadWithUsage() throws Exception {
    StreamingChatModel streaming =
        OpenAiStreamingChatModel.builder()
            .baseUrl(fake.baseUrl())
            .apiKey("test-key")
            .modelName("gpt-5")
            .listeners(List.of(flowcost.streamingChatModelListener()))
            .build();
    CompletableFuture<ChatResponse> done = new CompletableFuture<>();
    String workflowId;
    try (Workflow wf = Flowcost.workflow("stream").start()) {
      workflowId = wf.id();
      streaming.chat(
          "stream please",
          new StreamingChatResponseHandler() {
            @Override
            public void onPartialResponse(String partial) {}

            @Override
            public void onCompleteResponse(ChatResponse response) {
              done.complete(response);
            }

            @Override
            public void onError(Throwable error) {
              done.completeExceptionally(error);
            }
          });
    }
    done.get(10, TimeUnit.SECONDS);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (exporter.getFinishedSpanItems().isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }

    SpanData call = only(exporter.getFinishedSpanItems(), s -> true);
    Exchange sent = fake.exchanges().get(0);
    assertThat(sent.streaming()).isTrue();
    assertThat(call.getTraceId()).isEqualTo(workflowId);
    assertThat(call.getAttributes().get(Attributes.REQUEST_STREAM)).isTrue();
    assertThat(call.getAttributes().get(Attributes.INPUT_TOKENS)).isEqualTo(sent.usageOrZero("prompt_tokens"));
    assertThat(call.getAttributes().get(Attributes.OUTPUT_TOKENS)).isEqualTo(sent.usageOrZero("completion_tokens"));
  }

  private static SpanData byKind(List<SpanData> spans, SpanKind kind) {
    return only(spans, s -> s.getKind() == kind);
  }

  private static SpanData only(List<SpanData> spans, java.util.function.Predicate<SpanData> filter) {
    List<SpanData> matching = spans.stream().filter(filter).toList();
    assertThat(matching).hasSize(1);
    return matching.get(0);
  }
}
