package io.flowcost.collector.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.flowcost.collector.pipeline.CatalogCallCoster;
import io.flowcost.pricing.CallPricer;
import io.flowcost.pricing.PriceCatalog;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Spans exported by an application's own GenAI instrumentation, shaped like Spring AI 1.1's
 * Micrometer observations bridged to OpenTelemetry: every key value a string ({@code
 * gen_ai.usage.input_tokens = "120"}, {@code gen_ai.response.finish_reasons = ["TOOL_CALLS"]}),
 * {@code gen_ai.system} rather than {@code gen_ai.provider.name}, a {@code spring_ai chat_client}
 * span (operation {@code framework}, {@code spring.ai.kind = chat_client}), one span per advisor
 * ({@code spring.ai.kind = advisor}), the chat model's {@code chat gpt-4o-mini} spans and the
 * tools' {@code tool_call <name>} spans ({@code spring.ai.kind = tool_call}). Costs are checked
 * against the bundled catalog's gpt-4o-mini list price: $0.15 input and $0.60 output per million
 * tokens.
 */
class ForeignGenAiSpansTest {

  static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
  private static final long T0 = 1_790_000_000_000_000_000L;
  private static final long MS = 1_000_000L;

  private final SpanInterpreter interpreter =
      new SpanInterpreter(Clock.fixed(Instant.parse("2026-11-24T12:00:00Z"), ZoneOffset.UTC));
  private final CatalogCallCoster coster =
      new CatalogCallCoster(() -> new CallPricer(PriceCatalog.bundled()));

  /**
   * One ChatClient call whose model asked for the weather tool twice: three provider requests of
   * (input, output) = (120, 20), (180, 25), (260, 40). Spring AI's chat spans report 120/20,
   * 300/45 and 560/85 (its UsageCalculator adds every earlier round); the rows carry each
   * request's own usage, so tokens and cost add up to the provider's: 560 input, 85 output,
   * 560 × 0.15e-6 + 85 × 0.60e-6 = $0.000135 (the cumulative figures would give 980/150, $0.000237).
   */
  @Test
  void springAiToolLoopBecomesThreeModelRowsWithPerRequestUsageAndTwoToolRows() {
    IngestBatch batch = interpreter.interpret(request(springAiToolLoop(TRACE, "0b", false)));

    assertThat(batch.rejected()).isZero();
    assertThat(batch.workflowSpans()).singleElement().satisfies(w -> {
      assertThat(w.workflowName()).isEqualTo("POST /weather");
      assertThat(w.source()).isEqualTo("foreign");
    });
    List<CallRecord> rows = priced(batch.calls());
    assertThat(rows).extracting(CallRecord::kind)
        .containsExactly("model", "tool", "model", "tool", "model");
    List<CallRecord> models = rows.stream().filter(c -> c.kind().equals("model")).toList();
    assertThat(models).extracting(c -> c.usage().input()).containsExactly(120L, 180L, 260L);
    assertThat(models).extracting(c -> c.usage().output()).containsExactly(20L, 25L, 40L);
    assertThat(models).extracting(CallRecord::provider).containsOnly("openai");
    assertThat(models).extracting(CallRecord::finishReason)
        .containsExactly("TOOL_CALLS", "TOOL_CALLS", "STOP");
    assertThat(models).extracting(CallRecord::unpriced).containsOnly(false);
    assertThat(models).extracting(CallRecord::costUsd).usingElementComparator(BigDecimal::compareTo)
        .containsExactly(new BigDecimal("0.000030"), new BigDecimal("0.000042"),
            new BigDecimal("0.000063"));
    assertThat(total(models)).isEqualByComparingTo("0.000135");
    List<CallRecord> tools = rows.stream().filter(c -> c.kind().equals("tool")).toList();
    assertThat(tools).extracting(CallRecord::toolName).containsOnly("weather");
    assertThat(tools).extracting(CallRecord::usage).containsOnlyNulls();
    // nothing unpriced: the workflow's cost is complete
    assertThat(rows).extracting(CallRecord::unpriced).containsOnly(false);
  }

