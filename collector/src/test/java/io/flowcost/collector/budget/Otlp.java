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

  private static String span(Instant at, String wf, String spanId, String parent,
      String attributes) {
    long start = at.getEpochSecond() * 1_000_000_000L;
    String traceId = (wf + "0".repeat(32)).substring(0, 32).replaceAll("[^0-9a-f]", "f");
    return """
        {"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"bot"}}]},
         "scopeSpans":[{"spans":[{"traceId":"%s","spanId":"%s",%s"name":"s","kind":1,
          "startTimeUnixNano":"%d","endTimeUnixNano":"%d","attributes":[%s]}]}]}]}
        """.formatted(traceId, spanId,
        parent == null ? "" : "\"parentSpanId\":\"" + parent + "\",", start,
        start + 1_000_000_000L, attributes);
  }
}
