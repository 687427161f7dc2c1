package io.flowcost.collector.ingest;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Tells which row of a provider response, reported by two producers, live spend counts: the
 * agent's attempt span and the application's own GenAI span of the same request (Spring AI's
 * observations, the OpenTelemetry Java agent), which sit in different traces, matched by the
 * provider's response id ({@code gen_ai.response.id}: {@code chatcmpl-…}, {@code msg_…}).
 *
 * <p>Both rows are written; which one the lake counts is decided by the {@code calls} view from
 * the rows' {@code response_id} and {@code foreign_span} columns, so it holds across restarts and
 * when the two reports reach different collectors ({@code docs/spans.md}). This in-memory record
 * only keeps live spend (budgets, alerts) from counting a request twice in one collector: the
 * first row seen for an id counts, a later row of another span with the same id is a repeated
 * report. Rows of the same span (a re-sent span) and two Flowcost rows are never repeats. The ids
 * of the last {@link #capacity} responses are remembered (least recently seen out): two reports
 * of one response arrive seconds apart.
 */
final class ResponseIds {

  private final int capacity;
  private final Map<String, Seen> seen;

  /** The span that first reported a response, and whether Flowcost's agent wrote it. */
  private record Seen(String spanId, boolean flowcost) {}

  ResponseIds(int capacity) {
    this.capacity = capacity;
    this.seen = new LinkedHashMap<>(256, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, Seen> eldest) {
        return size() > ResponseIds.this.capacity;
      }
    };
  }

  /**
   * Records that {@code spanId} reports response {@code responseId}.
   *
   * @param flowcost the span is a Flowcost producer's call or attempt span
   * @return {@code true} when live spend counts the row, {@code false} when another producer
   *     already reported this response
   */
  synchronized boolean firstReport(String responseId, String spanId, boolean flowcost) {
    if (responseId == null || responseId.isBlank()) {
      return true;
    }
    Seen first = seen.get(responseId);
    if (first == null) {
      seen.put(responseId, new Seen(spanId, flowcost));
      return true;
    }
    return first.spanId().equals(spanId) || (first.flowcost() && flowcost);
  }
}