  /**
   * A real Spring AI 1.1.2 app's export batch was not in end order (Micrometer's bridge queued the
   * tool span before the chat span that asked for it): the rounds of a loop are differenced
   * whatever their order inside one export request.
   */
  @Test
  void theRoundsOfOneLoopAreDifferencedWhateverTheirOrderInOneExport() {
    List<Span> reversed = new ArrayList<>(springAiToolLoop(TRACE, "0a", true));
    java.util.Collections.reverse(reversed);
    List<CallRecord> models = interpreter.interpret(request(reversed)).calls().stream()
        .filter(c -> c.kind().equals("model")).toList();
    assertThat(models).extracting(c -> c.usage().input() + "/" + c.usage().output())
        .containsExactly("120/20", "180/25", "260/40");
  }

  /**
   * The rounds in three export requests, last round first: the loop's total stays exact — 560
   * input and 85 output tokens, $0.000135 (not the $0.000237 of the summed cumulative figures) —
   * though the last round's row carries what the earlier ones used.
   */
  @Test
  void aLoopWhoseRoundsArriveLastFirstInSeparateExportsCountsItsTotalOnce() {
    List<Span> loop = springAiToolLoop(TRACE, "0d", true);
    List<CallRecord> models = new ArrayList<>();
    for (int i = loop.size() - 1; i >= 0; i--) {
      models.addAll(interpreter.interpret(request(List.of(loop.get(i)))).calls().stream()
          .filter(c -> c.kind().equals("model")).toList());
    }
    assertThat(models).extracting(c -> c.usage().input() + "/" + c.usage().output())
        .containsExactly("560/85", "0/0", "0/0");
    assertThat(total(priced(models))).isEqualByComparingTo("0.000135");
  }

  @Test
  void theRoundsOfOneLoopAreDifferencedAcrossExportBatchesToo() {
    List<Span> spans = springAiToolLoop(TRACE, "0b", false);
    List<CallRecord> rows = new ArrayList<>();
    for (Span s : spans) { // one span per export: the loop's state survives between requests
      rows.addAll(interpreter.interpret(request(List.of(s))).calls());
    }
    List<CallRecord> models = priced(rows).stream().filter(c -> c.kind().equals("model")).toList();
    assertThat(models).extracting(c -> c.usage().input()).containsExactly(120L, 180L, 260L);
    assertThat(total(models)).isEqualByComparingTo("0.000135");
  }

  /**
   * An advisor-driven loop ({@code ToolCallAdvisor}, internal tool execution off) reports each
   * request's own usage and runs each round under an advisor span of its own: nothing is
   * subtracted. 120 × 0.15e-6 + 20 × 0.6e-6 + 300 × 0.15e-6 + 45 × 0.6e-6 = $0.000102.
   */
  @Test
  void roundsUnderDifferentParentsAreNeverDifferenced() {
    List<Span> spans = new ArrayList<>();
    spans.add(span("00000000000000a1", null, "POST /weather", 0, 100).build());
    spans.add(framework("00000000000000a2", "00000000000000a1", "spring_ai chat_client",
        "chat_client", 1, 99));
    spans.add(framework("00000000000000a3", "00000000000000a2", "tool_call", "advisor", 2, 98));
    spans.add(framework("00000000000000a4", "00000000000000a3", "call", "advisor", 3, 20));
    spans.add(chat("00000000000000b1", "00000000000000a4", 4, 19, 120, 20, "TOOL_CALLS", "chatcmpl-1"));
    spans.add(tool("00000000000000c1", "00000000000000a3", 21, 22));
    spans.add(framework("00000000000000a5", "00000000000000a3", "call", "advisor", 23, 40));
    spans.add(chat("00000000000000b2", "00000000000000a5", 24, 39, 300, 45, "STOP", "chatcmpl-2"));

    List<CallRecord> rows = priced(interpreter.interpret(request(spans)).calls());

    List<CallRecord> models = rows.stream().filter(c -> c.kind().equals("model")).toList();
    assertThat(models).extracting(c -> c.usage().input()).containsExactly(120L, 300L);
    assertThat(models).extracting(c -> c.usage().output()).containsExactly(20L, 45L);
    assertThat(total(models)).isEqualByComparingTo("0.000102");
  }

