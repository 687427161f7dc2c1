package io.flowcost.collector.budget;

import java.time.Instant;

/** OTLP/JSON bodies of workflow root spans and priced call spans for the budget tests. */
final class Otlp {

  private Otlp() {}

  /** A root span of workflow {@code wf} tagged {@code team}. */
  static String root(Instant start, String wf, String spanId, String team) {
    return span(start, wf, spanId, null, """
        {"key":"flowcost.workflow.root","value":{"boolValue":true}},
        {"key":"flowcost.workflow.name","value":{"stringValue":"answer"}},
        {"key":"flowcost.tag.team","value":{"stringValue":"%s"}}""".formatted(team));
  }

  /**
   * A gpt-4o-mini call: $0.15/M input, $0.60/M output: 1M input + 0.5M output = 0.15 + 0.30 =
   * $0.45.
   */
  static String call(Instant start, String wf, String spanId) {
    return span(start, wf, spanId, spanId.substring(0, 14) + "00", """
        {"key":"gen_ai.operation.name","value":{"stringValue":"chat"}},
        {"key":"gen_ai.provider.name","value":{"stringValue":"openai"}},
        {"key":"gen_ai.request.model","value":{"stringValue":"gpt-4o-mini"}},
        {"key":"gen_ai.usage.input_tokens","value":{"intValue":"1000000"}},
        {"key":"gen_ai.usage.output_tokens","value":{"intValue":"500000"}}""");
  }

  /**
   * The same call as {@link #call} as the agent sends it inside a running workflow: with the
   * workflow's name ({@code answer}) and its team tag copied onto the call span.
   */
  static String namedCall(Instant start, String wf, String spanId, String team) {
    return span(start, wf, spanId, spanId.substring(0, 14) + "00", """
        {"key":"gen_ai.operation.name","value":{"stringValue":"chat"}},
        {"key":"gen_ai.provider.name","value":{"stringValue":"openai"}},
        {"key":"gen_ai.request.model","value":{"stringValue":"gpt-4o-mini"}},
        {"key":"flowcost.workflow.name","value":{"stringValue":"answer"}},
        {"key":"flowcost.tag.team","value":{"stringValue":"%s"}},
        {"key":"gen_ai.usage.input_tokens","value":{"intValue":"1000000"}},
        {"key":"gen_ai.usage.output_tokens","value":{"intValue":"500000"}}""".formatted(team));
  }

  /** A cap breach span of workflow {@code wf} (named {@code answer}), enforced. */
  static String breach(Instant at, String wf, String spanId, String kind, String limit,
      String spent, String unit) {
    return span(at, wf, spanId, spanId.substring(0, 14) + "00", """
        {"key":"flowcost.cap.breach","value":{"boolValue":true}},
        {"key":"flowcost.workflow.name","value":{"stringValue":"answer"}},
        {"key":"flowcost.cap.kind","value":{"stringValue":"%s"}},
        {"key":"flowcost.cap.limit","value":{"stringValue":"%s"}},
        {"key":"flowcost.cap.spent","value":{"stringValue":"%s"}},
        {"key":"flowcost.cap.unit","value":{"stringValue":"%s"}},
        {"key":"flowcost.cap.mode","value":{"stringValue":"enforce"}},
        {"key":"flowcost.cap.enforced","value":{"boolValue":true}},
        {"key":"flowcost.cap.model_calls","value":{"intValue":"3"}}""".formatted(kind, limit,
        spent, unit));
  }

  /** The workflow (trace) id the spans of {@code wf} carry. */
  static String traceId(String wf) {
    return (wf + "0".repeat(32)).substring(0, 32).replaceAll("[^0-9a-f]", "f");
  }

  private static String span(Instant at, String wf, String spanId, String parent,
      String attributes) {
    long start = at.getEpochSecond() * 1_000_000_000L;
    String traceId = traceId(wf);
    return """
        {"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"bot"}}]},
         "scopeSpans":[{"spans":[{"traceId":"%s","spanId":"%s",%s"name":"s","kind":1,
          "startTimeUnixNano":"%d","endTimeUnixNano":"%d","attributes":[%s]}]}]}]}
        """.formatted(traceId, spanId,
        parent == null ? "" : "\"parentSpanId\":\"" + parent + "\",", start,
        start + 1_000_000_000L, attributes);
  }
}