  /**
   * Agent, workflow and framework spans only shape the workflow — even when an instrumentation
   * puts a usage sum on them (the conventions' {@code invoke_agent} may carry the agent's total) —
   * and an operation this version does not know is never a call either: no unpriced rows.
   */
  @Test
  void shapingOperationsAndUnknownOperationsAreNeverCalls() {
    List<Span> spans = new ArrayList<>();
    spans.add(span("00000000000000a1", null, "invoke_workflow triage", 0, 100)
        .addAttributes(attr("gen_ai.operation.name", "invoke_workflow")).build());
    spans.add(span("00000000000000a2", "00000000000000a1", "invoke_agent planner", 1, 99)
        .addAttributes(attr("gen_ai.operation.name", "invoke_agent"))
        .addAttributes(attr("gen_ai.provider.name", "openai"))
        .addAttributes(attr("gen_ai.usage.input_tokens", 500L))
        .addAttributes(attr("gen_ai.usage.output_tokens", 70L)).build());
    spans.add(span("00000000000000a3", "00000000000000a2", "create_agent planner", 2, 3)
        .addAttributes(attr("gen_ai.operation.name", "create_agent")).build());
    spans.add(span("00000000000000a4", "00000000000000a2", "rerank", 4, 5)
        .addAttributes(attr("gen_ai.operation.name", "plan_the_day")).build());
    spans.add(framework("00000000000000a5", "00000000000000a2", "spring_ai chat_client",
        "chat_client", 6, 50));
    spans.add(span("00000000000000b1", "00000000000000a2", "chat gpt-4o-mini", 10, 20)
        .addAttributes(attr("gen_ai.operation.name", "chat"))
        .addAttributes(attr("gen_ai.provider.name", "openai"))
        .addAttributes(attr("gen_ai.request.model", "gpt-4o-mini"))
        .addAttributes(attr("gen_ai.response.model", "gpt-4o-mini-2024-07-18"))
        .addAttributes(attr("gen_ai.usage.input_tokens", 500L))
        .addAttributes(attr("gen_ai.usage.output_tokens", 70L)).build());
    spans.add(span("00000000000000c1", "00000000000000a2", "execute_tool lookup", 21, 22)
        .addAttributes(attr("gen_ai.operation.name", "execute_tool"))
        .addAttributes(attr("gen_ai.tool.name", "lookup")).build());

    IngestBatch batch = interpreter.interpret(request(spans));

    assertThat(batch.rejected()).isZero();
    assertThat(batch.workflowSpans()).singleElement()
        .satisfies(w -> assertThat(w.workflowName()).isEqualTo("invoke_workflow triage"));
    List<CallRecord> rows = priced(batch.calls());
    assertThat(rows).extracting(CallRecord::spanId)
        .containsExactly("00000000000000b1", "00000000000000c1");
    assertThat(rows).extracting(CallRecord::kind).containsExactly("model", "tool");
    assertThat(rows).extracting(CallRecord::unpriced).containsOnly(false);
    // 500 × 0.15e-6 + 70 × 0.60e-6
    assertThat(rows.get(0).costUsd()).isEqualByComparingTo("0.000117");
  }

  @Test
  void inferenceOperationsOfOtherSpellingsAreCallsOfTheirKind() {
    List<Span> spans = List.of(
        span("00000000000000b1", "00000000000000a1", "embedding text-embedding-3-small", 1, 2)
            .addAttributes(attr("gen_ai.operation.name", "embedding"))
            .addAttributes(attr("gen_ai.system", "openai")).build(),
        span("00000000000000b2", "00000000000000a1", "generate_content gemini", 3, 4)
            .addAttributes(attr("gen_ai.operation.name", "generate_content"))
            .addAttributes(attr("gen_ai.system", "vertex_ai")).build(),
        span("00000000000000b3", "00000000000000a1", "chat", 5, 6)
            .addAttributes(attr("gen_ai.operation.name", "chat"))
            .addAttributes(attr("gen_ai.system", "azure-openai")).build());

    List<CallRecord> rows = interpreter.interpret(request(spans)).calls();

    assertThat(rows).extracting(CallRecord::kind).containsExactly("embedding", "model", "model");
    // Spring AI's provider spellings land as the conventions' names
    assertThat(rows).extracting(CallRecord::provider)
        .containsExactly("openai", "gcp.vertex_ai", "azure.ai.openai");
  }

  /**
   * The agent and the app's Spring AI observations both report the same three provider requests
   * (matched by {@code gen_ai.response.id}), in different traces. Agent first: every row is
   * written, with its response id and whether it is a foreign span; the app's model rows are
   * repeated reports, which live spend skips, so live spend counts the agent's rows — with the
   * cache reads it read off the wire, which Spring AI 1.1 does not report: (120 − 0) × 0.15e-6 +
   * 20 × 0.6e-6 = $0.000030; (180 − 100) × 0.15e-6 + 100 × 0.075e-6 + 25 × 0.6e-6 = $0.0000345;
   * (260 − 200) × 0.15e-6 + 200 × 0.075e-6 + 40 × 0.6e-6 = $0.000048; $0.0001125 in all, once
   * (not $0.0002475). Which rows the lake counts is the calls view's decision
   * ({@code RepeatedReportsLakeTest}).
   */
  @Test
  void aRequestReportedByTheAgentAndByTheAppIsCountedOnceLiveKeepingTheAgentsRow() {
    List<CallRecord> rows = new ArrayList<>();
    rows.addAll(interpreter.interpret(request(agentRounds())).calls());
    rows.addAll(interpreter.interpret(request(springAiToolLoop(APP_TRACE, "0b", true))).calls());

    List<CallRecord> models = priced(rows).stream().filter(c -> c.kind().equals("model")).toList();
    assertThat(models).hasSize(6);
    assertThat(models).filteredOn(CallRecord::foreignSpan)
        .allMatch(CallRecord::repeatedReport)
        .extracting(CallRecord::responseId)
        .containsExactly("chatcmpl-r1", "chatcmpl-r2", "chatcmpl-r3");
    List<CallRecord> live = models.stream().filter(c -> !c.repeatedReport()).toList();
    assertThat(live).extracting(CallRecord::workflowId).containsOnly(TRACE);
    assertThat(live).extracting(CallRecord::foreignSpan).containsOnly(false);
    assertThat(live).extracting(CallRecord::responseId)
        .containsExactly("chatcmpl-r1", "chatcmpl-r2", "chatcmpl-r3");
    assertThat(live).extracting(c -> c.usage().cacheRead()).containsExactly(0L, 100L, 200L);
    assertThat(live).extracting(CallRecord::costUsd).usingElementComparator(BigDecimal::compareTo)
        .containsExactly(new BigDecimal("0.000030"), new BigDecimal("0.0000345"),
            new BigDecimal("0.000048"));
    assertThat(total(live)).isEqualByComparingTo("0.0001125");
    // tool rows carry no response id and are never repeats
    assertThat(rows).filteredOn(c -> c.kind().equals("tool")).hasSize(2)
        .allMatch(c -> c.responseId() == null && !c.repeatedReport() && c.foreignSpan())
        .extracting(CallRecord::workflowId).containsOnly(APP_TRACE);
  }

  /**
   * The app's spans first: live spend counts them (their cumulative usage differenced:
   * $0.000135) and the agent's rows of the same responses are the repeats — still once, never
   * both ($0.0002475). The lake still prefers the agent's rows ({@code RepeatedReportsLakeTest}).
   */
  @Test
  void whenTheAppsSpansArriveFirstTheRequestIsStillCountedOnceLive() {
    List<CallRecord> rows = new ArrayList<>();
    rows.addAll(interpreter.interpret(request(springAiToolLoop(APP_TRACE, "0b", true))).calls());
    IngestBatch agent = interpreter.interpret(request(agentRounds()));
    rows.addAll(agent.calls());

    assertThat(agent.rejected()).isZero();
    assertThat(agent.calls()).filteredOn(c -> c.kind().equals("model"))
        .hasSize(3).allMatch(CallRecord::repeatedReport);
    List<CallRecord> live = priced(rows).stream()
        .filter(c -> c.kind().equals("model") && !c.repeatedReport()).toList();
    assertThat(live).extracting(CallRecord::workflowId).containsOnly(APP_TRACE);
    assertThat(live).extracting(c -> c.usage().input()).containsExactly(120L, 180L, 260L);
    assertThat(total(live)).isEqualByComparingTo("0.000135");
  }

  /**
   * Spring AI's chat span of an OpenAI stream sent without {@code stream_options.include_usage}
   * reports 0 input and 0 output tokens (its {@code EmptyUsage}): no answered request is billed
   * that, so the row keeps NULL tokens and is unpriced — its workflow's cost incomplete, never a
   * free call — while a failed request's zeros, a tool span and a call with real usage are as
   * before.
   */
  @Test
  void anAnsweredStreamReportedWithZeroUsageIsAUsageMissingRowNotAFreeCall() {
    List<Span> spans = new ArrayList<>();
    spans.add(span("00000000000000a1", null, "GET /stream", 0, 100).build());
    spans.add(chat("00000000000000b1", "00000000000000a1", 10, 20, 0, 0, "STOP", "chatcmpl-s1"));
    spans.add(chat("00000000000000b2", "00000000000000a1", 30, 40, 120, 20, "STOP", "chatcmpl-s2"));
    spans.add(span("00000000000000b3", "00000000000000a1", "chat gpt-4o-mini", 50, 60)
        .addAttributes(attr("gen_ai.operation.name", "chat"))
        .addAttributes(attr("gen_ai.system", "openai"))
        .addAttributes(attr("gen_ai.request.model", "gpt-4o-mini"))
        .addAttributes(attr("error.type", "HttpServerErrorException"))
        .setStatus(io.opentelemetry.proto.trace.v1.Status.newBuilder()
            .setCode(io.opentelemetry.proto.trace.v1.Status.StatusCode.STATUS_CODE_ERROR))
        .addAttributes(attr("gen_ai.usage.input_tokens", "0"))
        .addAttributes(attr("gen_ai.usage.output_tokens", "0")).build());

    List<CallRecord> rows = priced(interpreter.interpret(request(spans)).calls());

    assertThat(rows).hasSize(3);
    CallRecord missing = rows.get(0);
    assertThat(missing.usage()).as("no usage, not 0/0").isNull();
    assertThat(missing.unpriced()).as("cost unknown").isTrue();
    assertThat(missing.costUsd()).isNull();
    assertThat(missing.status()).isEqualTo("ok");
    CallRecord reported = rows.get(1);
    assertThat(reported.usage().input()).isEqualTo(120L);
    assertThat(reported.costUsd()).isEqualByComparingTo("0.000030"); // 120 × 0.15e-6 + 20 × 0.6e-6
    CallRecord failed = rows.get(2);
    assertThat(failed.status()).isEqualTo("error");
    assertThat(failed.unpriced()).as("a failed request is billed nothing").isFalse();
    assertThat(failed.costUsd()).isEqualByComparingTo("0");
  }

  @Test
  void aReSentSpanAndRowsWithoutAResponseIdAreNeverDropped() {
    List<Span> loop = springAiToolLoop(APP_TRACE, "0b", true);
    interpreter.interpret(request(loop));
    // the exporter retried the same request: same span ids, so the same rows (the lake keeps
    // each span id once), none of them a repeated report
    assertThat(interpreter.interpret(request(loop)).calls()).hasSize(5)
        .noneMatch(CallRecord::repeatedReport);
    assertThat(interpreter.interpret(request(springAiToolLoop(TRACE, "0c", false))).calls())
        .hasSize(5);
  }

  static final String APP_TRACE = "5cf92f3577b34da6a3ce929d0e0e4737";

  /**
   * What the agent records for the same three requests: a workflow, one logical call per request
   * with one attempt each, usage read off the wire (cache reads included) and the response id.
   */
  static List<Span> agentRounds() {
    List<Span> spans = new ArrayList<>();
    spans.add(span("00000000000000f1", null, "ChatClient weather", 0, 100)
        .addAttributes(attr("flowcost.workflow.root", true))
        .addAttributes(attr("flowcost.workflow.name", "WeatherController.ask"))
        .addAttributes(attr("flowcost.workflow.source", "implicit")).build());
    long[][] rounds = {{120, 0, 20}, {180, 100, 25}, {260, 200, 40}};
    for (int i = 0; i < 3; i++) {
      String call = "00000000000000d" + (i + 1);
      spans.add(span(call, "00000000000000f1", "chat gpt-4o-mini", 10 + 10 * i, 18 + 10 * i)
          .addAttributes(attr("flowcost.call.kind", "model"))
          .addAttributes(attr("gen_ai.operation.name", "chat"))
          .addAttributes(attr("flowcost.attempts", 1L)).build());
      spans.add(span("00000000000000e" + (i + 1), call, "attempt", 11 + 10 * i, 17 + 10 * i)
          .addAttributes(attr("flowcost.attempt", 1L))
          .addAttributes(attr("flowcost.call.id", call))
          .addAttributes(attr("flowcost.call.parent_id", "00000000000000f1"))
          .addAttributes(attr("flowcost.call.kind", "model"))
          .addAttributes(attr("gen_ai.operation.name", "chat"))
          .addAttributes(attr("gen_ai.provider.name", "openai"))
          .addAttributes(attr("gen_ai.request.model", "gpt-4o-mini"))
          .addAttributes(attr("gen_ai.response.model", "gpt-4o-mini-2024-07-18"))
          .addAttributes(attr("gen_ai.response.id", "chatcmpl-r" + (i + 1)))
          .addAttributes(attr("http.response.status_code", 200L))
          .addAttributes(attr("gen_ai.usage.input_tokens", rounds[i][0]))
          .addAttributes(attr("gen_ai.usage.cache_read.input_tokens", rounds[i][1]))
          .addAttributes(attr("gen_ai.usage.output_tokens", rounds[i][2])).build());
    }
    return spans;
  }

  // ---- Spring AI 1.1 fixtures --------------------------------------------------------------

  /**
   * {@code POST /weather} → {@code spring_ai chat_client} → advisor {@code call} → three chat
   * rounds with cumulative usage and two tool calls between them, all children of the advisor.
   */
  static List<Span> springAiToolLoop(String trace, String idPrefix, boolean withIds) {
    String p = idPrefix;
    List<Span> spans = new ArrayList<>();
    spans.add(span(trace, "00000000000000a1", null, "POST /weather", 0, 100).build());
    spans.add(framework(trace, "00000000000000a2", "00000000000000a1", "spring_ai chat_client",
        "chat_client", 1, 99));
    spans.add(framework(trace, "00000000000000a3", "00000000000000a2", "call", "advisor", 2, 98));
    String advisor = "00000000000000a3";
    spans.add(chat(trace, p + "00000000000001", advisor, 10, 20, 120, 20, "TOOL_CALLS",
        withIds ? "chatcmpl-r1" : null));
    spans.add(tool(trace, "00000000000000c1", advisor, 21, 22));
    spans.add(chat(trace, p + "00000000000002", advisor, 23, 30, 300, 45, "TOOL_CALLS",
        withIds ? "chatcmpl-r2" : null));
    spans.add(tool(trace, "00000000000000c2", advisor, 31, 32));
    spans.add(chat(trace, p + "00000000000003", advisor, 33, 40, 560, 85, "STOP",
        withIds ? "chatcmpl-r3" : null));
    return spans;
  }

  private static Span framework(String id, String parent, String name, String kind, long from,
      long to) {
    return framework(TRACE, id, parent, name, kind, from, to);
  }

  private static Span framework(String trace, String id, String parent, String name, String kind,
      long from, long to) {
    return span(trace, id, parent, name, from, to)
        .addAttributes(attr("gen_ai.operation.name", "framework"))
        .addAttributes(attr("gen_ai.system", "spring_ai"))
        .addAttributes(attr("spring.ai.kind", kind)).build();
  }

  private static Span chat(String id, String parent, long from, long to, long input, long output,
      String finish, String responseId) {
    return chat(TRACE, id, parent, from, to, input, output, finish, responseId);
  }

  /** A chat span as Spring AI 1.1 writes it: every value a string. */
  private static Span chat(String trace, String id, String parent, long from, long to, long input,
      long output, String finish, String responseId) {
    Span.Builder b = span(trace, id, parent, "chat gpt-4o-mini", from, to)
        .addAttributes(attr("gen_ai.operation.name", "chat"))
        .addAttributes(attr("gen_ai.system", "openai"))
        .addAttributes(attr("gen_ai.request.model", "gpt-4o-mini"))
        .addAttributes(attr("gen_ai.response.model", "gpt-4o-mini-2024-07-18"))
        .addAttributes(attr("gen_ai.request.temperature", "0.7"))
        .addAttributes(attr("spring.ai.model.request.tool.names", "[\"weather\"]"))
        .addAttributes(attr("gen_ai.response.finish_reasons", "[\"" + finish + "\"]"))
        .addAttributes(attr("gen_ai.usage.input_tokens", Long.toString(input)))
        .addAttributes(attr("gen_ai.usage.output_tokens", Long.toString(output)))
        .addAttributes(attr("gen_ai.usage.total_tokens", Long.toString(input + output)));
    if (responseId != null) {
      b.addAttributes(attr("gen_ai.response.id", responseId));
    }
    return b.build();
  }

  private static Span tool(String id, String parent, long from, long to) {
    return tool(TRACE, id, parent, from, to);
  }

  private static Span tool(String trace, String id, String parent, long from, long to) {
    return span(trace, id, parent, "tool_call weather", from, to)
        .addAttributes(attr("gen_ai.operation.name", "framework"))
        .addAttributes(attr("gen_ai.system", "spring_ai"))
        .addAttributes(attr("spring.ai.kind", "tool_call"))
        .addAttributes(attr("spring.ai.tool.definition.name", "weather")).build();
  }

  // ---- helpers -------------------------------------------------------------------------------

  private List<CallRecord> priced(List<CallRecord> calls) {
    return calls.stream().map(coster::price).toList();
  }

  private static BigDecimal total(List<CallRecord> rows) {
    return rows.stream().map(CallRecord::costUsd).reduce(BigDecimal.ZERO, BigDecimal::add);
  }

  private static Span.Builder span(String id, String parent, String name, long fromMs, long toMs) {
    return span(TRACE, id, parent, name, fromMs, toMs);
  }

  static Span.Builder span(String trace, String id, String parent, String name, long fromMs,
      long toMs) {
    Span.Builder b = Span.newBuilder()
        .setTraceId(ByteString.copyFrom(HexFormat.of().parseHex(trace)))
        .setSpanId(ByteString.copyFrom(HexFormat.of().parseHex(id)))
        .setName(name)
        .setStartTimeUnixNano(T0 + fromMs * MS)
        .setEndTimeUnixNano(T0 + toMs * MS);
    if (parent != null) {
      b.setParentSpanId(ByteString.copyFrom(HexFormat.of().parseHex(parent)));
    }
    return b;
  }

  static ExportTraceServiceRequest request(List<Span> spans) {
    return ExportTraceServiceRequest.newBuilder().addResourceSpans(ResourceSpans.newBuilder()
        .setResource(Resource.newBuilder().addAttributes(attr("service.name", "weather-app")))
        .addScopeSpans(ScopeSpans.newBuilder().addAllSpans(spans))).build();
  }

  static KeyValue attr(String key, Object value) {
    AnyValue.Builder v = AnyValue.newBuilder();
    if (value instanceof String s) {
      v.setStringValue(s);
    } else if (value instanceof Long l) {
      v.setIntValue(l);
    } else if (value instanceof Boolean b) {
      v.setBoolValue(b);
    }
    return KeyValue.newBuilder().setKey(key).setValue(v).build();
  }
}
